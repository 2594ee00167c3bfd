// The etcd API handlers over a real SQLite store in a temp dir (no listener).
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "common/base64.h"
#include "server/etcd_api/handlers.h"
#include "server/etcd_api/watch.h"

namespace cluster::server::etcd {
namespace {

struct TempStore {
  std::string dir;
  std::unique_ptr<store::Store> s;
  TempStore() {
    dir = (std::filesystem::temp_directory_path() /
           ("etcd-api-unit-" + std::to_string(std::random_device{}())))
              .string();
    std::filesystem::create_directories(dir);
    auto opened = store::OpenStore("sqlite://" + dir + "/state.db");
    REQUIRE(opened.ok());
    s = std::move(opened).value();
  }
  ~TempStore() {
    s->Close();
    std::filesystem::remove_all(dir);
  }
};

rapidjson::Document Json(const Reply& r) {
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  INFO(r.body);
  REQUIRE(!d.HasParseError());
  return d;
}

std::string B(const std::string& s) { return Base64Encode(s); }

}  // namespace

TEST_CASE("put and range: etcd's field names, int64 strings, zero values left out") {
  TempStore t;
  Reply r = HandlePut(t.s.get(), R"({"key":")" + B("k") + R"(","value":")" + B("v") + R"("})");
  REQUIRE(r.http_status == 200);
  auto d = Json(r);
  CHECK(d["header"]["revision"].GetString() == std::string("1"));
  CHECK(d["header"]["raft_term"].IsString());
  CHECK(!d.HasMember("prev_kv"));

  r = HandleRange(t.s.get(), R"({"key":")" + B("k") + R"(","limit":5})");  // number accepted
  d = Json(r);
  auto& kv = d["kvs"][0];
  CHECK(kv["key"].GetString() == B("k"));
  CHECK(kv["value"].GetString() == B("v"));
  CHECK(kv["version"].GetString() == std::string("1"));
  CHECK(!kv.HasMember("lease"));
  CHECK(d["count"].GetString() == std::string("1"));
  CHECK(!d.HasMember("more"));
}

TEST_CASE("bad requests are refused with gRPC InvalidArgument and change nothing") {
  TempStore t;
  for (const char* body :
       {R"({"key":"YQ==")", R"({"key":"YQ"})", R"({"key":1})", R"([])",
        R"({"key":"YQ==","lease":"1.5"})", R"({"key":"YQ==","prev_kv":"true"})", R"({})", ""}) {
    Reply r = HandlePut(t.s.get(), body);
    INFO(body << " → " << r.body);
    CHECK(r.http_status == 400);
    CHECK(Json(r)["code"].GetInt() == 3);
  }
  CHECK(t.s->CurrentRevision() == 0);
  // Unknown fields and nulls are ignored, as the gateway does.
  CHECK(HandlePut(t.s.get(), R"({"key":"YQ==","zzz":[1],"lease":null})").http_status == 200);
}

TEST_CASE("range errors: future and compacted revisions") {
  TempStore t;
  for (int i = 0; i < 3; ++i) HandlePut(t.s.get(), R"({"key":"YQ==","value":"Yg=="})");
  Reply r = HandleRange(t.s.get(), R"({"key":"YQ==","revision":"9"})");
  CHECK(r.http_status == 400);
  CHECK(Json(r)["message"].GetString() == std::string(kErrFutureRev));
  REQUIRE(HandleCompaction(t.s.get(), R"({"revision":"2"})").http_status == 200);
  r = HandleRange(t.s.get(), R"({"key":"YQ==","revision":"1"})");
  CHECK(Json(r)["code"].GetInt() == 11);
  CHECK(Json(r)["message"].GetString() == std::string(kErrCompacted));
  CHECK(Json(HandleCompaction(t.s.get(), R"({"revision":"2"})"))["code"].GetInt() == 11);
}

TEST_CASE("range sort and revision filters are applied after the read") {
  TempStore t;
  HandlePut(t.s.get(), R"({"key":")" + B("a") + R"(","value":")" + B("3") + R"("})");
  HandlePut(t.s.get(), R"({"key":")" + B("b") + R"(","value":")" + B("1") + R"("})");
  HandlePut(t.s.get(), R"({"key":")" + B("c") + R"(","value":")" + B("2") + R"("})");
  auto d = Json(HandleRange(t.s.get(), R"({"key":")" + B("a") + R"(","range_end":")" + B("z") +
                                           R"(","sort_order":"DESCEND","limit":"2"})"));
  REQUIRE(d["kvs"].Size() == 2);
  CHECK(d["kvs"][0]["key"].GetString() == B("c"));
  CHECK(d["more"].GetBool());
  d = Json(HandleRange(t.s.get(), R"({"key":")" + B("a") + R"(","range_end":")" + B("z") +
                                      R"(","sort_target":"VALUE","min_mod_revision":"2"})"));
  REQUIRE(d["kvs"].Size() == 2);
  CHECK(d["kvs"][0]["key"].GetString() == B("b"));
}

