#include "api/kinds_more.h"

#include <catch2/catch.hpp>

#include "test_json.h"

namespace cluster::api {
namespace {

using testing::Json;

TEST_CASE("HPA v2 -> v1 -> v2 keeps every metric, the behavior and the conditions", "[hpa]") {
  const char* v2 =
      R"({"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler",)"
      R"("metadata":{"name":"h","annotations":{"team":"a"}},)"
      R"("spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"minReplicas":2,)"
      R"("maxReplicas":9,"metrics":[)"
      R"({"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":70}}},)"
      R"({"type":"Pods","pods":{"metric":{"name":"qps"},"target":{"type":"AverageValue","averageValue":"10"}}}],)"
      R"("behavior":{"scaleDown":{"stabilizationWindowSeconds":60}}},)"
      R"("status":{"currentReplicas":3,"desiredReplicas":3,"currentMetrics":[)"
      R"({"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":40}}}],)"
      R"("conditions":[{"type":"AbleToScale","status":"True"}]}})";
  json::Document d = Json(v2);
  HpaV2ToV1(d);
  CHECK(json::GetString(d, {"apiVersion"}) == "autoscaling/v1");
  CHECK(json::GetInt(d, {"spec", "targetCPUUtilizationPercentage"}) == 70);
  CHECK(json::GetInt(d, {"status", "currentCPUUtilizationPercentage"}) == 40);
  CHECK(json::Find(d, {"spec", "metrics"}) == nullptr);
  CHECK(json::Find(d, {"spec", "behavior"}) == nullptr);
  CHECK(json::Find(d, {"status", "conditions"}) == nullptr);
  CHECK_FALSE(
      json::GetString(d, {"metadata", "annotations", "autoscaling.alpha.kubernetes.io/metrics"})
          .empty());
  HpaV1ToV2(d);
  json::Document want = Json(v2);
  CHECK(d["spec"] == want["spec"]);
  CHECK(d["status"] == want["status"]);
  CHECK(d["metadata"] == want["metadata"]);
}

TEST_CASE("HPA v1 without a CPU target converts to the default 80% CPU metric", "[hpa]") {
  json::Document d = Json(R"({"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler",)"
                          R"("metadata":{"name":"h"},"spec":{"maxReplicas":3}})");
  HpaV1ToV2(d);
  CHECK(json::Serialize(d["spec"]["metrics"]) ==
        R"([{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization",)"
        R"("averageUtilization":80}}}])");
  CHECK(json::Find(d, {"status", "currentMetrics"}) == nullptr);
}

}  // namespace
}  // namespace cluster::api
