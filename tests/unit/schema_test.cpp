// Schema table and protobuf codec: table facts, golden bytes produced independently by protoc
// from the published k8s.io/api v1.32 generated.proto files, a round trip of every kind in the
// table, and malformed input.
#include "api/schema.h"

#include <catch2/catch.hpp>
#include <functional>
#include <random>
#include <string>

#include "api/protobuf.h"
#include "common/base64.h"
#include "common/json.h"

namespace cluster::api {
namespace {

using schema::Field;
using schema::Scalar;
using schema::Schema;
using schema::Shape;
using schema::Type;

std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// Wraps a raw message in the k8s envelope the way Go does (all four Unknown fields written).
std::string Envelope(std::string_view api_version, std::string_view kind, std::string_view raw) {
  auto field = [](int n, std::string_view v) {
    std::string out(1, static_cast<char>(n << 3 | 2));
    size_t len = v.size();
    while (len >= 0x80) {
      out.push_back(static_cast<char>((len & 0x7f) | 0x80));
      len >>= 7;
    }
    out.push_back(static_cast<char>(len));
    return out + std::string(v);
  };
  std::string tm = field(1, api_version) + field(2, kind);
  return std::string("k8s\0", 4) + field(1, tm) + field(2, raw) + field(3, "") + field(4, "");
}

json::Document J(std::string_view text) {
  auto doc = json::Parse(text);
  REQUIRE(doc.ok());
  return std::move(doc).value();
}

void RequireSameJson(const json::Value& got, const json::Value& want) {
  INFO("got:  " << json::Serialize(got));
  INFO("want: " << json::Serialize(want));
  REQUIRE(got == want);
}

const Field& F(std::string_view type, std::string_view json_name) {
  const Type* t = Schema::Get().FindType(type);
  REQUIRE(t != nullptr);
  const Field* f = t->FieldByJsonName(json_name);
  REQUIRE(f != nullptr);
  return *f;
}

TEST_CASE("schema: the embedded table parses and holds the kinds kubectl creates") {
  const Schema& s = Schema::Get();
  for (auto [group, kind] : std::vector<std::pair<std::string, std::string>>{
           {"", "Namespace"},
           {"", "ConfigMap"},
           {"", "Secret"},
           {"", "Service"},
           {"", "ServiceAccount"},
           {"", "ResourceQuota"},
           {"", "Pod"},
           {"", "Node"},
           {"", "Endpoints"},
           {"", "Event"},
           {"", "ReplicationController"},
           {"", "LimitRange"},
           {"", "PersistentVolume"},
           {"", "PersistentVolumeClaim"},
           {"", "PodList"},
           {"apps", "Deployment"},
           {"apps", "ReplicaSet"},
           {"apps", "StatefulSet"},
           {"apps", "DaemonSet"},
           {"apps", "ControllerRevision"},
           {"batch", "Job"},
           {"batch", "CronJob"},
           {"rbac.authorization.k8s.io", "Role"},
           {"rbac.authorization.k8s.io", "ClusterRole"},
           {"rbac.authorization.k8s.io", "RoleBinding"},
           {"rbac.authorization.k8s.io", "ClusterRoleBinding"},
           {"scheduling.k8s.io", "PriorityClass"},
           {"policy", "PodDisruptionBudget"},
           {"authorization.k8s.io", "SelfSubjectAccessReview"},
           {"authorization.k8s.io", "SubjectAccessReview"},
           {"coordination.k8s.io", "Lease"},
           {"discovery.k8s.io", "EndpointSlice"},
           {"events.k8s.io", "Event"}}) {
    INFO(group << "/" << kind);
    CHECK(s.FindKind(group, "v1", kind) != nullptr);
  }
  CHECK(s.FindKindByApiVersion("apps/v1", "Deployment")->name == "apps.v1.Deployment");
  CHECK(s.FindKindByApiVersion("v1", "Status")->name == "meta.v1.Status");
  CHECK(s.FindKindByApiVersion("batch/v1", "DeleteOptions")->name == "meta.v1.DeleteOptions");
  CHECK(s.FindKind("", "v1", "Deployment") == nullptr);
  CHECK(s.types().size() > 300);
}

TEST_CASE("schema: field facts match k8s.io/api v1.32") {
  CHECK(F("meta.v1.ObjectMeta", "name").number == 1);
  CHECK(F("meta.v1.ObjectMeta", "managedFields").number == 17);
  CHECK(F("meta.v1.ObjectMeta", "creationTimestamp").scalar == Scalar::kTime);
  CHECK(F("meta.v1.ObjectMeta", "deletionTimestamp").pointer);
  const Field& containers = F("core.v1.PodSpec", "containers");
  CHECK(containers.number == 2);
  CHECK(containers.shape == Shape::kRepeated);
  CHECK(containers.message->name == "core.v1.Container");
  CHECK(containers.patch_strategy == "merge");
  CHECK(containers.patch_merge_key == "name");
  CHECK(containers.list_type == "map");
  CHECK(containers.required);
  CHECK(F("core.v1.Container", "ports").list_map_keys ==
        std::vector<std::string>{"containerPort", "protocol"});
  CHECK(F("core.v1.ServicePort", "targetPort").scalar == Scalar::kIntOrString);
  CHECK(F("core.v1.Secret", "data").shape == Shape::kMap);
  CHECK(F("core.v1.Secret", "data").scalar == Scalar::kBytes);
  CHECK(F("core.v1.ResourceRequirements", "limits").scalar == Scalar::kQuantity);
  CHECK(F("apps.v1.DeploymentSpec", "replicas").wire_type() == schema::kVarint);
  CHECK(F("apps.v1.DeploymentSpec", "template").wire_type() == schema::kLengthDelimited);
  // Inline sources: Volume's JSON holds VolumeSource's members.
  const Type* owner = nullptr;
  const Field* empty_dir =
      Schema::Get().FindType("core.v1.Volume")->FieldByJsonName("emptyDir", &owner);
  REQUIRE(empty_dir != nullptr);
  CHECK(owner->name == "core.v1.VolumeSource");
  CHECK(F("authorization.v1.SubjectAccessReviewSpec", "extra").message->wrapper);
  CHECK(!F("core.v1.Container", "name").description.empty());
}

TEST_CASE("schema: malformed schema text is rejected with the line") {
  auto bad = [](std::string_view text) {
    auto r = Schema::Parse(text);
    REQUIRE(!r.ok());
    return r.status().message();
  };
  CHECK(bad("type A \"x\"\n").find("before package") != std::string::npos);
  CHECK(bad("package p.v1 group=g version=v1\ntype A \"a\"\n  b 1 Missing \"\"\n")
            .find("unknown type p.v1.Missing") != std::string::npos);
  CHECK(bad("package p.v1 group=g version=v1\ntype A \"a\"\n  b x string \"\"\n").find("line 3") !=
        std::string::npos);
  CHECK(bad("package p.v1 group=g version=v1\ntype A \"a\"\n  b 1 string\n  c 1 string\n")
            .find("two fields numbered 1") != std::string::npos);
  CHECK(bad("package p.v1 group=g version=v1\ntype A \"a\"\n  b 1 string bogus\n")
            .find("unknown field flag") != std::string::npos);
}

// Golden bytes: `protoc --encode=k8s.io.api.core.v1.ConfigMap k8s.io/api/core/v1/generated.proto`
// (protoc 3.21, Debian 12) over the v1.32 generated.proto files, with the text protos noted.
struct Golden {
  const char* api_version;
  const char* kind;
  const char* hex;
  const char* json;  // what kube-apiserver's Go JSON encoding gives for the decoded object
};

const Golden kGoldens[] = {
    // metadata { name: "c" namespace: "default" } data { key: "a" value: "b" }
    {"v1", "ConfigMap", "0a0c0a01631a0764656661756c7412060a0161120162",
     R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"default",
        "creationTimestamp":null},"data":{"a":"b"}})"},
    // metadata { name: "test" creationTimestamp {} } spec { finalizers: "kubernetes" }
    // status { phase: "Active" }
    {"v1", "Namespace", "0a080a04746573744200120c0a0a6b756265726e657465731a080a06416374697665",
     R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"test","creationTimestamp":null},
        "spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}})"},
    // What `kubectl create deployment nginx --image=nginx` sends.
    {"apps/v1", "Deployment",
     "0a170a056e67696e7842005a0c0a0361707012056e67696e78123c0801120e0a0c0a0361707012056e67696e78"
     "1a260a1042005a0c0a0361707012056e67696e78121212100a056e67696e7812056e67696e78420022001a00",
     R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nginx",
        "creationTimestamp":null,"labels":{"app":"nginx"}},"spec":{"replicas":1,
        "selector":{"matchLabels":{"app":"nginx"}},"template":{"metadata":{
        "creationTimestamp":null,"labels":{"app":"nginx"}},"spec":{"containers":[{"name":"nginx",
        "image":"nginx","resources":{}}]}},"strategy":{}},"status":{}})"},
    // `kubectl create service clusterip my-cs --tcp=5678:8080`
    {"v1", "Service",
     "0a170a056d792d637342005a0c0a0361707012056d792d637312370a1c0a09353637382d383038301203544350"
     "18ae2c2207080010903f1a00120c0a0361707012056d792d63732209436c757374657249501a020a00",
     R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"my-cs","creationTimestamp":null,
        "labels":{"app":"my-cs"}},"spec":{"ports":[{"name":"5678-8080","protocol":"TCP",
        "port":5678,"targetPort":8080}],"selector":{"app":"my-cs"},"type":"ClusterIP"},
        "status":{"loadBalancer":{}}})"},
    // `kubectl create secret generic s --from-literal=p=q`
    {"v1", "Secret", "0a050a0173420012060a0170120171",
     R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","creationTimestamp":null},
        "data":{"p":"cQ=="}})"},
    // A pod with a timestamp, quantities, a toleration and node affinity.
    {"v1", "Pod",
     "0a130a01701a047465737442080880e2cfaa06100012830112450a0163120762757379626f781a05736c656570"
     "1a043336303032071850220354435042210a0d0a0363707512060a043530306d12100a066d656d6f727912060a"
     "0436344d6992011b0a190a170a150a130a086469736b747970651202496e1a03737364b2011b0a016b1205457175"
     "616c1a0176220a4e6f5363686564756c65281e",
     R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"test",
        "creationTimestamp":"2023-11-14T22:13:20Z"},"spec":{"containers":[{"name":"c",
        "image":"busybox","command":["sleep","3600"],"ports":[{"containerPort":80,
        "protocol":"TCP"}],"resources":{"limits":{"cpu":"500m"},"requests":{"memory":"64Mi"}}}],
        "tolerations":[{"key":"k","operator":"Equal","value":"v","effect":"NoSchedule",
        "tolerationSeconds":30}],"affinity":{"nodeAffinity":{
        "requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{
        "matchExpressions":[{"key":"disktype","operator":"In","values":["ssd"]}]}]}}}},
        "status":{}})"},
};

