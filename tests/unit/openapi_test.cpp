#include "api/openapi.h"

#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "api/field_validation.h"
#include "common/json.h"

namespace cluster::api {
namespace {

json::Document ParseOk(std::string_view text) {
  auto doc = json::Parse(text);
  REQUIRE(doc.ok());
  return std::move(doc).value();
}

const schema::Type& Kind(const char* group, const char* kind) {
  const schema::Type* t = schema::Schema::Get().FindKind(group, "v1", kind);
  REQUIRE(t != nullptr);
  return *t;
}

// Every "$ref" in `v` names a member of `schemas`.
void CheckRefs(const json::Value& v, const json::Value& schemas, const std::string& prefix,
               int* count) {
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      if (std::string(m.name.GetString()) == "$ref") {
        std::string ref = m.value.GetString();
        REQUIRE(ref.rfind(prefix, 0) == 0);
        INFO(ref);
        CHECK(schemas.HasMember(ref.substr(prefix.size()).c_str()));
        ++*count;
      } else {
        CheckRefs(m.value, schemas, prefix, count);
      }
    }
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) CheckRefs(e, schemas, prefix, count);
  }
}

TEST_CASE("openapi v3 root lists every group-version with a hash") {
  json::Document root = ParseOk(openapi::V3Root());
  const json::Value* paths = json::Find(root, {"paths"});
  REQUIRE(paths != nullptr);
  for (const char* key :
       {"api/v1", "apis/apps/v1", "apis/batch/v1", "apis/rbac.authorization.k8s.io/v1"}) {
    INFO(key);
    std::string url = json::GetString(*paths, {key, "serverRelativeURL"});
    const openapi::Doc* doc = openapi::V3GroupVersion(key);
    REQUIRE(doc != nullptr);
    CHECK(doc->hash.size() == 64);
    CHECK(url == std::string("/openapi/v3/") + key + "?hash=" + doc->hash);
  }
  CHECK(openapi::V3GroupVersion("apis/nope/v1") == nullptr);
}

TEST_CASE("openapi v3 apps/v1 document: schemas, GVK and fieldValidation on PATCH") {
  json::Document doc = ParseOk(openapi::V3GroupVersion("apis/apps/v1")->body);
  CHECK(json::GetString(doc, {"openapi"}) == "3.0.0");
  const json::Value* schemas = json::Find(doc, {"components", "schemas"});
  REQUIRE(schemas != nullptr);
  const json::Value* dep = json::Find(*schemas, {"io.k8s.api.apps.v1.Deployment"});
  REQUIRE(dep != nullptr);
  const json::Value& gvk = (*dep)["x-kubernetes-group-version-kind"];
  REQUIRE(gvk.IsArray());
  CHECK(json::GetString(gvk[0], {"group"}) == "apps");
  CHECK(json::GetString(gvk[0], {"kind"}) == "Deployment");
  CHECK(json::Find(*dep, {"properties", "apiVersion"}) != nullptr);
  CHECK(json::Find(*schemas, {"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}) != nullptr);
  // Containers: merge key and patch strategy for strategic merge patch.
  const json::Value* containers =
      json::Find(*schemas, {"io.k8s.api.core.v1.PodSpec", "properties", "containers"});
  REQUIRE(containers != nullptr);
  CHECK(json::GetString(*containers, {"x-kubernetes-patch-merge-key"}) == "name");
  CHECK(json::GetString(*containers, {"x-kubernetes-patch-strategy"}) == "merge");
  CHECK(json::GetString(*containers, {"x-kubernetes-list-type"}) == "map");
  CHECK(json::GetString((*containers)["items"]["allOf"][0], {"$ref"}) ==
        "#/components/schemas/io.k8s.api.core.v1.Container");
  const json::Value* port =
      json::Find(*schemas, {"io.k8s.api.core.v1.HTTPGetAction", "properties", "port"});
  REQUIRE(port != nullptr);
  CHECK(json::GetString((*port)["allOf"][0], {"$ref"}) ==
        "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString");
  CHECK(json::GetBool(
      *schemas, {"io.k8s.apimachinery.pkg.util.intstr.IntOrString", "x-kubernetes-int-or-string"}));

  const json::Value* patch = json::Find(
      doc, {"paths", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "patch"});
  REQUIRE(patch != nullptr);
  CHECK(json::GetString(*patch, {"x-kubernetes-group-version-kind", "kind"}) == "Deployment");
  bool has_fv = false;
  for (const auto& p : (*patch)["parameters"].GetArray())
    if (json::GetString(p, {"name"}) == "fieldValidation" && json::GetString(p, {"in"}) == "query")
      has_fv = true;
  CHECK(has_fv);
  CHECK(json::Find(*patch, {"requestBody", "content", "application/strategic-merge-patch+json"}) !=
        nullptr);
  int refs = 0;
  CheckRefs(doc, *schemas, "#/components/schemas/", &refs);
  CHECK(refs > 100);
}

TEST_CASE("openapi v3 core document describes pod tolerations for kubectl explain") {
  json::Document doc = ParseOk(openapi::V3GroupVersion("api/v1")->body);
  const json::Value* schemas = json::Find(doc, {"components", "schemas"});
  REQUIRE(schemas != nullptr);
  const json::Value* tol = json::Find(*schemas, {"io.k8s.api.core.v1.Toleration"});
  REQUIRE(tol != nullptr);
  CHECK_FALSE(json::GetString(*tol, {"description"}).empty());
  CHECK_FALSE(json::GetString(*tol, {"properties", "tolerationSeconds", "description"}).empty());
  CHECK(json::GetString(*schemas, {"io.k8s.apimachinery.pkg.apis.meta.v1.Time", "format"}) ==
        "date-time");
  CHECK(json::Find(doc, {"paths", "/api/v1/nodes/{name}", "patch"}) != nullptr);
  int refs = 0;
  CheckRefs(doc, *schemas, "#/components/schemas/", &refs);
  CHECK(refs > 100);
}

TEST_CASE("openapi v2 JSON has definitions with GVK, refs resolve; protobuf form is small") {
  json::Document doc = ParseOk(openapi::V2Json());
  CHECK(json::GetString(doc, {"swagger"}) == "2.0");
  const json::Value* defs = json::Find(doc, {"definitions"});
  REQUIRE(defs != nullptr);
  const json::Value* pod = json::Find(*defs, {"io.k8s.api.core.v1.Pod"});
  REQUIRE(pod != nullptr);
  CHECK(json::GetString((*pod)["x-kubernetes-group-version-kind"][0], {"kind"}) == "Pod");
  int refs = 0;
  CheckRefs(doc, *defs, "#/definitions/", &refs);
  CHECK(refs > 100);
  const std::string& pb = openapi::V2Protobuf();
  REQUIRE(pb.size() > 5);
  CHECK(pb.substr(0, 5) == std::string("\x0a\x03"
                                       "2.0",
                                       5));
}

TEST_CASE("field validation: unknown fields with their paths") {
  json::Document d = ParseOk(R"({"apiVersion":"apps/v1","kind":"Deployment",
    "metadata":{"name":"x","labels":{"a":"b"},"bogus":1},
    "spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},
      "spec":{"containers":[{"name":"c","image":"i"},{"name":"d","imagee":"i",
        "ports":[{"containerPort":80}],
        "livenessProbe":{"httpGet":{"port":"http","path":"/"},"periodSeconds":3}}]}}},
    "status":{"replicas":1,"nope":true}})");
  auto problems = FindFieldProblems(d, Kind("apps", "Deployment"));
  REQUIRE(problems.size() == 3);
  CHECK(problems[0] == R"(unknown field "metadata.bogus")");
  CHECK(problems[1] == R"(unknown field "spec.template.spec.containers[1].imagee")");
  CHECK(problems[2] == R"(unknown field "status.nope")");
}

