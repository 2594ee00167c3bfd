#include "api/managed_fields.h"

#include <catch2/catch.hpp>

#include "api/protobuf.h"
#include "test_json.h"

using namespace cluster;
using namespace cluster::api;

namespace {

using cluster::testing::Json;

const schema::Type* Deployment() {
  const schema::Type* t = schema::Schema::Get().FindKind("apps", "v1", "Deployment");
  REQUIRE(t != nullptr);
  return t;
}

FieldSet SetOf(std::string_view obj) {
  json::Document d = Json(obj);
  FieldSet s = FieldSetOf(d, Deployment());
  StripSystemFields(&s, true);
  return s;
}

FieldSet Parse(std::string_view fields) {
  json::Document d = Json(fields);
  auto s = FieldSetFromJson(d);
  REQUIRE(s.ok());
  return std::move(s).value();
}

std::string Deploy(const std::string& spec, const std::string& labels = "{\"app\":\"a\"}") {
  return R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"n",)"
         R"("uid":"u","labels":)" +
         labels + R"(},"spec":)" + spec + R"(,"status":{"replicas":1}})";
}

const char kSpec[] =
    R"({"replicas":2,"template":{"spec":{"containers":[{"name":"c","image":"nginx",)"
    R"("ports":[{"containerPort":80}]}]}}})";

}  // namespace

TEST_CASE("field set of a Deployment keys containers by name and ports by port and protocol") {
  FieldSet s = SetOf(Deploy(kSpec));
  CHECK(FieldSetToString(s) ==
        R"({"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:template":)"
        R"({"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{},"f:name":{},)"
        R"("f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},)"
        R"("f:containerPort":{}}}}}}}}})");
  // fieldsV1 text round-trips.
  CHECK(Parse(FieldSetToString(s)) == s);
  CHECK(MemberPaths(s) == std::vector<std::string>{
                              ".metadata.labels.app",
                              ".spec.replicas",
                              ".spec.template.spec.containers[name=\"c\"]",
                              ".spec.template.spec.containers[name=\"c\"].image",
                              ".spec.template.spec.containers[name=\"c\"].name",
                              ".spec.template.spec.containers[name=\"c\"].ports[containerPort=80,"
                              "protocol=\"TCP\"]",
                              ".spec.template.spec.containers[name=\"c\"].ports[containerPort=80,"
                              "protocol=\"TCP\"].containerPort",
                          });
}

TEST_CASE("set lists are tracked by value, atomic lists and empty structs as one leaf") {
  json::Document d =
      Json(R"({"metadata":{"finalizers":["x"]},"spec":{"template":{"spec":{"containers":)"
           R"([{"name":"c","command":["a","b"],"resources":{}}]}}}})");
  FieldSet s = FieldSetOf(d, Deployment());
  CHECK(FieldSetToString(s) ==
        R"({"f:metadata":{"f:finalizers":{"v:\"x\"":{}}},"f:spec":{"f:template":{"f:spec":)"
        R"({"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:command":{},"f:name":{},)"
        R"("f:resources":{}}}}}}})");
}

TEST_CASE("union, difference and intersection work per path") {
  FieldSet a = Parse(R"({"f:spec":{"f:replicas":{},"f:paused":{}}})");
  FieldSet b = Parse(R"({"f:spec":{"f:replicas":{}},"f:metadata":{"f:labels":{"f:x":{}}}})");
  CHECK(FieldSetToString(Union(a, b)) ==
        R"({"f:metadata":{"f:labels":{"f:x":{}}},"f:spec":{"f:paused":{},"f:replicas":{}}})");
  CHECK(FieldSetToString(Difference(a, b)) == R"({"f:spec":{"f:paused":{}}})");
  CHECK(FieldSetToString(Intersection(a, b)) == R"({"f:spec":{"f:replicas":{}}})");
  CHECK(Difference(a, a).empty());
}

TEST_CASE("merging an applied config sets fields and merges list items by key") {
  json::Document live =
      Json(Deploy(R"({"replicas":1,"paused":true,"template":{"spec":{"containers":[{"name":"c",)"
                  R"("image":"old","imagePullPolicy":"Always"}]}}})"));
  json::Document config =
      Json(R"({"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"c","image":"new"},)"
           R"({"name":"d","image":"side"}]}}}})");
  MergeInto(live, config, Deployment(), live.GetAllocator());
  CHECK(json::GetInt(live, {"spec", "replicas"}) == 3);
  CHECK(json::GetBool(live, {"spec", "paused"}));  // not applied: kept
  const json::Value& cs = live["spec"]["template"]["spec"]["containers"];
  REQUIRE(cs.Size() == 2);
  CHECK(json::GetString(cs[0], {"image"}) == "new");
  CHECK(json::GetString(cs[0], {"imagePullPolicy"}) == "Always");
  CHECK(json::GetString(cs[1], {"name"}) == "d");
}