TEST_CASE("protobuf: golden bytes from protoc decode to the JSON kube-apiserver writes") {
  for (const Golden& g : kGoldens) {
    INFO(g.kind);
    auto doc = DecodeProtobufObject(Envelope(g.api_version, g.kind, Hex(g.hex)));
    REQUIRE(doc.ok());
    RequireSameJson(*doc, J(g.json));
  }
}

TEST_CASE("protobuf: the envelope matches protoc's runtime.Unknown encoding") {
  // typeMeta { apiVersion: "v1" kind: "ConfigMap" } raw: <ConfigMap golden>
  // contentEncoding: "" contentType: ""
  std::string unknown = Hex(
      "0a0f0a0276311209436f6e6669674d617012160a0c0a01631a0764656661756c7412060a01611201621a002200");
  std::string body = std::string("k8s\0", 4) + unknown;
  CHECK(body == Envelope("v1", "ConfigMap", Hex(kGoldens[0].hex)));
  auto encoded = EncodeProtobufObject(J(R"({"apiVersion":"v1","kind":"ConfigMap",
      "metadata":{"name":"c","namespace":"default"},"data":{"a":"b"}})"));
  REQUIRE(encoded.ok());
  CHECK(*encoded == body);
}

TEST_CASE("protobuf: the encoder writes the published field numbers") {
  // Our encoder leaves out absent fields (creationTimestamp, empty status), so encode JSON
  // without them and compare with protoc's bytes for the same text proto.
  auto ns = EncodeProtobufObject(J(R"({"apiVersion":"v1","kind":"Namespace",
      "metadata":{"name":"test"},"spec":{"finalizers":["kubernetes"]},
      "status":{"phase":"Active"}})"));
  REQUIRE(ns.ok());
  // metadata { name: "test" } spec { finalizers: "kubernetes" } status { phase: "Active" }
  CHECK(*ns == Envelope("v1", "Namespace",
                        Hex("0a060a0474657374120c0a0a6b756265726e657465731a080a06416374697665")));
  auto svc = EncodeProtobufObject(J(R"({"apiVersion":"v1","kind":"Service",
      "metadata":{"name":"my-cs","labels":{"app":"my-cs"},"creationTimestamp":null},
      "spec":{"ports":[{"name":"5678-8080","protocol":"TCP","port":5678,"targetPort":8080}],
      "selector":{"app":"my-cs"},"type":"ClusterIP"},"status":{"loadBalancer":{}}})"));
  REQUIRE(svc.ok());
  std::string golden_svc = Hex(kGoldens[3].hex);
  // Same as protoc's except for the empty creationTimestamp (42 00) that Go always writes.
  std::string without_ts = golden_svc;
  without_ts.replace(without_ts.find(Hex("42005a0c")), 4, Hex("5a0c"));
  without_ts[1] = static_cast<char>(without_ts[1] - 2);
  CHECK(*svc == Envelope("v1", "Service", without_ts));
}

