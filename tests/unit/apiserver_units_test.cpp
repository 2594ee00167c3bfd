// The apiserver's pure pieces: request path parsing (upstream's RequestInfoFactory) and the
// storage encoding of objects (keys, field order, resourceVersion splicing).
#include <catch2/catch.hpp>

#include "server/apiserver/object_store.h"
#include "server/apiserver/request_info.h"
#include "test_json.h"

using namespace cluster;
using namespace cluster::server;

namespace {

using cluster::testing::Json;

RequestInfo Parse(const std::string& method, const std::string& path,
                  std::map<std::string, std::string> query = {}) {
  ApiRequest req;
  req.method = method;
  req.path = path;
  req.query = std::move(query);
  return ParseRequestInfo(req);
}

// group/version ns resource name subresource verb, for compact comparisons.
std::string Summary(const RequestInfo& ri) {
  return ri.group + "/" + ri.version + " ns=" + ri.ns + " " + ri.resource + " name=" + ri.name +
         " sub=" + ri.subresource + " " + ri.verb;
}

const api::ResourceInfo& Resource(std::string_view group, std::string_view plural) {
  const api::ResourceInfo* info = api::ResourceTable::BuiltIn().Find(group, "v1", plural);
  REQUIRE(info != nullptr);
  return *info;
}

}  // namespace

TEST_CASE("request info: non-resource paths", "[request_info]") {
  for (const char* path : {"/version", "/healthz", "/api", "/apis", "/apis/apps", "/openapi/v2",
                           "/", "/api/v1", "/apis/apps/v1"}) {
    INFO(path);
    CHECK_FALSE(Parse("GET", path).is_resource);
  }
  RequestInfo ri = Parse("GET", "/apis/apps/v1");
  CHECK(ri.group == "apps");
  CHECK(ri.version == "v1");
  CHECK(Parse("GET", "/api").parts == std::vector<std::string>{"api"});
}

TEST_CASE("request info: core and grouped collections and items", "[request_info]") {
  CHECK(Summary(Parse("GET", "/api/v1/pods")) == "/v1 ns= pods name= sub= list");
  CHECK(Summary(Parse("GET", "/api/v1/namespaces/default/pods")) ==
        "/v1 ns=default pods name= sub= list");
  CHECK(Summary(Parse("GET", "/api/v1/namespaces/default/pods/web")) ==
        "/v1 ns=default pods name=web sub= get");
  CHECK(Summary(Parse("HEAD", "/api/v1/namespaces/default/pods/web")) ==
        "/v1 ns=default pods name=web sub= get");
  CHECK(Summary(Parse("GET", "/apis/apps/v1/namespaces/kube-system/deployments/coredns")) ==
        "apps/v1 ns=kube-system deployments name=coredns sub= get");
  CHECK(Summary(Parse("GET", "/api/v1/nodes/n1")) == "/v1 ns= nodes name=n1 sub= get");
  CHECK(Summary(Parse("GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles")) ==
        "rbac.authorization.k8s.io/v1 ns= clusterroles name= sub= list");
  // Trailing and doubled slashes do not matter.
  CHECK(Summary(Parse("GET", "/api/v1/namespaces/default/pods/")) ==
        "/v1 ns=default pods name= sub= list");
  CHECK(Summary(Parse("GET", "//api//v1/namespaces/default//pods")) ==
        "/v1 ns=default pods name= sub= list");
}

TEST_CASE("request info: verbs by method", "[request_info]") {
  CHECK(Parse("POST", "/api/v1/namespaces/d/pods").verb == "create");
  CHECK(Parse("PUT", "/api/v1/namespaces/d/pods/p").verb == "update");
  CHECK(Parse("PATCH", "/api/v1/namespaces/d/pods/p").verb == "patch");
  CHECK(Parse("DELETE", "/api/v1/namespaces/d/pods/p").verb == "delete");
  CHECK(Parse("DELETE", "/api/v1/namespaces/d/pods").verb == "deletecollection");
  CHECK(Parse("DELETE", "/api/v1/nodes").verb == "deletecollection");
  CHECK(Parse("OPTIONS", "/api/v1/namespaces/d/pods").verb == "");
}

