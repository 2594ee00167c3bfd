// API semantics that real tools (Ansible's kubernetes.core, dynamic clients, GitOps tools, old
// client-go) rely on, each checked with the real kubectl or plain HTTPS against the real server,
// and the Accept negotiation sent by hand.
#include <catch2/catch.hpp>

#include "common/json.h"
#include "kubectl_helpers.h"

namespace cluster::e2e {
namespace {

HttpResult Api(const std::string& method, const std::string& path, const std::string& body = "",
               std::vector<std::string> headers = {}) {
  if (!body.empty()) {
    bool has_ct = false;
    for (const auto& h : headers) has_ct = has_ct || h.rfind("Content-Type:", 0) == 0;
    if (!has_ct) headers.push_back("Content-Type: application/json");
  }
  return HttpRequest(method, Server().api_url() + path, body, headers, Server().admin_tls());
}

json::Document Doc(const HttpResult& r) {
  auto d = json::Parse(r.body);
  INFO(r.code << " " << r.body);
  REQUIRE(d.ok());
  return std::move(d).value();
}

}  // namespace

TEST_CASE("Accept headers: v2beta1, v2, both orders, */*, an unknown type") {
  const std::string v2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
  const std::string v2b1 =
      "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";
  for (const char* root : {"/api", "/apis"}) {
    INFO(root);
    auto a = Api("GET", root, "", {"Accept: " + v2b1});
    CHECK(a.code == 200);
    CHECK(a.content_type == v2b1);
    CHECK(json::GetString(Doc(a), {"apiVersion"}) == "apidiscovery.k8s.io/v2beta1");
    auto b = Api("GET", root, "", {"Accept: " + v2});
    CHECK(b.content_type == v2);
    CHECK(json::GetString(Doc(b), {"apiVersion"}) == "apidiscovery.k8s.io/v2");
    CHECK(Api("GET", root, "", {"Accept: " + v2 + "," + v2b1}).content_type == v2);
    CHECK(Api("GET", root, "", {"Accept: " + v2b1 + "," + v2}).content_type == v2b1);
    auto plain = Api("GET", root, "", {"Accept: application/json"});
    CHECK(plain.content_type == "application/json");
    CHECK(json::GetString(Doc(plain), {"kind"}) ==
          (std::string(root) == "/api" ? "APIVersions" : "APIGroupList"));
    CHECK(Api("GET", root, "", {"Accept: */*"}).content_type == "application/json");
    auto bad = Api("GET", root, "", {"Accept: text/html"});
    CHECK(bad.code == 406);
    CHECK(json::GetString(Doc(bad), {"reason"}) == "NotAcceptable");
  }
  auto table = Api("GET", "/api/v1/namespaces", "",
                   {"Accept: application/json;as=Table;v=v1beta1;g=meta.k8s.io"});
  CHECK(table.content_type == "application/json;as=Table;v=v1beta1;g=meta.k8s.io");
  CHECK(json::GetString(Doc(table), {"apiVersion"}) == "meta.k8s.io/v1beta1");
  auto meta = Api("GET", "/api/v1/namespaces", "",
                  {"Accept: application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"});
  CHECK(meta.content_type == "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io");
  json::Document m = Doc(meta);
  CHECK(json::GetString(m, {"kind"}) == "PartialObjectMetadataList");
  REQUIRE(m["items"].Size() >= 4);
  CHECK(json::GetString(m["items"][0], {"kind"}) == "PartialObjectMetadata");
  CHECK(json::Find(m["items"][0], {"spec"}) == nullptr);
  auto yaml = Api("GET", "/api/v1/namespaces/default", "", {"Accept: application/yaml"});
  CHECK(yaml.content_type == "application/yaml");
  CHECK(Contains(yaml.body, "kind: Namespace"));
}

TEST_CASE("Secret stringData is merged into data and never stored") {
  Ok({"create", "namespace", "sem-secret"});
  Ok({"apply", "-f", "-"}, R"(apiVersion: v1
kind: Secret
metadata: {name: s, namespace: sem-secret}
data: {a: b2xk, keep: eA==}
stringData: {a: new, plain: text}
)");
  auto s = Doc(Api("GET", "/api/v1/namespaces/sem-secret/secrets/s"));
  CHECK(json::GetString(s, {"data", "a"}) == "bmV3");  // "new": stringData wins
  CHECK(json::GetString(s, {"data", "plain"}) == "dGV4dA==");
  CHECK(json::GetString(s, {"data", "keep"}) == "eA==");
  CHECK(json::Find(s, {"stringData"}) == nullptr);
  // Server-side apply and patch too.
  Ok({"apply", "--server-side", "-f", "-"}, R"(apiVersion: v1
kind: Secret
metadata: {name: t, namespace: sem-secret}
stringData: {k: v}
)");
  auto t = Doc(Api("GET", "/api/v1/namespaces/sem-secret/secrets/t"));
  CHECK(json::GetString(t, {"data", "k"}) == "dg==");
  CHECK(json::Find(t, {"stringData"}) == nullptr);
  Ok({"patch", "secret", "t", "-n", "sem-secret", "-p", R"({"stringData":{"k2":"v2"}})"});
  t = Doc(Api("GET", "/api/v1/namespaces/sem-secret/secrets/t"));
  CHECK(json::GetString(t, {"data", "k2"}) == "djI=");
  CHECK(json::Find(t, {"stringData"}) == nullptr);
}

TEST_CASE("a Service PUT without clusterIP or nodePort keeps them; resubmitting is a no-op") {
  Ok({"create", "namespace", "sem-svc"});
  const std::string yaml = R"(apiVersion: v1
kind: Service
metadata: {name: web, namespace: sem-svc}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80}, {name: admin, port: 81}]
)";
  Ok({"create", "-f", "-"}, yaml);
  auto first = Doc(Api("GET", "/api/v1/namespaces/sem-svc/services/web"));
  std::string ip = json::GetString(first, {"spec", "clusterIP"});
  int64_t np0 = json::GetInt(first["spec"]["ports"][0], {"nodePort"});
  int64_t np1 = json::GetInt(first["spec"]["ports"][1], {"nodePort"});
  std::string rv = json::GetString(first, {"metadata", "resourceVersion"});
  for (int i = 0; i < 3; ++i) Ok({"replace", "-f", "-"}, yaml);
  auto again = Doc(Api("GET", "/api/v1/namespaces/sem-svc/services/web"));
  CHECK(json::GetString(again, {"spec", "clusterIP"}) == ip);
  CHECK(json::GetInt(again["spec"]["ports"][0], {"nodePort"}) == np0);
  CHECK(json::GetInt(again["spec"]["ports"][1], {"nodePort"}) == np1);
  CHECK(json::GetString(again, {"metadata", "resourceVersion"}) == rv);
  // A real change: the "admin" port goes away and its node port returns to the pool, so a new
  // Service may ask for it by number.
  std::string fewer = yaml.substr(0, yaml.find("  ports:")) + "  ports: [{name: http, port: 80}]\n";
  Ok({"replace", "-f", "-"}, fewer);
  Ok({"create", "-f", "-"},
     "apiVersion: v1\nkind: Service\nmetadata: {name: other, namespace: "
     "sem-svc}\nspec:\n  type: NodePort\n  ports: [{port: 90, nodePort: " +
         std::to_string(np1) + "}]\n");
}