// A representative object for `type`: every field set to a non-zero sample (or every scalar to
// its zero value when `zero`), so a round trip exercises every field of every type in the table.
void Sample(const Type& type, json::Value& obj, json::Allocator& a, int depth, bool zero);

json::Value SampleValue(const Field& f, json::Allocator& a, int depth, bool zero, int salt) {
  switch (f.scalar) {
    case Scalar::kString:
      return json::String(zero ? "" : f.json_name + "-" + std::to_string(salt), a);
    case Scalar::kInt32:
      return json::Value(zero ? 0 : 7 + salt);
    case Scalar::kInt64:
      return json::Value(static_cast<int64_t>(zero ? 0 : 1234567890123LL + salt));
    case Scalar::kBool:
      return json::Value(!zero);
    case Scalar::kDouble:
      return json::Value(zero ? 0.0 : 1.5);
    case Scalar::kBytes:
      return json::String(zero ? "" : Base64Encode("bytes\x01\xff"), a);
    case Scalar::kIntOrString:
      return salt % 2 ? json::Value(8080) : json::String("http", a);
    case Scalar::kQuantity:
      return json::String(salt % 2 ? "100m" : "64Mi", a);
    case Scalar::kTime:
      return json::String("2024-05-06T07:08:09Z", a);
    case Scalar::kMicroTime:
      return json::String("2024-05-06T07:08:09.123456Z", a);
    case Scalar::kRawExtension:
    case Scalar::kFieldsV1: {
      json::Value v;
      v.CopyFrom(J(R"({"f:metadata":{"f:labels":{}},"n":[1,"x"]})"), a);
      return v;
    }
    case Scalar::kDuration:
      return json::String("1s", a);
    case Scalar::kMessage: {
      json::Value v(rapidjson::kObjectType);
      if (f.message->wrapper) {
        v.SetArray();
        v.PushBack(json::String("x", a), a).PushBack(json::String("y", a), a);
      } else {
        Sample(*f.message, v, a, depth + 1, zero);
      }
      return v;
    }
  }
  return json::Value();
}

