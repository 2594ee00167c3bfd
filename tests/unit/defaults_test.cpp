// Defaulting as kube-apiserver 1.32 does it: what `kubectl get -o yaml` shows after a create.
#include "api/defaults.h"

#include <catch2/catch.hpp>

#include "test_json.h"

using namespace cluster;
using namespace cluster::api;

namespace {

using cluster::testing::Json;

std::string PullPolicy(const std::string& image) {
  json::Document pod = Json(R"({"spec":{"containers":[{"name":"c","image":")" + image + "\"}]}}");
  DefaultPod(pod, DefaultingContext{});
  return json::GetString(pod["spec"]["containers"][0], {"imagePullPolicy"});
}

size_t CountTolerations(const json::Value& spec, const std::string& key) {
  size_t n = 0;
  for (auto& t : spec["tolerations"].GetArray())
    if (json::GetString(t, {"key"}) == key) ++n;
  return n;
}

}  // namespace

TEST_CASE("imagePullPolicy follows the image tag", "[defaults]") {
  CHECK(PullPolicy("nginx") == "Always");
  CHECK(PullPolicy("nginx:latest") == "Always");
  CHECK(PullPolicy("docker.io/library/nginx") == "Always");
  CHECK(PullPolicy("localhost:5000/busybox") == "Always");  // a registry port is not a tag
  CHECK(PullPolicy("localhost:5000/busybox:latest") == "Always");
  CHECK(PullPolicy("nginx:1.27") == "IfNotPresent");
  CHECK(PullPolicy("localhost:5000/busybox:v1") == "IfNotPresent");
  CHECK(
      PullPolicy("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") ==
      "IfNotPresent");
  CHECK(
      PullPolicy(
          "nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") ==
      "Always");

  // An explicit policy is kept.
  json::Document pod =
      Json(R"({"spec":{"containers":[{"name":"c","image":"nginx","imagePullPolicy":"Never"}]}})");
  DefaultPod(pod, DefaultingContext{});
  CHECK(json::GetString(pod["spec"]["containers"][0], {"imagePullPolicy"}) == "Never");
}

TEST_CASE("pod defaults", "[defaults]") {
  json::Document pod = Json(R"({"metadata":{"name":"p"},"spec":{
      "containers":[{"name":"c","image":"busybox:1.36",
        "ports":[{"containerPort":80}],
        "resources":{"limits":{"cpu":"1","memory":"64Mi"}},
        "livenessProbe":{"httpGet":{"port":80}}}],
      "initContainers":[{"name":"i","image":"busybox"}],
      "volumes":[{"name":"a"},{"name":"cm","configMap":{"name":"x"}}]}})");
  DefaultPod(pod, DefaultingContext{});
  const json::Value& spec = pod["spec"];
  CHECK(json::GetString(spec, {"restartPolicy"}) == "Always");
  CHECK(json::GetString(spec, {"dnsPolicy"}) == "ClusterFirst");
  CHECK(json::GetString(spec, {"schedulerName"}) == "default-scheduler");
  CHECK(json::GetInt(spec, {"terminationGracePeriodSeconds"}) == 30);
  CHECK(json::GetString(spec, {"serviceAccountName"}) == "default");
  CHECK(json::GetString(spec, {"serviceAccount"}) == "default");
  CHECK(json::GetBool(spec, {"enableServiceLinks"}) == true);
  CHECK(json::GetInt(spec, {"priority"}, -1) == 0);
  CHECK(json::GetString(spec, {"preemptionPolicy"}) == "PreemptLowerPriority");
  REQUIRE(json::Find(spec, {"securityContext"}) != nullptr);

  const json::Value& c = spec["containers"][0];
  CHECK(json::GetString(c, {"imagePullPolicy"}) == "IfNotPresent");
  CHECK(json::GetString(c, {"terminationMessagePath"}) == "/dev/termination-log");
  CHECK(json::GetString(c, {"terminationMessagePolicy"}) == "File");
  CHECK(json::GetString(c["ports"][0], {"protocol"}) == "TCP");
  // Requests default to limits.
  CHECK(json::GetString(c, {"resources", "requests", "cpu"}) == "1");
  CHECK(json::GetString(c, {"resources", "requests", "memory"}) == "64Mi");
  const json::Value& probe = c["livenessProbe"];
  CHECK(json::GetInt(probe, {"timeoutSeconds"}) == 1);
  CHECK(json::GetInt(probe, {"periodSeconds"}) == 10);
  CHECK(json::GetInt(probe, {"successThreshold"}) == 1);
  CHECK(json::GetInt(probe, {"failureThreshold"}) == 3);
  CHECK(json::GetString(probe, {"httpGet", "path"}) == "/");
  CHECK(json::GetString(probe, {"httpGet", "scheme"}) == "HTTP");

  CHECK(json::GetString(spec["initContainers"][0], {"imagePullPolicy"}) == "Always");

  // A volume without a source is an emptyDir; configMap volumes get mode 0644.
  CHECK(json::Find(spec["volumes"][0], {"emptyDir"}) != nullptr);
  CHECK(json::GetInt(spec["volumes"][1], {"configMap", "defaultMode"}) == 420);
}

