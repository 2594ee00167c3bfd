#include "api/openapi.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <string>

#include "api/field_validation.h"
#include "api/openapi_gnostic.h"
#include "api/protobuf_wire.h"
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

TEST_CASE("openapi v2 JSON has definitions with GVK and refs that resolve") {
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
}

// One decoded protobuf message: field number -> raw values (length-delimited payloads, or the
// varint as decimal text), in wire order.
using Fields = std::multimap<int, std::string>;

Fields Decode(std::string_view bytes) {
  Fields out;
  wire::Reader r(bytes);
  while (!r.done()) {
    int number = 0, wt = 0;
    REQUIRE(r.ReadTag(&number, &wt).ok());
    if (wt == 2) {
      std::string_view v;
      REQUIRE(r.ReadLengthDelimited(&v).ok());
      out.emplace(number, std::string(v));
    } else if (wt == 0) {
      uint64_t v = 0;
      REQUIRE(r.ReadVarint(&v).ok());
      out.emplace(number, std::to_string(v));
    } else {
      REQUIRE(r.Skip(wt).ok());
      out.emplace(number, "");
    }
  }
  return out;
}

std::vector<std::string> All(const Fields& f, int number) {
  std::vector<std::string> out;
  auto [b, e] = f.equal_range(number);
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

std::string One(const Fields& f, int number) {
  auto v = All(f, number);
  REQUIRE(v.size() == 1);
  return v[0];
}

// Named pairs {name = 1, value = 2} held at `number` of `wrapper`, by name.
std::map<std::string, std::string> Pairs(const Fields& wrapper, int number) {
  std::map<std::string, std::string> out;
  for (const std::string& p : All(wrapper, number)) {
    Fields pair = Decode(p);
    out[One(pair, 1)] = pair.count(2) ? One(pair, 2) : "";
  }
  return out;
}

TEST_CASE("openapi v2 protobuf: bytes as protoc encodes gnostic's openapi.v2.Document") {
  // protoc --encode openapi.v2.Document OpenAPIv2.proto of the same document in text form.
  const unsigned char kGolden[] = {
      0x0a, 0x03, 0x32, 0x2e, 0x30, 0x12, 0x06, 0x0a, 0x01, 0x54, 0x12, 0x01, 0x31, 0x42, 0x58,
      0x12, 0x56, 0x0a, 0x09, 0x2f, 0x61, 0x2f, 0x7b, 0x6e, 0x61, 0x6d, 0x65, 0x7d, 0x12, 0x49,
      0x12, 0x29, 0x2a, 0x01, 0x67, 0x4a, 0x24, 0x0a, 0x22, 0x0a, 0x03, 0x32, 0x30, 0x30, 0x12,
      0x1b, 0x0a, 0x19, 0x0a, 0x02, 0x4f, 0x4b, 0x12, 0x13, 0x0a, 0x11, 0x0a, 0x0f, 0x23, 0x2f,
      0x64, 0x65, 0x66, 0x69, 0x6e, 0x69, 0x74, 0x69, 0x6f, 0x6e, 0x73, 0x2f, 0x41, 0x4a, 0x1c,
      0x0a, 0x1a, 0x12, 0x18, 0x22, 0x16, 0x08, 0x01, 0x12, 0x04, 0x70, 0x61, 0x74, 0x68, 0x22,
      0x04, 0x6e, 0x61, 0x6d, 0x65, 0x2a, 0x06, 0x73, 0x74, 0x72, 0x69, 0x6e, 0x67, 0x4a, 0x62,
      0x0a, 0x60, 0x0a, 0x01, 0x41, 0x12, 0x5b, 0xa2, 0x01, 0x03, 0x12, 0x01, 0x31, 0xa2, 0x01,
      0x05, 0x12, 0x03, 0x22, 0x78, 0x22, 0xaa, 0x01, 0x02, 0x10, 0x01, 0xb2, 0x01, 0x08, 0x0a,
      0x06, 0x6f, 0x62, 0x6a, 0x65, 0x63, 0x74, 0xca, 0x01, 0x23, 0x0a, 0x21, 0x0a, 0x01, 0x6e,
      0x12, 0x1c, 0x12, 0x05, 0x69, 0x6e, 0x74, 0x36, 0x34, 0x49, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0xf8, 0x3f, 0xb2, 0x01, 0x09, 0x0a, 0x07, 0x69, 0x6e, 0x74, 0x65, 0x67, 0x65, 0x72,
      0xfa, 0x01, 0x14, 0x0a, 0x03, 0x78, 0x2d, 0x6b, 0x12, 0x0d, 0x12, 0x0b, 0x7b, 0x22, 0x61,
      0x22, 0x3a, 0x5b, 0x22, 0x76, 0x22, 0x5d, 0x7d};
  json::Document doc = ParseOk(R"({"swagger":"2.0","info":{"title":"T","version":"1"},
    "paths":{"/a/{name}":{
      "get":{"operationId":"g","responses":{"200":{"description":"OK",
                                                   "schema":{"$ref":"#/definitions/A"}}}},
      "parameters":[{"required":true,"in":"path","name":"name","type":"string"}]}},
    "definitions":{"A":{"enum":[1,"x"],"additionalProperties":true,"type":"object",
      "properties":{"n":{"format":"int64","minimum":1.5,"type":"integer"}},
      "x-k":{"a":["v"]}}}})");
  auto pb = openapi::SwaggerToGnostic(doc);
  REQUIRE(pb.ok());
  CHECK(pb.value() == std::string(reinterpret_cast<const char*>(kGolden), sizeof kGolden));
  CHECK_FALSE(openapi::SwaggerToGnostic(ParseOk("[1]")).ok());
}