void Sample(const Type& type, json::Value& obj, json::Allocator& a, int depth, bool zero) {
  if (depth > 40) return;  // no type in the table is recursive
  for (const Field& f : type.fields) {
    if (f.inline_json) {
      Sample(*f.message, obj, a, depth + 1, zero);
      continue;
    }
    json::Value v;
    if (f.shape == Shape::kRepeated) {
      v.SetArray();
      for (int i = 0; i < (zero ? 1 : 2); ++i) v.PushBack(SampleValue(f, a, depth, zero, i), a);
    } else if (f.shape == Shape::kMap) {
      v.SetObject();
      v.AddMember(json::String("k1", a), SampleValue(f, a, depth, zero, 1), a);
      if (!zero) v.AddMember(json::String("a0", a), SampleValue(f, a, depth, zero, 2), a);
    } else {
      v = SampleValue(f, a, depth, zero, 1);
    }
    json::Set(obj, f.json_name, std::move(v), a);
  }
}

TEST_CASE("protobuf: every kind in the table round-trips through protobuf") {
  for (bool zero : {false, true}) {
    for (const Type* kind : Schema::Get().kinds()) {
      INFO(kind->name << (zero ? " (zero values)" : ""));
      json::Document obj(rapidjson::kObjectType);
      auto& a = obj.GetAllocator();
      std::string api_version = kind->group.empty() || kind->group == "meta.k8s.io"
                                    ? kind->version
                                    : kind->group + "/" + kind->version;
      json::SetString(obj, "apiVersion", api_version, a);
      json::SetString(obj, "kind", kind->short_name, a);
      Sample(*kind, obj, a, 0, zero);
      auto bytes = EncodeProtobufObject(obj);
      REQUIRE(bytes.ok());
      auto back = DecodeProtobufObject(*bytes);
      INFO(back.status().message());
      REQUIRE(back.ok());
      NormalizeAsGo(*kind, obj, a);
      RequireSameJson(*back, obj);
      if (!zero) {
        // With every field set, encoding the decoded object gives the same bytes again.
        auto again = EncodeProtobufObject(*back);
        REQUIRE(again.ok());
        CHECK(*again == *bytes);
      }
    }
  }
}

