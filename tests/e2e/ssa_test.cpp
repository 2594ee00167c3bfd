// Server-side apply with the real kubectl (v1.32 on the PATH): create, update, conflicts
// between field managers, forced takeover and removal of fields a manager stops applying.
#include <catch2/catch.hpp>
#include <string>

#include "common/json.h"
#include "kubectl_helpers.h"

using namespace cluster;
using namespace cluster::e2e;

namespace {

std::string DeploymentYaml(const std::string& image, bool replicas, bool tier) {
  std::string y =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ssa1\n  labels:\n"
      "    app: ssa1\n";
  if (tier) y += "    tier: web\n";
  y += "spec:\n";
  if (replicas) y += "  replicas: 2\n";
  return y +
         "  selector:\n    matchLabels:\n      app: ssa1\n  template:\n    metadata:\n"
         "      labels:\n        app: ssa1\n    spec:\n      containers:\n      - name: web\n"
         "        image: " +
         image + "\n";
}

const char kReplicas5[] =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ssa1\nspec:\n  replicas: 5\n";

json::Document GetJson(const std::string& what, const std::string& name) {
  auto d = json::Parse(OkAll({"get", what, name, "-o", "json", "--show-managed-fields"}));
  REQUIRE(d.ok());
  return std::move(d).value();
}

// fieldsV1 of the entry of `manager` ("" when it has none).
std::string FieldsOf(const json::Value& obj, const std::string& manager,
                     std::string* op = nullptr) {
  const json::Value* mf = json::Find(obj, {"metadata", "managedFields"});
  if (mf == nullptr || !mf->IsArray()) return "";
  for (const auto& e : mf->GetArray()) {
    if (json::GetString(e, {"manager"}) != manager) continue;
    if (op) *op = json::GetString(e, {"operation"});
    const json::Value* f = json::Find(e, {"fieldsV1"});
    return f ? json::Serialize(*f) : "";
  }
  return "";
}

}  // namespace