TEST_CASE("txn: nested ops, enum numbers, response shape") {
  TempStore t;
  std::string txn =
      R"({"compare":[{"key":")" + B("x") +
      R"(","target":1,"result":0,"create_revision":"0"}],"success":[{"request_put":{"key":")" +
      B("x") + R"(","value":")" + B("1") +
      R"("}},{"request_txn":{"success":[{"request_range":{"key":")" + B("x") + R"("}}]}}]})";
  auto d = Json(HandleTxn(t.s.get(), txn));
  CHECK(d["succeeded"].GetBool());
  CHECK(d["responses"][0]["response_put"]["header"]["revision"].GetString() == std::string("1"));
  auto& nested = d["responses"][1]["response_txn"];
  CHECK(nested["header"].ObjectEmpty());
  CHECK(nested["responses"][0]["response_range"]["kvs"][0]["value"].GetString() == B("1"));
  // Second time the compare fails: no branch ops, no "succeeded".
  d = Json(HandleTxn(t.s.get(), txn));
  CHECK(!d.HasMember("succeeded"));
  CHECK(HandleTxn(t.s.get(), R"({"success":[{}]})").http_status == 400);
  CHECK(HandleTxn(t.s.get(), R"({"compare":[{"target":"NOPE"}]})").http_status == 400);
}

TEST_CASE("leases: grant, keepalive stream, unknown lease") {
  TempStore t;
  auto d = Json(HandleLeaseGrant(t.s.get(), R"({"TTL":30,"ID":"77"})"));
  CHECK(d["ID"].GetString() == std::string("77"));
  Reply r = HandleLeaseKeepAlive(t.s.get(), R"({"ID":"77"} {"ID":"77"})");
  CHECK(r.http_status == 200);
  CHECK(std::count(r.body.begin(), r.body.end(), '\n') == 2);
  r = HandleLeaseRevoke(t.s.get(), R"({"ID":"78"})");
  CHECK(r.http_status == 404);
  CHECK(Json(r)["code"].GetInt() == 5);
  d = Json(HandleLeaseTimeToLive(t.s.get(), R"({"ID":"78"})"));
  CHECK(d["TTL"].GetString() == std::string("-1"));
  CHECK(HandleLeaseGrant(t.s.get(), R"({"TTL":30,"ID":"77"})").http_status == 412);
}

TEST_CASE("watch create request parsing") {
  auto c = ParseWatchCreate(R"({"create_request":{"key":")" + B("k") +
                            R"(","start_revision":"5","filters":["NOPUT",1],"prev_kv":true}})");
  REQUIRE(c.ok());
  CHECK(c->req.key == "k");
  CHECK(c->req.start_revision == 5);
  CHECK(c->no_put);
  CHECK(c->no_delete);
  CHECK(c->req.prev_kv);
  CHECK(!ParseWatchCreate("{}").ok());
  CHECK(!ParseWatchCreate(R"({"create_request":{"key":"!"}})").ok());
  CHECK(!ParseWatchCreate(R"({"create_request":{"key":"YQ==","filters":[7]}})").ok());
  CHECK(!ParseWatchCreate(std::string(100000, '[')).ok());
}

}  // namespace cluster::server::etcd