TEST_CASE("protobuf: decoded JSON follows Go's member order") {
  auto doc = DecodeProtobufObject(Envelope("apps/v1", "Deployment", Hex(kGoldens[2].hex)));
  REQUIRE(doc.ok());
  CHECK(json::Serialize(*doc) ==
        R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nginx",)"
        R"("creationTimestamp":null,"labels":{"app":"nginx"}},"spec":{"replicas":1,)"
        R"("selector":{"matchLabels":{"app":"nginx"}},"template":{"metadata":{)"
        R"("creationTimestamp":null,"labels":{"app":"nginx"}},"spec":{"containers":[{)"
        R"("name":"nginx","image":"nginx","resources":{}}]}},"strategy":{}},"status":{}})");
}

TEST_CASE("protobuf: special values") {
  SECTION("Time drops nanos, MicroTime keeps micros, zero time is null") {
    std::string s;
    REQUIRE(FormatRfc3339(0, 0, false).value() == "1970-01-01T00:00:00Z");
    REQUIRE(FormatRfc3339(1700000000, 123456789, true).value() == "2023-11-14T22:13:20.123456Z");
    int64_t sec = 0;
    int32_t ns = 0;
    REQUIRE(ParseRfc3339("2023-11-14T23:13:20.5+01:00", &sec, &ns).ok());
    CHECK(sec == 1700000000);
    CHECK(ns == 500000000);
    CHECK(!ParseRfc3339("2023-02-29T00:00:00Z", &sec, &ns).ok());
    CHECK(!ParseRfc3339("2023-11-14 23:13:20Z", &sec, &ns).ok());
    CHECK(!FormatRfc3339(400000000000, 0, false).ok());
  }
  SECTION("IntOrString string form and RawExtension") {
    auto obj = J(R"({"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"r"},
        "data":{"spec":{"x":[1,2]}},"revision":3})");
    auto bytes = EncodeProtobufObject(obj);
    REQUIRE(bytes.ok());
    auto back = DecodeProtobufObject(*bytes);
    REQUIRE(back.ok());
    CHECK(json::Serialize(*json::Find(*back, {"data"})) == R"({"spec":{"x":[1,2]}})");
  }
  SECTION("invalid UTF-8 in strings becomes U+FFFD as in Go") {
    // ConfigMap metadata { name: "a\xff" }
    auto doc = DecodeProtobufObject(Envelope("v1", "ConfigMap", Hex("0a040a0261ff")));
    REQUIRE(doc.ok());
    CHECK(json::GetString(*doc, {"metadata", "name"}) == "a\xef\xbf\xbd");
  }
  SECTION("unknown fields are skipped by wire type") {
    // ConfigMap{ 99: varint 5, 98: fixed64, 97: bytes "zz", 96: fixed32, metadata{name:"c"} }
    std::string raw = Hex("98060591060102030405060708") + Hex("8a06027a7a") + Hex("850601020304") +
                      Hex("0a030a0163");
    auto doc = DecodeProtobufObject(Envelope("v1", "ConfigMap", raw));
    REQUIRE(doc.ok());
    CHECK(json::GetString(*doc, {"metadata", "name"}) == "c");
  }
  SECTION("packed repeated varints are accepted") {
    // SubjectRulesReviewStatus has no ints; use PodSecurityContext.supplementalGroups (int64, 4)
    // inside Pod.spec.securityContext (14): packed [1, 2].
    std::string psc = Hex("2202") + Hex("0102");
    std::string spec = Hex("72") + std::string(1, static_cast<char>(psc.size())) + psc;
    std::string raw = Hex("12") + std::string(1, static_cast<char>(spec.size())) + spec;
    auto doc = DecodeProtobufObject(Envelope("v1", "Pod", raw));
    INFO(doc.status().message());
    REQUIRE(doc.ok());
    RequireSameJson(*json::Find(*doc, {"spec", "securityContext", "supplementalGroups"}),
                    J("[1,2]"));
  }
  SECTION("type errors in JSON are reported with the field path") {
    auto r = EncodeProtobufObject(
        J(R"({"apiVersion":"v1","kind":"Service","spec":{"ports":[{"port":"x"}]}})"));
    REQUIRE(!r.ok());
    CHECK(r.status().code() == Code::kBadRequest);
    CHECK(r.status().message() == "spec.ports[0].port: expected 32-bit integer");
  }
}