TEST_CASE("boolean query parameters count as upstream reads them (force=True)") {
  Ok({"create", "namespace", "sem-bool"});
  const std::string path = "/api/v1/namespaces/sem-bool/configmaps/c";
  const std::vector<std::string> apply = {"Content-Type: application/apply-patch+yaml"};
  std::string body =
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}})";
  CHECK(Api("PATCH", path + "?fieldManager=one", body, apply).code == 201);
  std::string other =
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"2"}})";
  CHECK(Api("PATCH", path + "?fieldManager=two", other, apply).code == 409);
  CHECK(Api("PATCH", path + "?fieldManager=two&force=True", other, apply).code == 200);
  CHECK(Api("PATCH", path + "?fieldManager=one&force=false", body, apply).code == 409);
  // watch=1 is a watch.
  auto w = HttpRequest("GET",
                       Server().api_url() +
                           "/api/v1/namespaces/sem-bool/configmaps?watch=1"
                           "&timeoutSeconds=1",
                       "", {}, Server().admin_tls(), 5s);
  CHECK(w.code == 200);
  CHECK(Contains(w.body, "\"type\":\"ADDED\""));
}

TEST_CASE("orphanDependents=true orphans; a deletion held by finalizers bumps generation") {
  Ok({"create", "namespace", "sem-del"});
  Ok({"create", "deployment", "d", "--image=nginx", "-n", "sem-del"});
  auto before = Doc(Api("GET", "/apis/apps/v1/namespaces/sem-del/deployments/d"));
  int64_t gen = json::GetInt(before, {"metadata", "generation"});
  auto r = Api("DELETE", "/apis/apps/v1/namespaces/sem-del/deployments/d?orphanDependents=true");
  CHECK(r.code == 200);
  auto held = Api("GET", "/apis/apps/v1/namespaces/sem-del/deployments/d");
  if (held.code == 200) {  // the garbage collector may already have finished it
    auto d = Doc(held);
    CHECK(Contains(json::Serialize(d["metadata"]["finalizers"]), "orphan"));
    CHECK(json::GetInt(d, {"metadata", "generation"}) == gen + 1);
  }
  // Both ways of asking at once are refused, as upstream.
  Ok({"create", "configmap", "x", "-n", "sem-del"});
  auto both = Api("DELETE", "/api/v1/namespaces/sem-del/configmaps/x?orphanDependents=true",
                  R"({"propagationPolicy":"Background"})");
  CHECK(both.code == 422);
}

