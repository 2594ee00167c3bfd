#include "api/object_util.h"

#include <catch2/catch.hpp>

#include "test_json.h"

using namespace cluster;
using namespace cluster::api;
using cluster::testing::Json;

TEST_CASE("pod requests count init containers and sidecars as upstream", "[object_util]") {
  auto pod = Json(R"({"spec":{
    "containers":[{"name":"a","resources":{"requests":{"cpu":"100m","memory":"64Mi"}}},
                  {"name":"b","resources":{"requests":{"cpu":"200m","nvidia.com/gpu":"1"}}}],
    "initContainers":[{"name":"big","resources":{"requests":{"cpu":"1","memory":"32Mi"}}},
                      {"name":"side","restartPolicy":"Always","resources":{"requests":{"cpu":"50m"}}},
                      {"name":"after","resources":{"requests":{"cpu":"500m"}}}],
    "overhead":{"cpu":"10m"}}})");
  auto r = PodRequests(pod);
  // containers 300m + sidecar 50m = 350m; init max(1000m, 500m+50m) = 1000m; + overhead 10m
  CHECK(r["cpu"].MilliValue() == 1010);
  CHECK(r["memory"].Value() == 64LL * 1024 * 1024);
  CHECK(r["nvidia.com/gpu"].Value() == 1);
  CHECK(PodRequests(Json(R"({"spec":{"containers":[{"name":"x"}]}})")).empty());
}

TEST_CASE("pod readiness, activity and owners", "[object_util]") {
  auto pod = Json(R"({"metadata":{"ownerReferences":[
      {"apiVersion":"v1","kind":"X","name":"x","uid":"1"},
      {"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs","uid":"2","controller":true}]},
    "status":{"phase":"Running","conditions":[
      {"type":"Ready","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z"}]}})");
  CHECK(IsPodReady(pod));
  CHECK(IsPodActive(pod));
  CHECK(IsPodAvailable(pod, 0, 0));
  CHECK(IsPodAvailable(pod, 10, 1767225610));
  CHECK_FALSE(IsPodAvailable(pod, 10, 1767225609));
  auto c = ControllerOf(pod);
  REQUIRE(c);
  CHECK(c->kind == "ReplicaSet");
  CHECK(c->uid == "2");
  CHECK(OwnerRefs(pod).size() == 2);
  CHECK_FALSE(IsPodActive(Json(R"({"status":{"phase":"Succeeded"}})")));
  CHECK_FALSE(IsPodActive(Json(R"({"metadata":{"deletionTimestamp":"2026-01-01T00:00:00Z"}})")));
  json::Document owner = Json(R"({"metadata":{"name":"web","uid":"u1"}})");
  json::Document d;
  auto ref = NewControllerRef(owner, "apps/v1", "ReplicaSet", d.GetAllocator());
  CHECK(
      json::Serialize(ref) ==
      R"({"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web","uid":"u1","controller":true,"blockOwnerDeletion":true})");
}