void RequireBadRequest(const Result<json::Document>& r, std::string_view needle) {
  INFO("status: " << r.status().message());
  REQUIRE(!r.ok());
  CHECK(r.status().code() == Code::kBadRequest);
  CHECK(r.status().message().find(needle) != std::string::npos);
}

TEST_CASE("protobuf: malformed input is a 400, never a crash") {
  std::string cm = Hex(kGoldens[0].hex);
  RequireBadRequest(DecodeProtobufObject("k8s"), "prefix");
  RequireBadRequest(DecodeProtobufObject("{\"kind\":\"Pod\"}"), "prefix");
  RequireBadRequest(DecodeProtobufObject(Envelope("v1", "Nope", cm)), "no kind");
  RequireBadRequest(DecodeProtobufObject(Envelope("", "", cm)), "apiVersion");
  // Truncated varint in a tag and in a value.
  RequireBadRequest(DecodeProtobufObject(Envelope("v1", "ConfigMap", Hex("80"))), "truncated");
  RequireBadRequest(DecodeProtobufObject(Envelope("apps/v1", "Deployment", Hex("120208ff"))),
                    "truncated varint");
  // Varint of 11 bytes.
  RequireBadRequest(
      DecodeProtobufObject(Envelope("apps/v1", "Deployment", Hex("120c08ffffffffffffffffffff01"))),
      "varint");
  // Wrong wire type: ObjectMeta.name (string) sent as a varint.
  RequireBadRequest(DecodeProtobufObject(Envelope("v1", "ConfigMap", Hex("0a020801"))),
                    "ObjectMeta.name: wire type 0");
  // Length past the end, and a huge declared length.
  RequireBadRequest(DecodeProtobufObject(Envelope("v1", "ConfigMap", Hex("0a0c0a01"))),
                    "runs past the end");
  RequireBadRequest(DecodeProtobufObject(Envelope("v1", "ConfigMap",
                                                  Hex("0a"
                                                      "ffffffffffffffff7f"))),
                    "runs past the end");
  // Field number 0, groups, invalid wire types.
  RequireBadRequest(DecodeProtobufObject(Envelope("v1", "ConfigMap", Hex("0001"))),
                    "field number 0");
  RequireBadRequest(DecodeProtobufObject(Envelope("v1", "ConfigMap", Hex("fb07"))), "wire type");
  RequireBadRequest(DecodeProtobufObject(Envelope("v1", "ConfigMap", Hex("0f"))), "wire type");
  // Envelope itself truncated.
  std::string body = Envelope("v1", "ConfigMap", cm);
  RequireBadRequest(DecodeProtobufObject(body.substr(0, body.size() - 10)), "past the end");
  // RawExtension that is not JSON; IntOrString with an unknown type; a bad quantity.
  RequireBadRequest(DecodeProtobufObject(Envelope("apps/v1", "ControllerRevision",
                                                  Hex("1203"
                                                      "0a01"
                                                      "7b"))),
                    "not JSON");
  RequireBadRequest(DecodeProtobufObject(Envelope("v1", "Service",
                                                  Hex("1206"
                                                      "0a04"
                                                      "2202"
                                                      "0807"))),
                    "IntOrString");  // Service.spec.ports[0].targetPort = IntOrString{type: 7}
  // ResourceQuota.spec.hard["c"] = Quantity{string: ""}
  RequireBadRequest(DecodeProtobufObject(Envelope("v1", "ResourceQuota",
                                                  Hex("1209"
                                                      "0a07"
                                                      "0a01"
                                                      "63"
                                                      "1202"
                                                      "0a00"))),
                    "quantity");
  RequireBadRequest(DecodeProtobufObject(std::string("k8s\0", 4) + Hex("1a0167")),
                    "contentEncoding");
}