TEST_CASE("server-side apply without apiVersion is refused with upstream's message") {
  Ok({"create", "namespace", "sem-ssa"});
  auto r = Api("PATCH", "/api/v1/namespaces/sem-ssa/configmaps/c?fieldManager=me",
               R"({"kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}})",
               {"Content-Type: application/apply-patch+yaml"});
  CHECK(r.code == 400);
  CHECK(json::GetString(Doc(r), {"message"}) ==
        "Incorrect version specified in apply patch. Specified patch version: , expected: v1");
  CHECK(Api("GET", "/api/v1/namespaces/sem-ssa/configmaps/c").code == 404);
  auto wrong = Api("PATCH", "/apis/apps/v1/namespaces/sem-ssa/deployments/d?fieldManager=me",
                   R"({"apiVersion":"apps/v1beta1","kind":"Deployment","metadata":{"name":"d"}})",
                   {"Content-Type: application/apply-patch+yaml"});
  CHECK(json::GetString(Doc(wrong), {"message"}) ==
        "Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, "
        "expected: apps/v1");
}

TEST_CASE("a list at a future resourceVersion waits, then answers 504 Too large") {
  auto list = Doc(Api("GET", "/api/v1/namespaces"));
  int64_t rv = std::stoll(json::GetString(list, {"metadata", "resourceVersion"}));
  auto start = std::chrono::steady_clock::now();
  auto r = Api("GET", "/api/v1/namespaces?resourceVersion=" + std::to_string(rv + 1000000));
  CHECK(std::chrono::steady_clock::now() - start >= 2900ms);
  CHECK(r.code == 504);
  auto st = Doc(r);
  CHECK(json::GetString(st, {"reason"}) == "Timeout");
  CHECK(Contains(json::GetString(st, {"message"}), "Too large resource version"));
  CHECK(json::GetString(st["details"]["causes"][0], {"reason"}) == "ResourceVersionTooLarge");
}

TEST_CASE("a collection DELETE answers with the deleted objects") {
  Ok({"create", "namespace", "sem-coll"});
  for (const char* n : {"a", "b", "c"})
    Ok({"create", "configmap", n, "-n", "sem-coll", "--from-literal=k=v"});
  Ok({"label", "cm", "a", "b", "-n", "sem-coll", "app=web"});
  // Unencoded '=' inside the value, as curl users write it.
  auto r = Api("DELETE", "/api/v1/namespaces/sem-coll/configmaps?labelSelector=app%3Dweb");
  CHECK(r.code == 200);
  auto d = Doc(r);
  CHECK(json::GetString(d, {"kind"}) == "ConfigMapList");
  REQUIRE(d["items"].Size() == 2);
  CHECK(Contains(Ok({"get", "cm", "-n", "sem-coll", "-o", "name"}), "configmap/c"));
}

TEST_CASE("pods/ephemeralcontainers is discovered and served without a kubelet") {
  Ok({"create", "namespace", "sem-eph"});
  Ok({"run", "p", "--image=busybox", "-n", "sem-eph", "--restart=Never"});
  CHECK(Contains(Api("GET", "/api/v1").body, "pods/ephemeralcontainers"));
  const std::string path = "/api/v1/namespaces/sem-eph/pods/p/ephemeralcontainers";
  auto got = Api("GET", path);
  CHECK(got.code == 200);
  std::string patch =
      R"({"spec":{"ephemeralContainers":[{"name":"debug","image":"busybox","stdin":true}]}})";
  auto r = Api("PATCH", path, patch, {"Content-Type: application/strategic-merge-patch+json"});
  CHECK(r.code == 200);
  auto pod = Doc(Api("GET", "/api/v1/namespaces/sem-eph/pods/p"));
  const json::Value* eph = json::Find(pod, {"spec", "ephemeralContainers"});
  REQUIRE((eph && eph->IsArray() && eph->Size() == 1));
  CHECK(json::GetString((*eph)[0], {"name"}) == "debug");
  // Other fields are not changed through this subresource, and existing ones are frozen.
  auto change = Api("PATCH", path,
                    R"({"metadata":{"labels":{"x":"y"}},"spec":{"ephemeralContainers":[)"
                    R"({"name":"debug","image":"other"}]}})",
                    {"Content-Type: application/merge-patch+json"});
  CHECK(change.code == 422);
  CHECK(Contains(change.body, "may not be changed"));
}

}  // namespace cluster::e2e