TEST_CASE("pod defaults keep what the user set", "[defaults]") {
  json::Document pod = Json(R"({"spec":{"restartPolicy":"Never","dnsPolicy":"Default",
      "serviceAccountName":"builder","terminationGracePeriodSeconds":5,
      "containers":[{"name":"c","image":"x","resources":{"limits":{"cpu":"2"},
                     "requests":{"cpu":"1"}}}]}})");
  DefaultPod(pod, DefaultingContext{});
  const json::Value& spec = pod["spec"];
  CHECK(json::GetString(spec, {"restartPolicy"}) == "Never");
  CHECK(json::GetString(spec, {"dnsPolicy"}) == "Default");
  CHECK(json::GetString(spec, {"serviceAccountName"}) == "builder");
  CHECK(json::GetString(spec, {"serviceAccount"}) == "builder");
  CHECK(json::GetInt(spec, {"terminationGracePeriodSeconds"}) == 5);
  CHECK(json::GetString(spec["containers"][0], {"resources", "requests", "cpu"}) == "1");
}

TEST_CASE("default NoExecute tolerations: 300s, added once", "[defaults]") {
  json::Document pod = Json(R"({"spec":{"containers":[{"name":"c","image":"x"}]}})");
  DefaultPod(pod, DefaultingContext{});
  const json::Value& spec = pod["spec"];
  REQUIRE(spec["tolerations"].Size() == 2);
  for (auto& t : spec["tolerations"].GetArray()) {
    CHECK(json::GetString(t, {"operator"}) == "Exists");
    CHECK(json::GetString(t, {"effect"}) == "NoExecute");
    CHECK(json::GetInt(t, {"tolerationSeconds"}) == 300);
  }
  CHECK(CountTolerations(spec, "node.kubernetes.io/not-ready") == 1);
  CHECK(CountTolerations(spec, "node.kubernetes.io/unreachable") == 1);

  // Defaulting again (an update, a re-apply) adds nothing.
  DefaultPod(pod, DefaultingContext{});
  CHECK(pod["spec"]["tolerations"].Size() == 2);

  // The context's seconds are used.
  json::Document p2 = Json(R"({"spec":{"containers":[{"name":"c","image":"x"}]}})");
  DefaultingContext ctx;
  ctx.not_ready_toleration_seconds = 60;
  ctx.unreachable_toleration_seconds = 90;
  DefaultPod(p2, ctx);
  for (auto& t : p2["spec"]["tolerations"].GetArray()) {
    if (json::GetString(t, {"key"}) == "node.kubernetes.io/not-ready")
      CHECK(json::GetInt(t, {"tolerationSeconds"}) == 60);
    else
      CHECK(json::GetInt(t, {"tolerationSeconds"}) == 90);
  }
}

TEST_CASE("default tolerations respect the user's own", "[defaults]") {
  // The user's not-ready toleration (any effect) stays as written; only unreachable is added.
  json::Document pod = Json(R"({"spec":{"containers":[{"name":"c","image":"x"}],
      "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists",
                      "effect":"NoExecute","tolerationSeconds":10}]}})");
  DefaultPod(pod, DefaultingContext{});
  const json::Value& spec = pod["spec"];
  REQUIRE(spec["tolerations"].Size() == 2);
  CHECK(json::GetInt(spec["tolerations"][0], {"tolerationSeconds"}) == 10);
  CHECK(CountTolerations(spec, "node.kubernetes.io/not-ready") == 1);
  CHECK(CountTolerations(spec, "node.kubernetes.io/unreachable") == 1);

  // A toleration of everything covers both.
  json::Document all = Json(R"({"spec":{"containers":[{"name":"c","image":"x"}],
      "tolerations":[{"operator":"Exists"}]}})");
  DefaultPod(all, DefaultingContext{});
  CHECK(all["spec"]["tolerations"].Size() == 1);

  // A NoSchedule toleration of not-ready does not cover NoExecute.
  json::Document ns = Json(R"({"spec":{"containers":[{"name":"c","image":"x"}],
      "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists",
                      "effect":"NoSchedule"}]}})");
  DefaultPod(ns, DefaultingContext{});
  CHECK(ns["spec"]["tolerations"].Size() == 3);
}