TEST_CASE("protobuf: nesting deeper than the limit is rejected") {
  auto parsed = Schema::Parse(
      "package t.v1 group=t version=v1\ntype Node kind \"n\"\n"
      "  child 1 Node ptr omitempty \"\"\n  name 2 string omitempty \"\"\n");
  REQUIRE(parsed.ok());
  const Type* node = (*parsed)->FindType("t.v1.Node");
  auto nest = [](int levels) {
    std::string msg = Hex("12016e");  // name: "n"
    for (int i = 0; i < levels; ++i) {
      std::string len;
      size_t n = msg.size();
      while (n >= 0x80) {
        len.push_back(static_cast<char>((n & 0x7f) | 0x80));
        n >>= 7;
      }
      len.push_back(static_cast<char>(n));
      msg = "\x0a" + len + msg;
    }
    return msg;
  };
  CHECK(DecodeProtobufMessage(*node, nest(50)).ok());
  RequireBadRequest(DecodeProtobufMessage(*node, nest(150)), "nesting deeper than 100");
  RequireBadRequest(DecodeProtobufMessage(*node, nest(100000)), "nesting deeper than 100");
  json::Document deep = J(R"({"name":"x"})");
  for (int i = 0; i < 120; ++i) {
    json::Document outer(rapidjson::kObjectType);
    json::Value inner;
    inner.CopyFrom(deep, outer.GetAllocator());
    outer.AddMember("child", inner, outer.GetAllocator());
    deep.Swap(outer);
  }
  auto enc = EncodeProtobufMessage(*node, deep);
  REQUIRE(!enc.ok());
  CHECK(enc.status().message().find("nesting deeper") != std::string::npos);
}

TEST_CASE("protobuf: truncations and random corruption of valid bodies never crash") {
  std::vector<std::string> bodies;
  for (const Golden& g : kGoldens) bodies.push_back(Envelope(g.api_version, g.kind, Hex(g.hex)));
  std::mt19937 rng(42);
  int decoded = 0;
  for (const std::string& body : bodies) {
    for (size_t n = 0; n <= body.size(); ++n)
      decoded += DecodeProtobufObject(body.substr(0, n)).ok();
    for (int i = 0; i < 2000; ++i) {
      std::string b = body;
      int flips = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < flips; ++k) b[4 + rng() % (b.size() - 4)] = static_cast<char>(rng());
      auto r = DecodeProtobufObject(b);
      if (!r.ok()) CHECK(r.status().code() == Code::kBadRequest);
      decoded += r.ok();
    }
  }
  CHECK(decoded > 0);
}

}  // namespace
}  // namespace cluster::api
