// Response media types: Accept negotiation, protobuf answers (objects, lists, Status) and
// protobuf watch frames, over an ApiServer on a real SQLite store in a temp dir.
#include "server/apiserver/media.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "api/protobuf.h"
#include "api/protobuf_wire.h"
#include "server/apiserver/apiserver.h"
#include "store/store.h"
#include "test_json.h"

namespace cluster::server {
namespace {

using namespace std::chrono_literals;

MediaOffer ReadOffer(bool list) {
  MediaOffer o;
  o.table = true;
  o.partial_metadata = true;
  o.partial_metadata_list = list;
  return o;
}

MediaChoice Pick(std::string_view accept, const MediaOffer& offer = ReadOffer(false)) {
  auto m = NegotiateMedia(accept, offer);
  INFO(accept);
  REQUIRE(m.ok());
  return *m;
}

TEST_CASE("Accept negotiation picks the first clause the endpoint can produce", "[media]") {
  CHECK(Pick("").format == MediaFormat::kJson);
  CHECK(Pick("").ContentType() == "application/json");
  MediaChoice kubectl = Pick("application/vnd.kubernetes.protobuf,application/json");
  CHECK(kubectl.format == MediaFormat::kProtobuf);
  CHECK(kubectl.json_fallback);
  MediaChoice only = Pick("application/vnd.kubernetes.protobuf");
  CHECK(only.format == MediaFormat::kProtobuf);
  CHECK_FALSE(only.json_fallback);
  CHECK(Pick("application/json, application/vnd.kubernetes.protobuf").format == MediaFormat::kJson);
  CHECK(Pick(" application/vnd.kubernetes.protobuf;stream=watch ").format ==
        MediaFormat::kProtobuf);
  CHECK(Pick("*/*").format == MediaFormat::kJson);
  CHECK(Pick("application/*").format == MediaFormat::kJson);
  CHECK(Pick("application/yaml").ContentType() == "application/yaml");
  CHECK(NegotiateMedia("text/html", ReadOffer(false)).status().code() == Code::kNotAcceptable);
  CHECK(NegotiateMedia("application/json;stream=chunks", ReadOffer(false)).status().code() ==
        Code::kNotAcceptable);
}

TEST_CASE("q values order the clauses; equal ones keep the client's order", "[media]") {
  CHECK(Pick("application/json;q=0.5,application/vnd.kubernetes.protobuf").format ==
        MediaFormat::kProtobuf);
  CHECK(Pick("application/vnd.kubernetes.protobuf;q=0.9,application/json;q=0.9").format ==
        MediaFormat::kProtobuf);
  CHECK(Pick("*/*;q=1,application/vnd.kubernetes.protobuf").format == MediaFormat::kProtobuf);
  CHECK(NegotiateMedia("application/json;q=0", ReadOffer(false)).status().code() ==
        Code::kNotAcceptable);
}

TEST_CASE("as/g/v conversions: Tables and PartialObjectMetadata in v1 and v1beta1", "[media]") {
  MediaChoice t = Pick("application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
  CHECK(t.target == MediaTarget::kTable);
  CHECK(t.ContentType() == "application/json;as=Table;v=v1;g=meta.k8s.io");
  MediaChoice b = Pick("application/json;as=Table;v=v1beta1;g=meta.k8s.io");
  CHECK(b.ContentType() == "application/json;as=Table;v=v1beta1;g=meta.k8s.io");
  // No protobuf Tables: the JSON clause after it wins.
  CHECK(Pick("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,"
             "application/json;as=Table;v=v1;g=meta.k8s.io")
            .target == MediaTarget::kTable);
  // A conversion with a missing or unknown part is not acceptable.
  CHECK(Pick("application/json;as=Table;g=meta.k8s.io,application/json").target ==
        MediaTarget::kPlain);
  CHECK(Pick("application/json;as=Table;v=v2;g=meta.k8s.io,application/json").target ==
        MediaTarget::kPlain);
  // Lists convert to PartialObjectMetadataList, single objects to PartialObjectMetadata.
  MediaChoice pl =
      Pick("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io", ReadOffer(true));
  CHECK(pl.target == MediaTarget::kPartialMetadata);
  CHECK(pl.ContentType(true) == "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io");
  CHECK(NegotiateMedia("application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io",
                       ReadOffer(true))
            .status()
            .code() == Code::kNotAcceptable);
  MediaOffer write;  // writes: plain objects only
  CHECK(NegotiateMedia("application/json;as=Table;v=v1;g=meta.k8s.io", write).status().code() ==
        Code::kNotAcceptable);
}

TEST_CASE("aggregated discovery in v2 and v2beta1, plain discovery otherwise", "[media]") {
  MediaOffer root;
  root.protobuf = false;
  root.aggregated_discovery = true;
  const std::string v2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
  const std::string v2beta1 =
      "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";
  CHECK(Pick(v2beta1 + ",application/json", root).ContentType() == v2beta1);  // kubectl 1.27-1.29
  CHECK(Pick(v2 + "," + v2beta1 + ",application/json", root).ContentType() == v2);
  CHECK(Pick(v2beta1 + "," + v2, root).ContentType() == v2beta1);
  CHECK(Pick("application/json", root).target == MediaTarget::kPlain);
  CHECK(Pick("*/*", root).target == MediaTarget::kPlain);
  CHECK(Pick("application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,"
             "application/json",
             root)
            .target == MediaTarget::kPlain);
  CHECK(NegotiateMedia("application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList", root)
            .status()
            .code() == Code::kNotAcceptable);
}

struct Fixture {
  std::string dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<ApiServer> api;
  Fixture() {
    dir = (std::filesystem::temp_directory_path() /
           ("media-unit-" + std::to_string(std::random_device{}())))
              .string();
    std::filesystem::create_directories(dir);
    auto opened = store::OpenStore("sqlite://" + dir + "/state.db");
    REQUIRE(opened.ok());
    store = std::move(opened).value();
    api = std::make_unique<ApiServer>(store.get(), ApiServerOptions{});
    REQUIRE(api->Bootstrap().ok());
  }
  ~Fixture() {
    api->CancelWatches();
    api.reset();
    store->Close();
    std::filesystem::remove_all(dir);
  }
  ApiResponse Do(const std::string& method, const std::string& path, const std::string& accept,
                 const std::string& body = "", std::map<std::string, std::string> query = {}) {
    ApiRequest req;
    req.method = method;
    req.path = path;
    req.accept = accept;
    req.body = body;
    req.query = std::move(query);
    req.content_type = "application/json";
    req.user.name = "admin";
    req.user.groups = {"system:masters", "system:authenticated"};
    req.authenticated = true;
    return api->Handle(req);
  }
};

const char kPb[] = "application/vnd.kubernetes.protobuf,application/json";

json::Document DecodePb(const std::string& body) {
  auto doc = api::DecodeProtobufObject(body);
  INFO(doc.status().ToString());
  REQUIRE(doc.ok());
  return std::move(doc).value();
}

TEST_CASE("objects, lists and errors are answered in protobuf when preferred", "[media]") {
  Fixture f;
  const std::string cms = "/api/v1/namespaces/default/configmaps";
  ApiResponse created = f.Do("POST", cms, kPb,
                             R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},)"
                             R"("data":{"a":"b"}})");
  REQUIRE(created.code == 201);
  CHECK(created.content_type == "application/vnd.kubernetes.protobuf");
  json::Document obj = DecodePb(created.body);
  CHECK(json::GetString(obj, {"data", "a"}) == "b");
  CHECK(json::GetString(obj, {"metadata", "uid"}).size() == 36);

