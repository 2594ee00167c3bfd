// The real kubectl (v1.32 on the PATH) with its default --validate=strict: it reads the OpenAPI
// v3 documents, sees fieldValidation on PATCH and relies on server-side field validation.
// One server is shared by every case (each case uses its own names).
#include <catch2/catch.hpp>
#include <string>

#include "kubectl_helpers.h"

using namespace cluster::e2e;

namespace {

std::string PodYaml(const std::string& name, const std::string& image) {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  labels:\n    app: " + name +
         "\nspec:\n  containers:\n  - name: c\n    image: " + image +
         "\n    ports:\n    - containerPort: 8080\n  tolerations:\n  - key: k\n"
         "    operator: Exists\n    effect: NoSchedule\n";
}

std::string ReplicaSetYaml(const std::string& image) {
  return "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: rs1\nspec:\n"
         "  replicas: 2\n  selector:\n    matchLabels:\n      app: rs1\n  template:\n"
         "    metadata:\n      labels:\n        app: rs1\n    spec:\n      containers:\n"
         "      - name: web\n        image: " +
         image + "\n";
}

const char kServices[] =
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-cip\nspec:\n  selector:\n"
    "    app: rs1\n  ports:\n  - port: 80\n    targetPort: 8080\n---\n"
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-np\nspec:\n  type: NodePort\n"
    "  selector:\n    app: rs1\n  ports:\n  - port: 80\n    targetPort: web\n";

}  // namespace

TEST_CASE("kubectl apply with default validation creates, then patches", "[apply]") {
  CHECK(Contains(OkAll({"apply", "-f", "-"}, PodYaml("ap1", "busybox:1.36")), "pod/ap1 created"));
  CHECK(Contains(OkAll({"apply", "-f", "-"}, ReplicaSetYaml("nginx:1.25")),
                 "replicaset.apps/rs1 created"));
  std::string svcs = OkAll({"apply", "-f", "-"}, kServices);
  CHECK(Contains(svcs, "service/svc-cip created"));
  CHECK(Contains(svcs, "service/svc-np created"));
  CHECK(OkAll({"get", "svc", "svc-np", "-o", "jsonpath={.spec.ports[0].nodePort}"}).size() >= 4);

  // A second apply with a changed image is a strategic merge patch.
  CHECK(Contains(OkAll({"apply", "-f", "-"}, ReplicaSetYaml("nginx:1.26")),
                 "replicaset.apps/rs1 configured"));
  CHECK(OkAll({"get", "rs", "rs1", "-o", "jsonpath={.spec.template.spec.containers[0].image}"}) ==
        "nginx:1.26");
  CHECK(
      Contains(OkAll({"apply", "-f", "-"}, PodYaml("ap1", "busybox:1.37")), "pod/ap1 configured"));
  CHECK(OkAll({"get", "pod", "ap1", "-o", "jsonpath={.spec.containers[0].image}"}) ==
        "busybox:1.37");
  // Unchanged manifests are reported as such.
  CHECK(Contains(OkAll({"apply", "-f", "-"}, kServices), "service/svc-cip unchanged"));
}

TEST_CASE("a misspelled field fails with kubectl's strict validation error", "[apply]") {
  std::string bad = PodYaml("ap-bad", "busybox:1.36");
  bad.replace(bad.find("    image:"), 10, "    imagee:");
  std::string err = Fails({"apply", "-f", "-"}, bad);
  CHECK(Contains(err, "Error from server (BadRequest)"));
  CHECK(Contains(err, R"(strict decoding error: unknown field "spec.containers[0].imagee")"));
  CHECK(
      Contains(Fails({"create", "-f", "-"}, bad), R"(unknown field "spec.containers[0].imagee")"));
  // On an existing object the patch is refused too.
  OkAll({"apply", "-f", "-"}, PodYaml("ap-bad", "busybox:1.36"));
  std::string patched = PodYaml("ap-bad", "busybox:1.36") + "  nodeSelectr:\n    a: b\n";
  CHECK(Contains(Fails({"apply", "-f", "-"}, patched), R"(unknown field "spec.nodeSelectr")"));
  // Warn keeps the request and names the field.
  std::string warned = OkAll({"create", "--validate=warn", "-f", "-"},
                             PodYaml("ap-warn", "busybox:1.36") + "  bogus: 1\n");
  CHECK(Contains(warned, R"(unknown field "spec.bogus")"));
  // Like upstream, Warn and Ignore drop the unknown field: the object reads back clean and a
  // strict replace of it passes.
  std::string stored = OkAll({"get", "pod", "ap-warn", "-o", "json"});
  CHECK_FALSE(Contains(stored, "bogus"));
  CHECK(Contains(OkAll({"replace", "-f", "-"}, stored), "pod/ap-warn replaced"));
  OkAll({"create", "--validate=false", "-f", "-"},
        PodYaml("ap-ignore", "busybox:1.36") + "  bogus: 1\n");
  CHECK_FALSE(Contains(OkAll({"get", "pod", "ap-ignore", "-o", "json"}), "bogus"));
}