TEST_CASE("request info: the Namespace object and its subresources", "[request_info]") {
  // "/namespaces/NS" alone is the Namespace named NS, not a namespaced request.
  CHECK(Summary(Parse("GET", "/api/v1/namespaces")) == "/v1 ns= namespaces name= sub= list");
  CHECK(Summary(Parse("GET", "/api/v1/namespaces/team-a")) ==
        "/v1 ns= namespaces name=team-a sub= get");
  CHECK(Summary(Parse("DELETE", "/api/v1/namespaces/team-a")) ==
        "/v1 ns= namespaces name=team-a sub= delete");
  CHECK(Summary(Parse("PUT", "/api/v1/namespaces/team-a/status")) ==
        "/v1 ns= namespaces name=team-a sub=status update");
  CHECK(Summary(Parse("PUT", "/api/v1/namespaces/team-a/finalize")) ==
        "/v1 ns= namespaces name=team-a sub=finalize update");
  // A namespaced resource inside it.
  CHECK(Summary(Parse("GET", "/api/v1/namespaces/team-a/configmaps")) ==
        "/v1 ns=team-a configmaps name= sub= list");
}

TEST_CASE("request info: subresources", "[request_info]") {
  CHECK(Summary(Parse("POST", "/api/v1/namespaces/d/pods/p/binding")) ==
        "/v1 ns=d pods name=p sub=binding create");
  CHECK(Summary(Parse("PUT", "/api/v1/namespaces/d/pods/p/status")) ==
        "/v1 ns=d pods name=p sub=status update");
  CHECK(Summary(Parse("GET", "/api/v1/namespaces/d/pods/p/log")) ==
        "/v1 ns=d pods name=p sub=log get");
  CHECK(Summary(Parse("PATCH", "/apis/apps/v1/namespaces/d/deployments/web/scale")) ==
        "apps/v1 ns=d deployments name=web sub=scale patch");
  CHECK(Summary(Parse("PATCH", "/api/v1/nodes/n1/status")) ==
        "/v1 ns= nodes name=n1 sub=status patch");
}

TEST_CASE("request info: watches", "[request_info]") {
  CHECK(Parse("GET", "/api/v1/namespaces/d/pods", {{"watch", "true"}}).verb == "watch");
  CHECK(Parse("GET", "/api/v1/pods", {{"watch", "1"}}).verb == "watch");
  CHECK(Parse("GET", "/api/v1/pods", {{"watch", "false"}}).verb == "list");
  CHECK(Parse("GET", "/api/v1/pods", {{"watch", "0"}}).verb == "list");
  CHECK(Parse("GET", "/api/v1/pods", {{"watch", "FALSE"}}).verb == "list");
  // As apimachinery's Convert_Slice_string_To_bool: anything else, even empty, is true.
  CHECK(Parse("GET", "/api/v1/pods", {{"watch", ""}}).verb == "watch");
  CHECK(Parse("GET", "/api/v1/pods", {{"watch", "yes"}}).verb == "watch");
  // On a named object the parameter does not make a watch (upstream serves a get).
  CHECK(Parse("GET", "/api/v1/namespaces/d/pods/p", {{"watch", "true"}}).verb == "get");
  // The legacy /watch/ prefix does, for collections and names.
  CHECK(Summary(Parse("GET", "/api/v1/watch/pods")) == "/v1 ns= pods name= sub= watch");
  CHECK(Summary(Parse("GET", "/api/v1/watch/namespaces/d/pods")) ==
        "/v1 ns=d pods name= sub= watch");
  CHECK(Summary(Parse("GET", "/api/v1/watch/namespaces/d/pods/p")) ==
        "/v1 ns=d pods name=p sub= watch");
  CHECK(Summary(Parse("GET", "/apis/apps/v1/watch/namespaces/d/deployments")) ==
        "apps/v1 ns=d deployments name= sub= watch");
  CHECK(Summary(Parse("GET", "/api/v1/watch/namespaces")) == "/v1 ns= namespaces name= sub= watch");
  CHECK(Summary(Parse("GET", "/api/v1/watch/namespaces/team-a")) ==
        "/v1 ns= namespaces name=team-a sub= watch");
}

// ---- object store encoding ----