  // The same object as JSON: identical once decoded.
  ApiResponse as_json = f.Do("GET", cms + "/c", "application/json");
  CHECK(as_json.content_type == "application/json");
  json::Document from_json = testing::Json(as_json.body);
  CHECK(from_json == obj);

  ApiResponse list = f.Do("GET", cms, kPb);
  REQUIRE(list.code == 200);
  json::Document l = DecodePb(list.body);
  CHECK(json::GetString(l, {"kind"}) == "ConfigMapList");
  REQUIRE(l["items"].Size() == 1);
  CHECK(json::GetString(l["items"][0], {"metadata", "name"}) == "c");

  // Paging: ListMeta carries the continue token and the remaining count.
  REQUIRE(f.Do("POST", cms, "", R"({"metadata":{"name":"d"}})").code == 201);
  ApiResponse page = f.Do("GET", cms, kPb, "", {{"limit", "1"}});
  REQUIRE(page.code == 200);
  json::Document p = DecodePb(page.body);
  CHECK(p["items"].Size() == 1);
  CHECK_FALSE(json::GetString(p, {"metadata", "continue"}).empty());
  CHECK(json::GetInt(p, {"metadata", "remainingItemCount"}) == 1);
  CHECK(json::GetString(p, {"metadata", "resourceVersion"}) ==
        json::GetString(testing::Json(f.Do("GET", cms, "", "", {{"limit", "1"}}).body),
                        {"metadata", "resourceVersion"}));

  ApiResponse missing = f.Do("GET", cms + "/nope", kPb);
  CHECK(missing.code == 404);
  REQUIRE(missing.content_type == "application/vnd.kubernetes.protobuf");
  json::Document st = DecodePb(missing.body);
  CHECK(json::GetString(st, {"kind"}) == "Status");
  CHECK(json::GetString(st, {"reason"}) == "NotFound");
  CHECK(json::GetInt(st, {"code"}) == 404);