TEST_CASE("values of the wrong type are refused in Go's words", "[apply]") {
  std::string bad =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: typed\nspec:\n"
      "  replicas: \"3\"\n  selector:\n    matchLabels:\n      app: t\n  template:\n"
      "    metadata:\n      labels:\n        app: t\n    spec:\n      containers:\n"
      "      - name: c\n        image: busybox\n";
  std::string err = Fails({"apply", "-f", "-"}, bad);
  CHECK(Contains(err, "Error from server (BadRequest)"));
  CHECK(Contains(err,
                 "Deployment in version \"v1\" cannot be handled as a Deployment: json: "
                 "cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas "
                 "of type int32"));
  CHECK(Contains(Fails({"get", "deployment", "typed"}), "NotFound"));
}

TEST_CASE("requests without fieldValidation are treated as Warn", "[apply]") {
  // kubectl create --raw sends no fieldValidation parameter: kube-apiserver's default is Warn.
  std::string out =
      OkAll({"create", "--raw", "/api/v1/namespaces/default/configmaps", "-f", "-"},
            R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"raw-warn","bogus":1},)"
            R"("data":{"a":"b"},"extra":"x"})");
  CHECK(Contains(out, R"(Warning: unknown field "metadata.bogus")"));
  CHECK(Contains(out, R"(Warning: unknown field "extra")"));
  std::string stored = OkAll({"get", "configmap", "raw-warn", "-o", "json"});
  CHECK_FALSE(Contains(stored, "bogus"));
  CHECK_FALSE(Contains(stored, "extra"));
  CHECK(Contains(stored, R"("a": "b")"));
}

TEST_CASE("kubectl create -f with default validation", "[apply]") {
  CHECK(Contains(OkAll({"create", "-f", "-"}, PodYaml("cr1", "busybox:1.36")), "pod/cr1 created"));
  CHECK(Contains(OkAll({"get", "pod", "cr1", "-o", "name"}), "pod/cr1"));
}

TEST_CASE("kubectl explain reads the OpenAPI v3 descriptions", "[apply]") {
  std::string out = OkAll({"explain", "pod.spec.tolerations"});
  CHECK(Contains(out, "KIND:"));
  CHECK(Contains(out, "Pod"));
  CHECK(Contains(out, "tolerations"));
  for (const char* f : {"effect", "key", "operator", "tolerationSeconds", "value"}) {
    INFO(f);
    CHECK(Contains(out, f));
  }
  CHECK(Contains(OkAll({"explain", "deployments.spec.replicas"}), "replicas"));
}

TEST_CASE("kubectl explain reads the OpenAPI v2 protobuf document", "[apply]") {
  // --output=plaintext-openapiv2 makes kubectl fetch /openapi/v2 as gnostic protobuf.
  std::string out = OkAll({"explain", "pod.spec.tolerations", "--output=plaintext-openapiv2"});
  CHECK(Contains(out, "RESOURCE: tolerations <[]Object>"));
  for (const char* f : {"effect", "key", "operator", "tolerationSeconds", "value"}) {
    INFO(f);
    CHECK(Contains(out, f));
  }
  out = OkAll({"explain", "deployment.spec", "--recursive", "--output=plaintext-openapiv2"});
  CHECK(Contains(out, "VERSION:  apps/v1"));
  CHECK(Contains(out, "maxSurge"));
  CHECK(Contains(out, "terminationGracePeriodSeconds"));
}

TEST_CASE("spec changes bump metadata.generation, metadata-only changes do not", "[apply]") {
  Ok({"create", "deployment", "gen", "--image=busybox"});
  auto generation = [] {
    return Ok({"get", "deployment", "gen", "-o", "jsonpath={.metadata.generation}"});
  };
  CHECK(generation() == "1");
  Ok({"set", "image", "deployment/gen", "busybox=busybox:1.36"});  // patch
  CHECK(generation() == "2");
  Ok({"label", "deployment", "gen", "tier=web"});
  CHECK(generation() == "2");
  Ok({"scale", "deployment", "gen", "--replicas=3"});  // through /scale
  CHECK(generation() == "3");
  std::string obj = Ok({"get", "deployment", "gen", "-o", "json"});
  obj.replace(obj.find("\"replicas\": 3"), 13, "\"replicas\": 4");
  Ok({"replace", "-f", "-"}, obj);  // update
  CHECK(generation() == "4");
}