TEST_CASE("pod templates get spec defaults but no pod-only fields", "[defaults]") {
  json::Document d =
      Json(R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"x"}]}}}})");
  DefaultWorkload(d, "Deployment");
  const json::Value& spec = d["spec"]["template"]["spec"];
  CHECK(json::GetString(spec, {"restartPolicy"}) == "Always");
  CHECK(json::GetString(spec["containers"][0], {"imagePullPolicy"}) == "Always");
  CHECK(json::Find(spec, {"tolerations"}) == nullptr);
  CHECK(json::Find(spec, {"serviceAccountName"}) == nullptr);
}

TEST_CASE("service defaults", "[defaults]") {
  json::Document svc = Json(R"({"spec":{"selector":{"app":"web"},"ports":[
      {"port":80},{"name":"b","port":443,"targetPort":8443},{"name":"c","port":53,
      "protocol":"UDP","targetPort":"dns"},{"name":"d","port":90,"targetPort":0}]}})");
  DefaultService(svc, DefaultingContext{});
  const json::Value& spec = svc["spec"];
  CHECK(json::GetString(spec, {"type"}) == "ClusterIP");
  CHECK(json::GetString(spec, {"sessionAffinity"}) == "None");
  CHECK(json::GetString(spec, {"internalTrafficPolicy"}) == "Cluster");
  CHECK(json::GetString(spec, {"ipFamilyPolicy"}) == "SingleStack");
  CHECK(json::Serialize(spec["ipFamilies"]) == R"(["IPv4"])");
  CHECK(json::Find(spec, {"externalTrafficPolicy"}) == nullptr);
  const json::Value& ports = spec["ports"];
  CHECK(json::GetString(ports[0], {"protocol"}) == "TCP");
  CHECK(json::Serialize(ports[0]["targetPort"]) == "80");  // targetPort = port
  CHECK(json::Serialize(ports[1]["targetPort"]) == "8443");
  CHECK(json::Serialize(ports[2]["targetPort"]) == "\"dns\"");
  CHECK(json::GetString(ports[2], {"protocol"}) == "UDP");
  CHECK(json::Serialize(ports[3]["targetPort"]) == "90");  // 0 counts as unset
  CHECK(json::Find(svc, {"status", "loadBalancer"}) != nullptr);
}

TEST_CASE("service defaults by type", "[defaults]") {
  json::Document np = Json(R"({"spec":{"type":"NodePort","ports":[{"port":80}]}})");
  DefaultService(np, DefaultingContext{});
  CHECK(json::GetString(np, {"spec", "externalTrafficPolicy"}) == "Cluster");
  CHECK(json::Find(np, {"spec", "allocateLoadBalancerNodePorts"}) == nullptr);

  json::Document lb = Json(R"({"spec":{"type":"LoadBalancer","ports":[{"port":80}]}})");
  DefaultService(lb, DefaultingContext{});
  CHECK(json::GetString(lb, {"spec", "externalTrafficPolicy"}) == "Cluster");
  CHECK(json::GetBool(lb, {"spec", "allocateLoadBalancerNodePorts"}) == true);

  json::Document en = Json(R"({"spec":{"type":"ExternalName","externalName":"db.example.com"}})");
  DefaultService(en, DefaultingContext{});
  CHECK(json::Find(en, {"spec", "ipFamilies"}) == nullptr);
  CHECK(json::Find(en, {"spec", "ipFamilyPolicy"}) == nullptr);
}

TEST_CASE("deployment defaults", "[defaults]") {
  json::Document d = Json(R"({"spec":{"selector":{"matchLabels":{"a":"b"}},
      "template":{"spec":{"containers":[{"name":"c","image":"x"}]}}}})");
  DefaultWorkload(d, "Deployment");
  const json::Value& spec = d["spec"];
  CHECK(json::GetInt(spec, {"replicas"}) == 1);
  CHECK(json::GetInt(spec, {"revisionHistoryLimit"}) == 10);
  CHECK(json::GetInt(spec, {"progressDeadlineSeconds"}) == 600);
  CHECK(json::GetString(spec, {"strategy", "type"}) == "RollingUpdate");
  CHECK(json::GetString(spec, {"strategy", "rollingUpdate", "maxUnavailable"}) == "25%");
  CHECK(json::GetString(spec, {"strategy", "rollingUpdate", "maxSurge"}) == "25%");

  // Recreate gets no rollingUpdate; explicit values stay.
  json::Document r = Json(R"({"spec":{"replicas":0,"revisionHistoryLimit":2,
      "strategy":{"type":"Recreate"},"template":{"spec":{"containers":[]}}}})");
  DefaultWorkload(r, "Deployment");
  CHECK(json::GetInt(r, {"spec", "replicas"}, -1) == 0);
  CHECK(json::GetInt(r, {"spec", "revisionHistoryLimit"}) == 2);
  CHECK(json::Find(r, {"spec", "strategy", "rollingUpdate"}) == nullptr);

  json::Document m = Json(R"({"spec":{"strategy":{"rollingUpdate":{"maxSurge":1}}}})");
  DefaultWorkload(m, "Deployment");
  CHECK(json::GetInt(m, {"spec", "strategy", "rollingUpdate", "maxSurge"}) == 1);
  CHECK(json::GetString(m, {"spec", "strategy", "rollingUpdate", "maxUnavailable"}) == "25%");
}