TEST_CASE("field validation: valid objects, inline members, raw JSON and Services") {
  json::Document pod = ParseOk(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p",
    "managedFields":[{"manager":"m","fieldsV1":{"f:spec":{}}}]},
    "spec":{"volumes":[{"name":"v","emptyDir":{}},{"name":"w","configMap":{"name":"cm"}}],
      "containers":[{"name":"c","image":"i","resources":{"limits":{"cpu":"1"}}}],
      "tolerations":[{"key":"k","operator":"Exists","effect":"NoSchedule"}]}})");
  CHECK(FindFieldProblems(pod, Kind("", "Pod")).empty());
  json::Document svc = ParseOk(R"({"metadata":{"name":"s"},"spec":{"type":"NodePort",
    "selector":{"app":"x"},"ports":[{"port":80,"targetPort":8080,"nodePort":30080}]}})");
  CHECK(FindFieldProblems(svc, Kind("", "Service")).empty());
}

TEST_CASE("field validation: duplicate keys are reported") {
  json::Document d = ParseOk(R"({"metadata":{"name":"a","name":"b"},"data":{"k":"1","k":"2"}})");
  auto problems = FindFieldProblems(d, Kind("", "ConfigMap"));
  REQUIRE(problems.size() == 2);
  CHECK(problems[0] == R"(duplicate field "metadata.name")");
  CHECK(problems[1] == R"(duplicate field "data.k")");
  CHECK(FindDuplicateFields(d).size() == 2);
}

TEST_CASE("field validation of patches skips directives and deletions") {
  json::Document p = ParseOk(R"({"metadata":{"annotations":{"a":null}},"spec":{
    "$setElementOrder/containers":[{"name":"c"}],
    "containers":[{"name":"c","image":"new","$patch":"merge"}],"gone":null,"imagee":"x"}})");
  auto problems = FindFieldProblems(p, Kind("", "Pod"), /*patch=*/true);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0] == R"(unknown field "spec.imagee")");
}

TEST_CASE("pruning drops unknown fields and all but the last duplicate") {
  json::Document d = ParseOk(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a",
    "name":"b","bogus":{}},"foo":1,"data":{"k":"1"}})");
  auto problems = PruneUnknownFields(d, Kind("", "ConfigMap"));
  CHECK(problems.size() == 3);
  CHECK(json::Serialize(d) ==
        R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"},"data":{"k":"1"}})");
  CHECK(FindFieldProblems(d, Kind("", "ConfigMap")).empty());
}

TEST_CASE("fieldValidation parameter values") {
  FieldValidation m;
  CHECK(ParseFieldValidation("", &m));
  CHECK(m == FieldValidation::kIgnore);
  CHECK(ParseFieldValidation("Strict", &m));
  CHECK(m == FieldValidation::kStrict);
  CHECK(ParseFieldValidation("Warn", &m));
  CHECK(m == FieldValidation::kWarn);
  CHECK_FALSE(ParseFieldValidation("strictly", &m));
}

}  // namespace
}  // namespace cluster::api
