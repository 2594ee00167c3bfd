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

TEST_CASE("Accept negotiation picks the first type the server produces", "[media]") {
  CHECK_FALSE(NegotiateAccept("").protobuf);
  CHECK(NegotiateAccept("").json);
  AcceptedMedia kubectl = NegotiateAccept("application/vnd.kubernetes.protobuf,application/json");
  CHECK(kubectl.protobuf);
  CHECK(kubectl.json);
  AcceptedMedia only = NegotiateAccept("application/vnd.kubernetes.protobuf");
  CHECK(only.protobuf);
  CHECK_FALSE(only.json);
  CHECK_FALSE(NegotiateAccept("application/json, application/vnd.kubernetes.protobuf").protobuf);
  CHECK_FALSE(NegotiateAccept("application/json;as=Table;v=v1;g=meta.k8s.io").protobuf);
  CHECK_FALSE(
      NegotiateAccept("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io").protobuf);
  CHECK(NegotiateAccept(" application/vnd.kubernetes.protobuf;stream=watch ").protobuf);
  CHECK(NegotiateAccept("*/*").json);
  CHECK_FALSE(NegotiateAccept("text/html").json);
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
  CHECK(table.content_type == "application/json");
  // Nothing the server can produce: 406 before anything is done (the create is not stored).
  ApiResponse html =
      f.Do("POST", cms, "text/html", R"({"metadata":{"name":"never"},"data":{"a":"b"}})");
  CHECK(html.code == 406);
  CHECK(f.Do("GET", cms + "/never", "").code == 404);
  ApiResponse json_only = f.Do("GET", "/api/v1", "application/vnd.kubernetes.protobuf");
  CHECK(json_only.code == 200);  // discovery is not a resource request: JSON
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