TEST_CASE("kubectl apply --server-side creates, updates, conflicts, forces and prunes", "[ssa]") {
  CHECK(Contains(
      OkAll({"apply", "--server-side", "-f", "-"}, DeploymentYaml("nginx:1.25", true, true)),
      "deployment.apps/ssa1 serverside-applied"));
  json::Document d = GetJson("deployment", "ssa1");
  std::string op;
  std::string mine = FieldsOf(d, "kubectl", &op);
  CHECK(op == "Apply");
  CHECK(Contains(mine, R"("f:replicas":{})"));
  CHECK(Contains(mine, R"("k:{\"name\":\"web\"}")"));
  CHECK(json::GetInt(d, {"spec", "replicas"}) == 2);

  // Applying again with a changed image updates the object.
  OkAll({"apply", "--server-side", "-f", "-"}, DeploymentYaml("nginx:1.26", true, true));
  CHECK(OkAll({"get", "deployment", "ssa1", "-o",
               "jsonpath={.spec.template.spec.containers[0].image}"}) == "nginx:1.26");

  // Applying the same configuration again writes nothing.
  std::string rv =
      OkAll({"get", "deployment", "ssa1", "-o", "jsonpath={.metadata.resourceVersion}"});
  OkAll({"apply", "--server-side", "-f", "-"}, DeploymentYaml("nginx:1.26", true, true));
  CHECK(OkAll({"get", "deployment", "ssa1", "-o", "jsonpath={.metadata.resourceVersion}"}) == rv);

  // A second manager changing a field the first one owns gets a conflict.
  CommandResult r =
      Kubectl({"apply", "--server-side", "--field-manager=other", "-f", "-"}, kReplicas5);
  INFO(r.out << r.err);
  CHECK(r.exit_code != 0);
  CHECK(Contains(
      r.err,
      "Apply failed with 1 conflict: conflict with \"kubectl\" using apps/v1: .spec.replicas"));
  CHECK(OkAll({"get", "deployment", "ssa1", "-o", "jsonpath={.spec.replicas}"}) == "2");

  // --force-conflicts takes the field over.
  OkAll({"apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-"},
        kReplicas5);
  d = GetJson("deployment", "ssa1");
  CHECK(json::GetInt(d, {"spec", "replicas"}) == 5);
  CHECK(Contains(FieldsOf(d, "other"), R"("f:replicas":{})"));
  CHECK_FALSE(Contains(FieldsOf(d, "kubectl"), "f:replicas"));

  // Fields the first manager stops applying go away, unless someone else owns them.
  OkAll({"apply", "--server-side", "-f", "-"}, DeploymentYaml("nginx:1.26", false, false));
  d = GetJson("deployment", "ssa1");
  CHECK(json::Find(d, {"metadata", "labels", "tier"}) == nullptr);
  CHECK(json::GetString(d, {"metadata", "labels", "app"}) == "ssa1");
  CHECK(json::GetInt(d, {"spec", "replicas"}) == 5);
}

TEST_CASE("other writes record their manager; apply requires a fieldManager", "[ssa]") {
  OkAll({"create", "configmap", "ssa-cm", "--from-literal=a=b"});
  std::string op;
  std::string fields = FieldsOf(GetJson("configmap", "ssa-cm"), "kubectl-create", &op);
  CHECK(op == "Update");
  CHECK(Contains(fields, R"("f:data":{"f:a":{}})"));

  HttpResult h =
      HttpRequest("PATCH", Server().api_url() + "/api/v1/namespaces/default/configmaps/ssa-cm",
                  R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ssa-cm"}})",
                  {"Content-Type: application/apply-patch+yaml"}, Server().admin_tls());
  CHECK(h.code == 422);
  CHECK(Contains(h.body, "fieldManager: Required value: is required for apply patch"));
}

TEST_CASE("kubectl moves client-side apply ownership to server-side apply", "[ssa]") {
  const std::string both =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-csa\ndata:\n"
      "  a: \"1\"\n  b: \"2\"\n";
  const std::string one =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-csa\ndata:\n"
      "  a: \"1\"\n";
  OkAll({"apply", "-f", "-"}, both);
  // kubectl's migration is a JSON patch of managedFields guarded by the resourceVersion.
  CHECK_FALSE(Contains(OkAll({"apply", "--server-side", "-f", "-"}, both), "rejected"));
  json::Document d = GetJson("configmap", "ssa-csa");
  CHECK(FieldsOf(d, "kubectl-client-side-apply").empty());
  CHECK(Contains(FieldsOf(d, "kubectl"), R"("f:b":{})"));
  OkAll({"apply", "--server-side", "-f", "-"}, one);
  CHECK(OkAll({"get", "configmap", "ssa-csa", "-o", "jsonpath={.data}"}) == R"({"a":"1"})");
}

TEST_CASE("null in an applied configuration is decoded as Go does", "[ssa]") {
  // The merged object goes through the Go types upstream: a null pointer field is unset and
  // then defaulted, a null map value becomes "".
  const std::string with =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ssa-null\n  labels:\n"
      "    a: \"1\"\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: nul\n"
      "  template:\n    metadata:\n      labels:\n        app: nul\n    spec:\n      containers:\n"
      "      - name: c\n        image: busybox\n";
  OkAll({"apply", "--server-side", "-f", "-"}, with);
  std::string nulled = with;
  nulled.replace(nulled.find("replicas: 3"), 11, "replicas: null");
  nulled.replace(nulled.find("a: \"1\""), 6, "a: null");
  OkAll({"apply", "--server-side", "-f", "-"}, nulled);
  json::Document d = GetJson("deployment", "ssa-null");
  CHECK(json::GetInt(d, {"spec", "replicas"}) == 1);
  CHECK(json::GetString(d, {"metadata", "labels", "a"}, "missing") == "");
  // A plain update with null is decoded the same way.
  std::string replaced = OkAll({"get", "deployment", "ssa-null", "-o", "json"});
  auto obj = json::Parse(replaced);
  REQUIRE(obj.ok());
  json::Value null_value;
  json::Set(obj.value()["spec"], "revisionHistoryLimit", std::move(null_value),
            obj->GetAllocator());
  OkAll({"replace", "-f", "-"}, json::Serialize(*obj));
  CHECK(json::GetInt(GetJson("deployment", "ssa-null"), {"spec", "revisionHistoryLimit"}) == 10);
}

TEST_CASE("apply and updates through /scale own spec.replicas with subresource scale", "[ssa]") {
  OkAll({"apply", "--server-side", "-f", "-"},
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ssa-scale\nspec:\n"
        "  replicas: 2\n  selector:\n    matchLabels:\n      app: sc\n  template:\n"
        "    metadata:\n      labels:\n        app: sc\n    spec:\n      containers:\n"
        "      - name: c\n        image: busybox\n");
  const std::string url =
      Server().api_url() + "/apis/apps/v1/namespaces/default/deployments/ssa-scale/scale";
  const std::string scale =
      R"({"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"ssa-scale"},)"
      R"("spec":{"replicas":4}})";
  HttpResult h = HttpRequest("PATCH", url + "?fieldManager=hpa", scale,
                             {"Content-Type: application/apply-patch+yaml"}, Server().admin_tls());
  CHECK(h.code == 409);
  CHECK(Contains(h.body, R"(conflict with \"kubectl\" using apps/v1: .spec.replicas)"));
  h = HttpRequest("PATCH", url + "?fieldManager=hpa&force=true", scale,
                  {"Content-Type: application/apply-patch+yaml"}, Server().admin_tls());
  CHECK(h.code == 200);
  CHECK(Contains(h.body, R"("replicas":4)"));
  json::Document d = GetJson("deployment", "ssa-scale");
  CHECK(json::GetInt(d, {"spec", "replicas"}) == 4);
  CHECK(FieldsOf(d, "hpa") == R"({"f:spec":{"f:replicas":{}}})");
  CHECK_FALSE(Contains(FieldsOf(d, "kubectl"), "f:replicas"));
  bool scale_entry = false;
  for (const auto& e : d["metadata"]["managedFields"].GetArray())
    if (json::GetString(e, {"manager"}) == "hpa")
      scale_entry = json::GetString(e, {"subresource"}) == "scale" &&
                    json::GetString(e, {"operation"}) == "Apply";
  CHECK(scale_entry);
  // kubectl scale is an update through /scale: it takes the field.
  OkAll({"scale", "deployment", "ssa-scale", "--replicas=6"});
  d = GetJson("deployment", "ssa-scale");
  CHECK(json::GetInt(d, {"spec", "replicas"}) == 6);
  CHECK(FieldsOf(d, "hpa").empty());
}