TEST_CASE("fields a manager stops applying are removed unless another manager owns them") {
  FieldSet last = SetOf(Deploy(kSpec, R"({"app":"a","tier":"web"})"));
  FieldSet now = SetOf(Deploy(R"({"template":{"spec":{"containers":[{"name":"c"}]}}})"));
  json::Document obj = Json(Deploy(kSpec, R"({"app":"a","tier":"web"})"));

  SECTION("nobody else owns them") {
    Prune(obj, last, now, Deployment());
    CHECK(json::Find(obj, {"metadata", "labels", "tier"}) == nullptr);
    CHECK(json::Find(obj, {"spec", "replicas"}) == nullptr);
    const json::Value& c = obj["spec"]["template"]["spec"]["containers"][0];
    CHECK(json::Find(c, {"image"}) == nullptr);
    CHECK(json::Find(c, {"ports"}) == nullptr);
    CHECK(json::GetString(c, {"name"}) == "c");
    CHECK(json::GetString(obj, {"metadata", "labels", "app"}) == "a");  // still applied
  }
  SECTION("another manager owns one") {
    FieldSet other = Parse(R"({"f:spec":{"f:replicas":{}}})");
    Prune(obj, last, Union(now, other), Deployment());
    CHECK(json::GetInt(obj, {"spec", "replicas"}) == 2);
    CHECK(json::Find(obj, {"metadata", "labels", "tier"}) == nullptr);
  }
}

TEST_CASE("compare finds changed leaves and removed items; conflicts are owned changes") {
  json::Document before = Json(Deploy(kSpec));
  json::Document after = Json(Deploy(
      R"({"replicas":5,"template":{"spec":{"containers":[{"name":"c","image":"nginx"}]}}})"));
  FieldSet changed, removed;
  Compare(before, after, Deployment(), &changed, &removed);
  StripSystemFields(&changed, true);
  CHECK(FieldSetToString(changed) == R"({"f:spec":{"f:replicas":{}}})");
  CHECK(MemberPaths(removed).size() == 2);  // the port item and its containerPort
  FieldSet owner = SetOf(Deploy(kSpec));
  CHECK(MemberPaths(Intersection(owner, changed)) == std::vector<std::string>{".spec.replicas"});
}

TEST_CASE("updates move ownership of what they change to their manager") {
  json::Document obj = Json(Deploy(kSpec));
  RecordUpdate(nullptr, obj, Deployment(), "creator", "apps/v1", "", true, "T1");
  auto entries = ReadManagedFields(obj);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].operation == "Update");
  CHECK(MemberPaths(entries[0].fields).size() == 7);

  json::Document next;
  next.CopyFrom(obj, next.GetAllocator());
  next["spec"]["replicas"].SetInt(4);
  json::Remove(next["metadata"], "managedFields");  // not sent: inherited from the old object
  RecordUpdate(&obj, next, Deployment(), "scaler", "apps/v1", "", true, "T2");
  entries = ReadManagedFields(next);
  REQUIRE(entries.size() == 2);
  CHECK(entries[1].manager == "scaler");
  CHECK(FieldSetToString(entries[1].fields) == R"({"f:spec":{"f:replicas":{}}})");
  CHECK(MemberPaths(entries[0].fields).size() == 6);

  // A write that changes nothing leaves managedFields alone.
  json::Document same;
  same.CopyFrom(next, same.GetAllocator());
  RecordUpdate(&next, same, Deployment(), "other", "apps/v1", "", true, "T3");
  CHECK(ReadManagedFields(same).size() == 2);
}

TEST_CASE("managedFields survive the protobuf codec") {
  json::Document obj = Json(Deploy(kSpec));
  RecordUpdate(nullptr, obj, Deployment(), "m", "apps/v1", "", true, "2026-01-01T00:00:00Z");
  auto pb = EncodeProtobufObject(obj);
  REQUIRE(pb.ok());
  auto back = DecodeProtobufObject(*pb);
  REQUIRE(back.ok());
  auto entries = ReadManagedFields(*back);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].fields == ReadManagedFields(obj)[0].fields);
  CHECK(entries[0].time == "2026-01-01T00:00:00Z");
  CHECK(entries[0].operation == "Update");
}