TEST_CASE("other workload defaults", "[defaults]") {
  json::Document sts = Json(R"({"spec":{}})");
  DefaultWorkload(sts, "StatefulSet");
  CHECK(json::GetInt(sts, {"spec", "replicas"}) == 1);
  CHECK(json::GetString(sts, {"spec", "podManagementPolicy"}) == "OrderedReady");
  CHECK(json::GetInt(sts, {"spec", "updateStrategy", "rollingUpdate", "partition"}, -1) == 0);
  CHECK(json::GetString(sts, {"spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"}) ==
        "Retain");

  json::Document ds = Json(R"({"spec":{}})");
  DefaultWorkload(ds, "DaemonSet");
  CHECK(json::GetInt(ds, {"spec", "updateStrategy", "rollingUpdate", "maxUnavailable"}) == 1);
  CHECK(json::GetInt(ds, {"spec", "updateStrategy", "rollingUpdate", "maxSurge"}, -1) == 0);

  json::Document job = Json(R"({"spec":{"template":{"spec":{"restartPolicy":"Never",
      "containers":[{"name":"c","image":"x"}]}}}})");
  DefaultWorkload(job, "Job");
  CHECK(json::GetInt(job, {"spec", "parallelism"}) == 1);
  CHECK(json::GetInt(job, {"spec", "completions"}) == 1);
  CHECK(json::GetInt(job, {"spec", "backoffLimit"}) == 6);
  CHECK(json::GetString(job, {"spec", "completionMode"}) == "NonIndexed");
  CHECK(json::GetString(job, {"spec", "template", "spec", "restartPolicy"}) == "Never");

  json::Document cj = Json(R"({"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{
      "template":{"spec":{"containers":[{"name":"c","image":"x:1"}]}}}}}})");
  DefaultWorkload(cj, "CronJob");
  CHECK(json::GetString(cj, {"spec", "concurrencyPolicy"}) == "Allow");
  CHECK(json::GetInt(cj, {"spec", "successfulJobsHistoryLimit"}) == 3);
  CHECK(json::GetInt(cj, {"spec", "failedJobsHistoryLimit"}) == 1);
  CHECK(json::GetInt(cj, {"spec", "jobTemplate", "spec", "backoffLimit"}) == 6);
  CHECK(json::GetString(cj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0],
                        {"imagePullPolicy"}) == "IfNotPresent");
}

TEST_CASE("namespace and simple defaults", "[defaults]") {
  json::Document ns = Json(R"({"metadata":{"name":"team-a"}})");
  DefaultNamespace(ns);
  CHECK(json::GetString(ns, {"metadata", "labels", "kubernetes.io/metadata.name"}) == "team-a");
  CHECK(json::Serialize(ns["spec"]["finalizers"]) == R"(["kubernetes"])");
  CHECK(json::GetString(ns, {"status", "phase"}) == "Active");

  json::Document secret = Json(R"({"metadata":{"name":"s"}})");
  DefaultSimple(secret, "Secret");
  CHECK(json::GetString(secret, {"type"}) == "Opaque");
}

TEST_CASE("QoS class", "[defaults]") {
  auto qos = [](std::string_view spec) {
    auto d = json::Parse(spec);
    REQUIRE(d.ok());
    return PodQosClass(*d);
  };
  CHECK(qos(R"({"containers":[{"name":"a"}]})") == "BestEffort");
  CHECK(qos(R"({"containers":[{"resources":{"limits":{"cpu":"1","memory":"1Gi"},
      "requests":{"cpu":"1","memory":"1Gi"}}}]})") == "Guaranteed");
  CHECK(qos(R"({"containers":[{"resources":{"requests":{"cpu":"100m"}}}]})") == "Burstable");
  CHECK(qos(R"({"containers":[{"resources":{"limits":{"cpu":"1","memory":"1Gi"},
      "requests":{"cpu":"500m","memory":"1Gi"}}}]})") == "Burstable");
}