  // Tables have no protobuf form: JSON when JSON is acceptable, 406 when it is not.
  ApiResponse table =
      f.Do("GET", cms, "application/json;as=Table;v=v1;g=meta.k8s.io," + std::string(kPb));
  CHECK(table.code == 200);
  CHECK(table.content_type == "application/json;as=Table;v=v1;g=meta.k8s.io");
  // Nothing the server can produce: 406 before anything is done (the create is not stored).
  ApiResponse html =
      f.Do("POST", cms, "text/html", R"({"metadata":{"name":"never"},"data":{"a":"b"}})");
  CHECK(html.code == 406);
  CHECK(f.Do("GET", cms + "/never", "").code == 404);
  // Discovery documents have no protobuf form here: 406 rather than JSON under a protobuf type.
  ApiResponse pb_only = f.Do("GET", "/api/v1", "application/vnd.kubernetes.protobuf");
  CHECK(pb_only.code == 406);
  CHECK(f.Do("GET", "/api/v1", "application/vnd.kubernetes.protobuf,application/json").code == 200);
}

// Splits a protobuf watch stream into (type, decoded object) events.
std::vector<std::pair<std::string, json::Document>> Frames(std::string bytes) {
  std::vector<std::pair<std::string, json::Document>> out;
  while (!bytes.empty()) {
    REQUIRE(bytes.size() >= 4);
    uint32_t n = (static_cast<uint8_t>(bytes[0]) << 24) | (static_cast<uint8_t>(bytes[1]) << 16) |
                 (static_cast<uint8_t>(bytes[2]) << 8) | static_cast<uint8_t>(bytes[3]);
    REQUIRE(bytes.size() >= 4 + n);
    api::wire::Reader r(std::string_view(bytes).substr(4, n));
    std::string type;
    std::string raw;
    while (!r.done()) {
      int num = 0, wt = 0;
      REQUIRE(r.ReadTag(&num, &wt).ok());
      REQUIRE(wt == 2);
      std::string_view v;
      REQUIRE(r.ReadLengthDelimited(&v).ok());
      if (num == 1) type = std::string(v);
      if (num == 2) {
        api::wire::Reader ext(v);  // RawExtension{1: raw}
        int en = 0, ewt = 0;
        REQUIRE(ext.ReadTag(&en, &ewt).ok());
        REQUIRE(en == 1);
        std::string_view inner;
        REQUIRE(ext.ReadLengthDelimited(&inner).ok());
        raw = std::string(inner);
      }
    }
    out.emplace_back(type, DecodePb(raw));
    bytes.erase(0, 4 + n);
  }
  return out;
}

TEST_CASE("watches stream length-prefixed protobuf WatchEvents when preferred", "[media]") {
  Fixture f;
  const std::string cms = "/api/v1/namespaces/default/configmaps";
  REQUIRE(f.Do("POST", cms, "", R"({"metadata":{"name":"a"},"data":{"k":"1"}})").code == 201);
  ApiResponse w = f.Do("GET", cms, "application/vnd.kubernetes.protobuf;stream=watch", "",
                       {{"watch", "true"},
                        {"resourceVersion", "0"},
                        {"allowWatchBookmarks", "true"},
                        {"sendInitialEvents", "true"},
                        {"resourceVersionMatch", "NotOlderThan"}});
  REQUIRE(w.stream);
  CHECK(w.content_type == "application/vnd.kubernetes.protobuf;stream=watch");
  REQUIRE(f.Do("PUT", cms + "/a", "", R"({"metadata":{"name":"a"},"data":{"k":"2"}})").code == 200);
  REQUIRE(f.Do("DELETE", cms + "/a", "").code == 200);
  std::string bytes;
  std::vector<std::pair<std::string, json::Document>> events;
  for (int i = 0; i < 50 && events.size() < 4; ++i) {
    std::string chunk;
    if (!w.stream->Next(&chunk, 100ms)) break;
    bytes += chunk;
    events = Frames(bytes);
  }
  w.stream->Cancel();
  REQUIRE(events.size() == 4);
  CHECK(events[0].first == "ADDED");
  CHECK(json::GetString(events[0].second, {"data", "k"}) == "1");
  CHECK(events[1].first == "BOOKMARK");
  CHECK(json::GetString(events[1].second,
                        {"metadata", "annotations", "k8s.io/initial-events-end"}) == "true");
  CHECK(events[2].first == "MODIFIED");
  CHECK(json::GetString(events[2].second, {"data", "k"}) == "2");
  CHECK(events[3].first == "DELETED");
  CHECK(json::GetString(events[3].second, {"kind"}) == "ConfigMap");
}

}  // namespace
}  // namespace cluster::server