TEST_CASE("store keys follow /registry/<resource>/<namespace>/<name>", "[object_store]") {
  CHECK(ObjectKey(Resource("", "pods"), "default", "web") == "/registry/pods/default/web");
  CHECK(ObjectKey(Resource("", "namespaces"), "", "team-a") == "/registry/namespaces/team-a");
  CHECK(ObjectKey(Resource("", "nodes"), "", "n1") == "/registry/nodes/n1");
  CHECK(ObjectKey(Resource("apps", "deployments"), "d", "web") == "/registry/deployments/d/web");
  CHECK(CollectionPrefix(Resource("", "pods"), "default") == "/registry/pods/default/");
  CHECK(CollectionPrefix(Resource("", "pods"), "") == "/registry/pods/");
  CHECK(CollectionPrefix(Resource("", "nodes"), "") == "/registry/nodes/");
  // A namespace prefix never matches a longer namespace name ("d" vs "dev").
  CHECK(ObjectKey(Resource("", "pods"), "dev", "x")
            .rfind(CollectionPrefix(Resource("", "pods"), "d"), 0) == std::string::npos);
}

TEST_CASE("EncodeForStore: apiVersion, kind, metadata first, no resourceVersion",
          "[object_store]") {
  json::Document obj = Json(R"({"spec":{"a":1},"metadata":{"name":"x","resourceVersion":"9",
      "namespace":"d"},"status":{},"kind":"Pod","apiVersion":"v1"})");
  CHECK(EncodeForStore(obj) ==
        R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"x","namespace":"d"},)"
        R"("spec":{"a":1},"status":{}})");
  // Other members keep their order; missing apiVersion/kind are simply absent.
  json::Document bare = Json(R"({"z":1,"metadata":{"name":"x"},"a":2})");
  CHECK(EncodeForStore(bare) == R"({"metadata":{"name":"x"},"z":1,"a":2})");
}

TEST_CASE("SpliceResourceVersion puts the revision into metadata", "[object_store]") {
  json::Document obj = Json(R"({"apiVersion":"v1","kind":"ConfigMap",
      "metadata":{"name":"c","annotations":{"note":"\"metadata\":{"}},"data":{"k":"v"}})");
  std::string stored = EncodeForStore(obj);
  std::string spliced = SpliceResourceVersion(stored, 1234);
  json::Document back = Json(spliced);
  CHECK(json::GetString(back, {"metadata", "resourceVersion"}) == "1234");
  CHECK(json::GetString(back, {"metadata", "name"}) == "c");
  CHECK(json::GetString(back, {"metadata", "annotations", "note"}) == "\"metadata\":{");
  CHECK(json::GetString(back, {"data", "k"}) == "v");
  CHECK(spliced.find(R"("metadata":{"resourceVersion":"1234","name":"c")") != std::string::npos);

  // Empty metadata: no dangling comma.
  CHECK(SpliceResourceVersion(R"({"apiVersion":"v1","kind":"X","metadata":{}})", 5) ==
        R"({"apiVersion":"v1","kind":"X","metadata":{"resourceVersion":"5"}})");
  // No metadata at all: one is added.
  CHECK(SpliceResourceVersion(R"({"a":1})", 6) == R"({"metadata":{"resourceVersion":"6"},"a":1})");
  CHECK(SpliceResourceVersion("{}", 7) == R"({"metadata":{"resourceVersion":"7"}})");
}

TEST_CASE("DecodeFromStore sets resourceVersion from the revision", "[object_store]") {
  store::KeyValue kv;
  kv.key = "/registry/pods/d/p";
  kv.value = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}})";
  kv.mod_revision = 77;
  auto d = DecodeFromStore(kv);
  REQUIRE(d.ok());
  CHECK(json::GetString(*d, {"metadata", "resourceVersion"}) == "77");

  // Splicing and decoding agree.
  json::Document via_splice = Json(SpliceResourceVersion(kv.value, 77));
  CHECK(json::GetString(via_splice, {"metadata", "resourceVersion"}) == "77");

  kv.value = "not json";
  CHECK_FALSE(DecodeFromStore(kv).ok());
  kv.value = "[1,2]";
  CHECK_FALSE(DecodeFromStore(kv).ok());
}