TEST_CASE("openapi v2 protobuf holds every definition, property, path and extension") {
  json::Document doc = ParseOk(openapi::V2Json());
  Fields top = Decode(openapi::V2Protobuf());
  CHECK(One(top, 1) == "2.0");
  CHECK(One(Decode(One(top, 2)), 1) == "Kubernetes");

  // Definitions (9) → NamedSchema pairs (1); Schema.properties (25) → pairs (1).
  auto defs = Pairs(Decode(One(top, 9)), 1);
  const json::Value& jdefs = doc["definitions"];
  CHECK(defs.size() == jdefs.MemberCount());
  int props = 0;
  for (const auto& m : jdefs.GetObject()) {
    INFO(m.name.GetString());
    REQUIRE(defs.count(m.name.GetString()) == 1);
    Fields schema = Decode(defs[m.name.GetString()]);
    if (m.value.HasMember("description")) {
      CHECK(One(schema, 4) == m.value["description"].GetString());
    }
    if (!m.value.HasMember("properties")) continue;
    auto fields = Pairs(Decode(One(schema, 25)), 1);
    CHECK(fields.size() == m.value["properties"].MemberCount());
    for (const auto& p : m.value["properties"].GetObject()) {
      REQUIRE(fields.count(p.name.GetString()) == 1);
      ++props;
    }
  }
  CHECK(props > 1000);

  // The Pod's GVK extension (31) carries YAML that parses back to the JSON value.
  Fields pod = Decode(defs["io.k8s.api.core.v1.Pod"]);
  auto ext = Pairs(pod, 31);
  REQUIRE(ext.count("x-kubernetes-group-version-kind") == 1);
  json::Document gvk = ParseOk(One(Decode(ext["x-kubernetes-group-version-kind"]), 2));
  CHECK(json::Serialize(gvk) ==
        json::Serialize(
            doc["definitions"]["io.k8s.api.core.v1.Pod"]["x-kubernetes-group-version-kind"]));

  // Paths (8) → NamedPathItem (2); a PATCH (8) names fieldValidation as a query parameter.
  auto paths = Pairs(Decode(One(top, 8)), 2);
  CHECK(paths.size() == doc["paths"].MemberCount());
  const char* kDeployment = "/apis/apps/v1/namespaces/{namespace}/deployments/{name}";
  REQUIRE(paths.count(kDeployment) == 1);
  Fields patch = Decode(One(Decode(paths[kDeployment]), 8));
  std::vector<std::string> names;
  bool body = false;
  for (const std::string& item : All(patch, 8)) {
    Fields param = Decode(One(Decode(item), 1));
    if (param.count(1)) {
      body = true;  // BodyParameter
      continue;
    }
    Fields query = Decode(One(Decode(One(param, 2)), 3));
    names.push_back(One(query, 4));
  }
  CHECK(body);
  CHECK(std::find(names.begin(), names.end(), "fieldValidation") != names.end());
  auto op_ext = Pairs(patch, 13);
  CHECK(op_ext.count("x-kubernetes-group-version-kind") == 1);
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
  CHECK(m == FieldValidation::kWarn);  // the server default
  CHECK(ParseFieldValidation("Ignore", &m));
  CHECK(m == FieldValidation::kIgnore);
  CHECK(ParseFieldValidation("Strict", &m));
  CHECK(m == FieldValidation::kStrict);
  CHECK(ParseFieldValidation("Warn", &m));
  CHECK(m == FieldValidation::kWarn);
  CHECK_FALSE(ParseFieldValidation("strictly", &m));
}

}  // namespace
}  // namespace cluster::api

namespace cluster::api {
namespace {

TEST_CASE("type errors in Go's words; null and unknown members pass") {
  const schema::Type& dep = Kind("apps", "Deployment");
  auto err = [&](const char* text) { return FindTypeError(ParseOk(text), dep); };
  CHECK(err(R"({"spec":{"replicas":"3"}})") ==
        "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type "
        "int32");
  CHECK(err(R"({"spec":{"replicas":3.5}})") ==
        "json: cannot unmarshal number 3.5 into Go struct field DeploymentSpec.spec.replicas of "
        "type int32");
  CHECK(err(R"({"spec":{"replicas":4294967296}})").find("number 4294967296") != std::string::npos);
  CHECK(err(R"({"spec":"x"})") ==
        "json: cannot unmarshal string into Go struct field Deployment.spec of type "
        "v1.DeploymentSpec");
  CHECK(err(R"({"metadata":{"labels":{"a":1}}})") ==
        "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type "
        "string");
  CHECK(err(R"({"spec":{"template":{"spec":{"containers":{"name":"c"}}}}})") ==
        "json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers "
        "of type []v1.Container");
  CHECK(err(R"({"spec":{"strategy":{"rollingUpdate":{"maxSurge":true}}}})") ==
        "json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy."
        "rollingUpdate.maxSurge of type intstr.IntOrString");
  CHECK(
      err(R"({"spec":{"replicas":null,"bogus":5,"strategy":{"rollingUpdate":{"maxSurge":"25%"}}},)"
          R"("metadata":{"annotations":{"a":"b"}}})")
          .empty());
  // Inline members (a Volume's sources) are checked where they appear.
  const schema::Type& pod = Kind("", "Pod");
  CHECK(FindTypeError(ParseOk(R"({"spec":{"volumes":[{"name":"v","emptyDir":5}]}})"), pod) ==
        "json: cannot unmarshal number into Go struct field Volume.spec.volumes.emptyDir of type "
        "v1.EmptyDirVolumeSource");
}

}  // namespace
}  // namespace cluster::api
