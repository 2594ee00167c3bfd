#include "api/patch.h"

#include <catch2/catch.hpp>

#include "test_json.h"

using namespace cluster;
using namespace cluster::api;

namespace {

using cluster::testing::Json;

// Applies an RFC 6902 patch and returns the document, or fails the test.
std::string JsonPatched(std::string_view doc, std::string_view patch) {
  json::Document d = Json(doc);
  Status st = ApplyJsonPatch(d, patch);
  INFO(st.message());
  REQUIRE(st.ok());
  return json::Serialize(d);
}

Status JsonPatchError(std::string_view doc, std::string_view patch) {
  json::Document d = Json(doc);
  std::string before = json::Serialize(d);
  Status st = ApplyJsonPatch(d, patch);
  CHECK_FALSE(st.ok());
  CHECK(json::Serialize(d) == before);  // all or nothing
  return st;
}

std::string MergePatched(std::string_view doc, std::string_view patch) {
  json::Document d = Json(doc);
  json::Document p = Json(patch);
  Status st = ApplyMergePatch(d, p);
  INFO(st.message());
  REQUIRE(st.ok());
  return json::Serialize(d);
}

std::string Smp(std::string_view kind, std::string_view doc, std::string_view patch) {
  json::Document d = Json(doc);
  json::Document p = Json(patch);
  Status st = ApplyStrategicMergePatch(d, p, BuiltinPatchSchema(), kind);
  INFO(st.message());
  REQUIRE(st.ok());
  return json::Serialize(d);
}

Status SmpError(std::string_view kind, std::string_view doc, std::string_view patch) {
  json::Document d = Json(doc);
  json::Document p = Json(patch);
  std::string before = json::Serialize(d);
  Status st = ApplyStrategicMergePatch(d, p, BuiltinPatchSchema(), kind);
  CHECK_FALSE(st.ok());
  CHECK(json::Serialize(d) == before);
  return st;
}

// Compares JSON texts structurally (object member order is irrelevant, array order matters).
bool SameJson(std::string_view a, std::string_view b) { return Json(a) == Json(b); }

#define CHECK_JSON(actual, expected)  \
  do {                                \
    std::string _a = (actual);        \
    INFO("actual:   " << _a);         \
    INFO("expected: " << (expected)); \
    CHECK(SameJson(_a, expected));    \
  } while (0)

}  // namespace

// ---- RFC 6902 -----------------------------------------------------------------------------

TEST_CASE("json patch: RFC 6902 appendix A examples") {
  // A.1 - A.5
  CHECK_JSON(JsonPatched(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])"),
             R"({"baz":"qux","foo":"bar"})");
  CHECK_JSON(
      JsonPatched(R"({"foo":["bar","baz"]})", R"([{"op":"add","path":"/foo/1","value":"qux"}])"),
      R"({"foo":["bar","qux","baz"]})");
  CHECK_JSON(JsonPatched(R"({"baz":"qux","foo":"bar"})", R"([{"op":"remove","path":"/baz"}])"),
             R"({"foo":"bar"})");
  CHECK_JSON(JsonPatched(R"({"foo":["bar","qux","baz"]})", R"([{"op":"remove","path":"/foo/1"}])"),
             R"({"foo":["bar","baz"]})");
  CHECK_JSON(JsonPatched(R"({"baz":"qux","foo":"bar"})",
                         R"([{"op":"replace","path":"/baz","value":"boo"}])"),
             R"({"baz":"boo","foo":"bar"})");
  // A.6, A.7 move
  CHECK_JSON(JsonPatched(R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
                         R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])"),
             R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})");
  CHECK_JSON(JsonPatched(R"({"foo":["all","grass","cows","eat"]})",
                         R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])"),
             R"({"foo":["all","cows","eat","grass"]})");
  // A.8 test success, A.9 test failure
  CHECK_JSON(JsonPatched(R"({"baz":"qux","foo":["a",2,"c"]})",
                         R"([{"op":"test","path":"/baz","value":"qux"},
                             {"op":"test","path":"/foo/1","value":2}])"),
             R"({"baz":"qux","foo":["a",2,"c"]})");
  Status st = JsonPatchError(R"({"baz":"qux"})", R"([{"op":"test","path":"/baz","value":"bar"}])");
  CHECK(st.code() == Code::kInvalid);
  CHECK(st.message() == "testing value /baz failed: test failed");
  // A.10 nested member, A.11 unknown members ignored
  CHECK_JSON(JsonPatched(R"({"foo":"bar"})",
                         R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])"),
             R"({"foo":"bar","child":{"grandchild":{}}})");
  CHECK_JSON(
      JsonPatched(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux","xyz":123}])"),
      R"({"foo":"bar","baz":"qux"})");
  // A.12 adding to a nonexistent target
  st = JsonPatchError(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz/bat","value":"qux"}])");
  CHECK(st.code() == Code::kInvalid);
  // A.14 ~ escape ordering, A.15 strings are not numbers
  CHECK_JSON(JsonPatched(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":10}])"),
             R"({"/":9,"~1":10})");
  CHECK(JsonPatchError(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":"10"}])")
            .code() == Code::kInvalid);
  // A.16 adding an array value
  CHECK_JSON(
      JsonPatched(R"({"foo":["bar"]})", R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])"),
      R"({"foo":["bar",["abc","def"]]})");
}

TEST_CASE("json patch: pointers, copy and whole-document operations") {
  CHECK_JSON(JsonPatched(R"({"a/b":1,"m~n":2})", R"([{"op":"replace","path":"/a~1b","value":3},
                                                     {"op":"remove","path":"/m~0n"}])"),
             R"({"a/b":3})");
  CHECK_JSON(JsonPatched(R"({"a":{"b":[1]}})", R"([{"op":"copy","from":"/a","path":"/c"},
                                                   {"op":"add","path":"/c/b/0","value":0}])"),
             R"({"a":{"b":[1]},"c":{"b":[0,1]}})");
  CHECK_JSON(JsonPatched(R"({"a":1})", R"([{"op":"replace","path":"","value":{"z":1}}])"),
             R"({"z":1})");
  CHECK_JSON(JsonPatched(R"({"a":[1,2]})", R"([{"op":"add","path":"/a/2","value":3}])"),
             R"({"a":[1,2,3]})");
  CHECK_JSON(JsonPatched(R"({"a":1})", R"([{"op":"move","from":"/a","path":"/a"}])"), R"({"a":1})");
  CHECK_JSON(JsonPatched(R"({"a":1})", R"([{"op":"test","path":"/missing","value":null}])"),
             R"({"a":1})");
  CHECK_JSON(JsonPatched(R"({"metadata":{"labels":{"app":"x"}}})",
                         R"([{"op":"add","path":"/metadata/labels/tier","value":"web"}])"),
             R"({"metadata":{"labels":{"app":"x","tier":"web"}}})");
  CHECK_JSON(JsonPatched(R"({"a":1})", "[]"), R"({"a":1})");
}

TEST_CASE("json patch: operations that do not apply are 422 and change nothing") {
  const char* doc = R"({"a":{"b":1},"list":[1,2]})";
  CHECK(JsonPatchError(doc, R"([{"op":"remove","path":"/x"}])").message() ==
        "remove operation does not apply: doc is missing path: \"/x\": missing value");
  CHECK(JsonPatchError(doc, R"([{"op":"replace","path":"/x","value":1}])").code() ==
        Code::kInvalid);
  CHECK(JsonPatchError(doc, R"([{"op":"add","path":"/list/3","value":1}])").code() ==
        Code::kInvalid);
  CHECK(JsonPatchError(doc, R"([{"op":"remove","path":"/list/2"}])").code() == Code::kInvalid);
  CHECK(JsonPatchError(doc, R"([{"op":"remove","path":"/list/-"}])").code() == Code::kInvalid);
  CHECK(JsonPatchError(doc, R"([{"op":"add","path":"/list/01","value":1}])").code() ==
        Code::kInvalid);
  CHECK(JsonPatchError(doc, R"([{"op":"add","path":"/a/b/c","value":1}])").code() ==
        Code::kInvalid);
  CHECK(JsonPatchError(doc, R"([{"op":"move","from":"/a","path":"/a/c"}])").code() ==
        Code::kInvalid);
  CHECK(JsonPatchError(doc, R"([{"op":"copy","from":"/nope","path":"/c"}])").code() ==
        Code::kInvalid);
  CHECK(JsonPatchError(doc, R"([{"op":"remove","path":""}])").code() == Code::kInvalid);
  // Earlier operations are rolled back when a later one fails.
  CHECK(JsonPatchError(doc, R"([{"op":"add","path":"/new","value":1},
                               {"op":"remove","path":"/a/b"},
                               {"op":"test","path":"/list/0","value":9}])")
            .code() == Code::kInvalid);
}

TEST_CASE("json patch: malformed patches are 400") {
  const char* doc = R"({"a":1})";
  for (std::string_view patch :
       {"{", R"({"op":"add"})", "[1]", R"([{"path":"/a"}])", R"([{"op":"frob","path":"/a"}])",
        R"([{"op":"add","path":"/b"}])", R"([{"op":"remove"}])", R"([{"op":"remove","path":"a"}])",
        R"([{"op":"remove","path":"/a~2"}])", R"([{"op":"remove","path":"/a~"}])",
        R"([{"op":"move","path":"/b"}])", R"([{"op":"copy","path":"/b","from":1}])",
        R"([{"op":1,"path":"/a"}])", R"([{"op":"test","path":"/a"}])"}) {
    INFO(patch);
    CHECK(JsonPatchError(doc, patch).code() == Code::kBadRequest);
  }
  CHECK(JsonPatchError(doc, R"([{"op":"frob","path":"/a"}])").message() == "Unexpected kind: frob");
}

TEST_CASE("json patch: too many operations is 413") {
  std::string patch = "[";
  for (size_t i = 0; i <= kMaxJsonPatchOperations; ++i)
    patch += std::string(i ? "," : "") + R"({"op":"test","path":"/a","value":1})";
  patch += "]";
  CHECK(JsonPatchError(R"({"a":1})", patch).code() == Code::kTooLarge);
}

// ---- RFC 7386 -----------------------------------------------------------------------------

TEST_CASE("merge patch: RFC 7386 appendix A examples") {
  CHECK_JSON(MergePatched(R"({"a":"b"})", R"({"a":"c"})"), R"({"a":"c"})");
  CHECK_JSON(MergePatched(R"({"a":"b"})", R"({"b":"c"})"), R"({"a":"b","b":"c"})");
  CHECK_JSON(MergePatched(R"({"a":"b"})", R"({"a":null})"), R"({})");
  CHECK_JSON(MergePatched(R"({"a":"b","b":"c"})", R"({"a":null})"), R"({"b":"c"})");
  CHECK_JSON(MergePatched(R"({"a":["b"]})", R"({"a":"c"})"), R"({"a":"c"})");
  CHECK_JSON(MergePatched(R"({"a":"c"})", R"({"a":["b"]})"), R"({"a":["b"]})");
  CHECK_JSON(MergePatched(R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})"),
             R"({"a":{"b":"d"}})");
  CHECK_JSON(MergePatched(R"({"a":[{"b":"c"}]})", R"({"a":[1]})"), R"({"a":[1]})");
  CHECK_JSON(MergePatched(R"({"e":null})", R"({"a":1})"), R"({"e":null,"a":1})");
  CHECK_JSON(MergePatched(R"([1,2])", R"({"a":"b","c":null})"), R"({"a":"b"})");
  CHECK_JSON(MergePatched(R"({})", R"({"a":{"bb":{"ccc":null}}})"), R"({"a":{"bb":{}}})");
  // Non-object patches would replace the whole object: refused.
  for (std::string_view patch : {R"(["c","d"])", "null", R"("bar")", "1"}) {
    json::Document d = Json(R"({"a":"foo"})");
    json::Document p = Json(patch);
    Status st = ApplyMergePatch(d, p);
    CHECK(st.code() == Code::kBadRequest);
    CHECK(json::Serialize(d) == R"({"a":"foo"})");
  }
}

TEST_CASE("merge patch: lists are replaced, labels added and removed") {
  CHECK_JSON(
      MergePatched(
          R"({"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"containers":[{"name":"x"}]}})",
          R"({"metadata":{"labels":{"a":null,"c":"3"}},"spec":{"containers":[{"name":"y"}]}})"),
      R"({"metadata":{"labels":{"b":"2","c":"3"}},"spec":{"containers":[{"name":"y"}]}})");
}

// ---- Strategic merge patch ----------------------------------------------------------------

namespace {

const char* kPod = R"({
  "apiVersion":"v1","kind":"Pod",
  "metadata":{"name":"p","labels":{"app":"web","tier":"fe"},"finalizers":["a","b"]},
  "spec":{
    "containers":[
      {"name":"app","image":"app:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
       "ports":[{"containerPort":80,"protocol":"TCP"}]},
      {"name":"sidecar","image":"side:1"}],
    "tolerations":[{"key":"k1","operator":"Exists"},{"key":"k2","operator":"Exists"}],
    "volumes":[{"name":"data","hostPath":{"path":"/data"}},{"name":"tmp","emptyDir":{}}]}})";

}  // namespace

TEST_CASE("smp: change the image of one container, keeping the others") {
  json::Document out =
      Json(Smp("Pod", kPod, R"({"spec":{"containers":[{"name":"sidecar","image":"side:2"}]}})"));
  const auto& cs = *json::Find(out, {"spec", "containers"});
  REQUIRE(cs.Size() == 2);
  CHECK(json::GetString(cs[0], {"name"}) == "app");
  CHECK(json::GetString(cs[0], {"image"}) == "app:1");
  CHECK(json::Find(cs[0], {"env"})->Size() == 2);
  CHECK(json::GetString(cs[1], {"image"}) == "side:2");
}

TEST_CASE("smp: env merges by name; new items come first as upstream") {
  json::Document out = Json(Smp("Pod", kPod, R"({"spec":{"containers":[{"name":"app",
      "env":[{"name":"C","value":"3"},{"name":"B","value":"20"}]}]}})"));
  CHECK_JSON(json::Serialize(*json::Find(out, {"spec", "containers"})),
             R"([{"name":"app","image":"app:1",
                  "env":[{"name":"C","value":"3"},{"name":"A","value":"1"},{"name":"B","value":"20"}],
                  "ports":[{"containerPort":80,"protocol":"TCP"}]},
                 {"name":"sidecar","image":"side:1"}])");
  // A brand-new item alone is placed before the server's items.
  json::Document out2 = Json(Smp("Pod", kPod, R"({"spec":{"containers":[{"name":"app",
      "env":[{"name":"Z","value":"26"}]}]}})"));
  CHECK_JSON(json::Serialize(out2["spec"]["containers"][0]["env"]),
             R"([{"name":"Z","value":"26"},{"name":"A","value":"1"},{"name":"B","value":"2"}])");
}

TEST_CASE("smp: ports merge by containerPort, a null field inside an element is removed") {
  json::Document out = Json(Smp("Pod", kPod, R"({"spec":{"containers":[{"name":"app",
      "ports":[{"containerPort":80,"name":"http","protocol":null}]}]}})"));
  CHECK_JSON(json::Serialize(*json::Find(out["spec"]["containers"][0], {"ports"})),
             R"([{"containerPort":80,"name":"http"}])");
}

TEST_CASE("smp: $patch delete removes a list element by merge key") {
  json::Document out =
      Json(Smp("Pod", kPod, R"({"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}})"));
  const auto& cs = out["spec"]["containers"];
  REQUIRE(cs.Size() == 1);
  CHECK(json::GetString(cs[0], {"name"}) == "app");
  // Deleting an element that does not exist is a no-op.
  Smp("Pod", kPod, R"({"spec":{"containers":[{"name":"ghost","$patch":"delete"}]}})");
}

TEST_CASE("smp: $patch replace in a list replaces the whole list") {
  json::Document out = Json(Smp(
      "Pod", kPod,
      R"({"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"o:1","env":[{"name":"X","value":null}]}]}})"));
  CHECK_JSON(json::Serialize(out["spec"]["containers"]),
             R"([{"name":"only","image":"o:1","env":[{"name":"X"}]}])");
}

TEST_CASE("smp: lists without a merge strategy are replaced whole") {
  json::Document out =
      Json(Smp("Pod", kPod, R"({"spec":{"tolerations":[{"key":"k3","operator":"Exists"}]}})"));
  CHECK_JSON(json::Serialize(out["spec"]["tolerations"]), R"([{"key":"k3","operator":"Exists"}])");
}

TEST_CASE("smp: maps merge, null deletes, $patch replace/delete on maps") {
  json::Document out =
      Json(Smp("Pod", kPod, R"({"metadata":{"labels":{"tier":null,"new":"x","absent":null}}})"));
  CHECK_JSON(json::Serialize(out["metadata"]["labels"]), R"({"app":"web","new":"x"})");
  out = Json(Smp("Pod", kPod, R"({"metadata":{"labels":{"$patch":"replace","only":"1"}}})"));
  CHECK_JSON(json::Serialize(out["metadata"]["labels"]), R"({"only":"1"})");
  out = Json(Smp("Pod", kPod, R"({"metadata":{"labels":{"$patch":"delete"}}})"));
  CHECK_JSON(json::Serialize(out["metadata"]["labels"]), R"({})");
  out = Json(Smp("Pod", kPod, R"({"metadata":{"annotations":{"$patch":"delete"}}})"));
  CHECK_FALSE(out["metadata"].HasMember("annotations"));
  out = Json(Smp("Pod", kPod, R"({"metadata":{"annotations":{"a":"1","b":null}}})"));
  CHECK_JSON(json::Serialize(out["metadata"]["annotations"]), R"({"a":"1"})");
  out = Json(Smp("Pod", kPod, R"({"spec":null})"));
  CHECK_FALSE(out.HasMember("spec"));
}

TEST_CASE("smp: finalizers merge as a set; $deleteFromPrimitiveList removes") {
  json::Document out = Json(Smp("Pod", kPod, R"({"metadata":{"finalizers":["c","a"]}})"));
  CHECK_JSON(json::Serialize(out["metadata"]["finalizers"]), R"(["c","a","b"])");
  out =
      Json(Smp("Pod", kPod, R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a","zz"]}})"));
  CHECK_JSON(json::Serialize(out["metadata"]["finalizers"]), R"(["b"])");
  out = Json(Smp("Pod", kPod, R"({"metadata":{"$setElementOrder/finalizers":["b","c"],
                                              "$deleteFromPrimitiveList/finalizers":["a"],
                                              "finalizers":["c"]}})"));
  CHECK_JSON(json::Serialize(out["metadata"]["finalizers"]), R"(["b","c"])");
  // Deleting from a list the object lacks changes nothing.
  out = Json(Smp("Pod", R"({"metadata":{}})",
                 R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})"));
  CHECK_JSON(json::Serialize(out), R"({"metadata":{}})");
}

TEST_CASE("smp: $setElementOrder orders the merged list") {
  // What kubectl sends to add container c between app and sidecar.
  json::Document out = Json(Smp("Pod", kPod, R"({"spec":{
      "$setElementOrder/containers":[{"name":"app"},{"name":"c"},{"name":"sidecar"}],
      "containers":[{"name":"c","image":"c:1"}]}})"));
  const auto& cs = out["spec"]["containers"];
  REQUIRE(cs.Size() == 3);
  CHECK(json::GetString(cs[0], {"name"}) == "app");
  CHECK(json::GetString(cs[1], {"name"}) == "c");
  CHECK(json::GetString(cs[2], {"name"}) == "sidecar");
  // Reorder only.
  out =
      Json(Smp("Pod", kPod,
               R"({"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"app"}]}})"));
  CHECK(json::GetString(out["spec"]["containers"][0], {"name"}) == "sidecar");
  CHECK(json::GetString(out["spec"]["containers"][1], {"name"}) == "app");
  // kubectl's patch removing a container.
  out = Json(Smp("Pod", kPod, R"({"spec":{"$setElementOrder/containers":[{"name":"app"}],
                                          "containers":[{"$patch":"delete","name":"sidecar"}]}})"));
  REQUIRE(out["spec"]["containers"].Size() == 1);
  // Order list for a field the patch and the object both lack: nothing happens.
  out = Json(Smp("Pod", kPod, R"({"spec":{"$setElementOrder/initContainers":[{"name":"x"}]}})"));
  CHECK_FALSE(out["spec"].HasMember("initContainers"));
  // A patch list that contradicts the order list is refused.
  CHECK(
      SmpError("Pod", kPod, R"({"spec":{"$setElementOrder/containers":[{"name":"app"},{"name":"c"}],
                                          "containers":[{"name":"c"},{"name":"app"}]}})")
          .code() == Code::kBadRequest);
}

TEST_CASE("smp: $retainKeys keeps only the listed keys") {
  json::Document out = Json(Smp("Pod", kPod, R"({"spec":{"volumes":[
      {"name":"data","emptyDir":{},"$retainKeys":["name","emptyDir"]}]}})"));
  CHECK_JSON(json::Serialize(out["spec"]["volumes"]),
             R"([{"name":"data","emptyDir":{}},{"name":"tmp","emptyDir":{}}])");
  const char* deploy = R"({"kind":"Deployment","spec":{"strategy":{"type":"RollingUpdate",
      "rollingUpdate":{"maxSurge":1}}}})";
  out = Json(Smp("Deployment", deploy,
                 R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})"));
  CHECK_JSON(json::Serialize(out["spec"]["strategy"]), R"({"type":"Recreate"})");
  // Patch content outside the retained keys is refused.
  CHECK(SmpError("Deployment", deploy,
                 R"({"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{}}}})")
            .message() == "invalid patch format of retainKeys");
  CHECK(SmpError("Deployment", deploy, R"({"spec":{"strategy":{"$retainKeys":"type"}}})").code() ==
        Code::kBadRequest);
}

TEST_CASE("smp: pod templates nest inside workloads") {
  const char* deploy = R"({"kind":"Deployment","spec":{"replicas":1,"template":{
      "metadata":{"labels":{"app":"web"}},
      "spec":{"containers":[{"name":"web","image":"nginx:1"},{"name":"log","image":"fluent:1"}]}}}})";
  json::Document out = Json(Smp(
      "Deployment", deploy,
      R"({"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"web","image":"nginx:2"}]}}}})"));
  CHECK(json::GetInt(out, {"spec", "replicas"}) == 3);
  const auto& cs = out["spec"]["template"]["spec"]["containers"];
  REQUIRE(cs.Size() == 2);
  CHECK(json::GetString(cs[0], {"image"}) == "nginx:2");
  CHECK(json::GetString(cs[1], {"image"}) == "fluent:1");
  CHECK(json::GetString(out, {"spec", "template", "metadata", "labels", "app"}) == "web");

  const char* cron = R"({"kind":"CronJob","spec":{"jobTemplate":{"spec":{"template":{"spec":{
      "containers":[{"name":"job","image":"busybox","env":[{"name":"A","value":"1"}]}]}}}}}})";
  out = Json(Smp("CronJob", cron, R"({"spec":{"jobTemplate":{"spec":{"template":{"spec":{
      "containers":[{"name":"job","env":[{"name":"A","value":"2"}]}]}}}}}})"));
  CHECK_JSON(json::Serialize(out["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]),
             R"([{"name":"job","image":"busybox","env":[{"name":"A","value":"2"}]}])");
}

TEST_CASE("smp: status conditions merge by type") {
  const char* node = R"({"kind":"Node","status":{
      "conditions":[{"type":"Ready","status":"False"},{"type":"DiskPressure","status":"False"}],
      "addresses":[{"type":"InternalIP","address":"10.0.0.1"}]},
      "spec":{"taints":[{"key":"a","effect":"NoSchedule"}]}})";
  json::Document out =
      Json(Smp("Node", node, R"({"status":{"conditions":[{"type":"Ready","status":"True"}],
      "addresses":[{"type":"Hostname","address":"n1"}]},"spec":{"taints":[]}})"));
  CHECK_JSON(json::Serialize(out["status"]["conditions"]),
             R"([{"type":"Ready","status":"True"},{"type":"DiskPressure","status":"False"}])");
  CHECK(out["status"]["addresses"].Size() == 2);
  CHECK(out["spec"]["taints"].Empty());  // taints have no merge strategy
}

TEST_CASE("smp: fields the object lacks are copied in without directives or nulls") {
  json::Document out = Json(Smp("Pod", R"({"metadata":{"name":"p"}})", R"({"spec":{
      "containers":[{"name":"a","image":"a","env":[{"name":"X","value":null}]},{"$patch":"delete","name":"b"}],
      "$setElementOrder/containers":[{"name":"a"}],
      "nodeSelector":{"$patch":"replace","disk":"ssd","gone":null}}})"));
  CHECK_JSON(
      json::Serialize(out["spec"]),
      R"({"containers":[{"name":"a","image":"a","env":[{"name":"X"}]}],"nodeSelector":{"disk":"ssd"}})");
  // A scalar replaced by a map and vice versa.
  out = Json(
      Smp("Pod", R"({"spec":{"x":1,"y":{"a":1}}})", R"({"spec":{"x":{"a":{"b":null}},"y":2}})"));
  CHECK_JSON(json::Serialize(out["spec"]), R"({"x":{"a":{}},"y":2})");
}

TEST_CASE("smp: unknown kinds merge maps and replace lists") {
  CHECK_FALSE(BuiltinPatchSchema().HasKind("Widget"));
  CHECK_JSON(Smp("Widget", R"({"spec":{"items":[1,2],"m":{"a":1}}})",
                 R"({"spec":{"items":[3],"m":{"b":2}}})"),
             R"({"spec":{"items":[3],"m":{"a":1,"b":2}}})");
}

TEST_CASE("smp: ownerReferences merge by uid, service ports by port") {
  json::Document out = Json(
      Smp("ConfigMap", R"({"metadata":{"ownerReferences":[{"uid":"1","name":"a"}]}})",
          R"({"metadata":{"ownerReferences":[{"uid":"2","name":"b"},{"uid":"1","name":"a2"}]}})"));
  CHECK_JSON(json::Serialize(out["metadata"]["ownerReferences"]),
             R"([{"uid":"2","name":"b"},{"uid":"1","name":"a2"}])");
  out = Json(Smp("Service", R"({"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443}]}})",
                 R"({"spec":{"ports":[{"port":80,"targetPort":9090}]}})"));
  CHECK_JSON(json::Serialize(out["spec"]["ports"]),
             R"([{"port":80,"targetPort":9090},{"port":443}])");
}

TEST_CASE("smp: a replace strategy on a map replaces it") {
  json::Document out = Json(Smp(
      "PodDisruptionBudget", R"({"spec":{"selector":{"matchLabels":{"a":"1"}},"minAvailable":1}})",
      R"({"spec":{"selector":{"matchExpressions":[{"key":"b","operator":"Exists"}]}}})"));
  CHECK_JSON(
      json::Serialize(out["spec"]),
      R"({"selector":{"matchExpressions":[{"key":"b","operator":"Exists"}]},"minAvailable":1})");
}

TEST_CASE("smp: malformed patches fail cleanly and change nothing") {
  CHECK(SmpError("Pod", kPod, "[]").code() == Code::kBadRequest);
  CHECK(SmpError("Pod", kPod, "null").code() == Code::kBadRequest);
  CHECK(SmpError("Pod", "[]", "{}").code() == Code::kBadRequest);
  Status st = SmpError("Pod", kPod, R"({"spec":{"containers":[{"image":"x"}]}})");
  CHECK(st.code() == Code::kBadRequest);
  CHECK(st.message().find("does not contain declared merge key: name") != std::string::npos);
  CHECK(SmpError("Pod", kPod, R"({"spec":{"containers":[{"name":"app","$patch":"frob"}]}})")
            .message()
            .find("unknown patch type: frob") == 0);
  CHECK(SmpError("Pod", kPod, R"({"spec":{"containers":[{"$patch":"merge"}]}})").code() ==
        Code::kBadRequest);
  CHECK(SmpError("Pod", kPod, R"({"spec":{"containers":[{"$patch":"delete"}]}})").code() ==
        Code::kBadRequest);
  CHECK(SmpError("Pod", kPod, R"({"metadata":{"labels":{"$patch":1}}})").code() ==
        Code::kBadRequest);
  // Lists of lists and mixed element types in merging lists.
  CHECK(SmpError("Pod", kPod, R"({"metadata":{"finalizers":[["x"]]}})").code() == Code::kInvalid);
  CHECK(SmpError("Pod", kPod, R"({"metadata":{"finalizers":[1]}})").code() == Code::kBadRequest);
  CHECK(SmpError("Pod", kPod, R"({"spec":{"containers":["app"]}})").code() == Code::kBadRequest);
  // Malformed directives.
  CHECK(SmpError("Pod", kPod, R"({"spec":{"$setElementOrder/containers":{"name":"a"}}})").code() ==
        Code::kBadRequest);
  CHECK(SmpError("Pod", kPod, R"({"spec":{"$setElementOrderX":[]}})").code() == Code::kBadRequest);
  CHECK(SmpError("Pod", kPod, R"({"spec":{"$setElementOrder/containers":["app"]}})").code() ==
        Code::kBadRequest);
  CHECK(SmpError("Pod", kPod, R"({"metadata":{"$deleteFromPrimitiveListfinalizers":["a"]}})")
            .message() == "invalid patch format of primitive list");
  CHECK(SmpError("Pod", kPod,
                 R"({"spec":{"containers":{"name":"x"}, "$setElementOrder/containers":[]}})")
            .code() == Code::kBadRequest);
  // A change early in the patch is rolled back when a later part fails.
  SmpError("Pod", kPod,
           R"({"metadata":{"labels":{"app":"changed"}},"spec":{"containers":[{"image":"x"}]}})");
}

// ---- Patch schema table -------------------------------------------------------------------

TEST_CASE("patch schema: upstream tags reached through nested types") {
  const PatchSchema& s = BuiltinPatchSchema();
  using V = std::vector<std::string>;
  auto merge = [](std::string key, bool retain = false) {
    return FieldStrategy{FieldStrategy::Kind::kMerge, std::move(key), retain};
  };
  CHECK(s.ForPath("Pod", V{"spec", "containers"}) == merge("name"));
  CHECK(s.ForPath("Pod", V{"spec", "containers", "env"}) == merge("name"));
  CHECK(s.ForPath("Pod", V{"spec", "initContainers", "ports"}) == merge("containerPort"));
  CHECK(s.ForPath("Pod", V{"spec", "containers", "volumeMounts"}) == merge("mountPath"));
  CHECK(s.ForPath("Pod", V{"spec", "containers", "volumeDevices"}) == merge("devicePath"));
  CHECK(s.ForPath("Pod", V{"spec", "volumes"}) == merge("name", true));
  CHECK(s.ForPath("Pod", V{"spec", "imagePullSecrets"}) == merge("name"));
  CHECK(s.ForPath("Pod", V{"spec", "hostAliases"}) == merge("ip"));
  CHECK(s.ForPath("Pod", V{"spec", "topologySpreadConstraints"}) == merge("topologyKey"));
  CHECK(s.ForPath("Pod", V{"spec", "resourceClaims"}) == merge("name", true));
  CHECK(s.ForPath("Pod", V{"status", "conditions"}) == merge("type"));
  CHECK(s.ForPath("Pod", V{"status", "podIPs"}) == merge("ip"));
  CHECK(s.ForPath("Pod", V{"metadata", "ownerReferences"}) == merge("uid"));
  CHECK(s.ForPath("Pod", V{"metadata", "finalizers"}) == merge(""));
  CHECK(s.ForPath("Pod", V{"spec"}) == FieldStrategy{});
  // No tag: replaced whole (the schema may answer "default" or "unknown").
  CHECK(s.ForPath("Pod", V{"spec", "tolerations"}).value_or(FieldStrategy{}) == FieldStrategy{});
  // No tag: replaced whole (the schema may answer "default" or "unknown").
  CHECK(s.ForPath("Pod", V{"spec", "containers", "args"}).value_or(FieldStrategy{}) ==
        FieldStrategy{});
  CHECK_FALSE(s.ForPath("Pod", V{}));
  CHECK(s.ForPath("Deployment", V{"spec", "template", "spec", "containers", "env"}) ==
        merge("name"));
  CHECK(s.ForPath("Deployment", V{"spec", "strategy"})->retain_keys);
  CHECK(s.ForPath("Deployment", V{"status", "conditions"}) == merge("type"));
  CHECK(s.ForPath("StatefulSet", V{"spec", "template", "spec", "volumes"}) == merge("name", true));
  CHECK(s.ForPath("DaemonSet", V{"spec", "template", "metadata", "finalizers"}) == merge(""));
  CHECK(s.ForPath("CronJob", V{"spec", "jobTemplate", "spec", "template", "spec", "containers"}) ==
        merge("name"));
  CHECK(s.ForPath("Job", V{"status", "conditions"}) == merge("type"));
  CHECK(s.ForPath("Service", V{"spec", "ports"}) == merge("port"));
  CHECK(s.ForPath("Node", V{"status", "addresses"}) == merge("type"));
  CHECK(s.ForPath("Node", V{"spec", "podCIDRs"}) == merge(""));
  // No tag: replaced whole (the schema may answer "default" or "unknown").
  CHECK(s.ForPath("Node", V{"spec", "taints"}).value_or(FieldStrategy{}) == FieldStrategy{});
  CHECK(s.ForPath("Namespace", V{"status", "conditions"}) == merge("type"));
  CHECK(s.ForPath("ServiceAccount", V{"secrets"}) == merge("name"));
  CHECK(s.ForPath("PodDisruptionBudget", V{"spec", "selector"})->strategy ==
        FieldStrategy::Kind::kReplace);
  CHECK(s.ForPath("ConfigMap", V{"metadata", "finalizers"}) == merge(""));
  // No tag: replaced whole (the schema may answer "default" or "unknown").
  CHECK(s.ForPath("Endpoints", V{"subsets"}).value_or(FieldStrategy{}) == FieldStrategy{});
  CHECK_FALSE(s.ForPath("Widget", V{"metadata", "finalizers"}));
  CHECK(s.HasKind("Pod"));
  CHECK(s.HasKind("ConfigMap"));
}

TEST_CASE("patch schema: a custom table drives the merge") {
  TablePatchSchema schema(
      {{"Widget", "Widget"}},
      {{"Widget", "parts", "", FieldStrategy{FieldStrategy::Kind::kMerge, "id", false}}});
  json::Document d = Json(R"({"parts":[{"id":1,"v":"a"},{"id":2,"v":"b"}]})");
  json::Document p = Json(R"({"parts":[{"id":2,"v":"c"}]})");
  REQUIRE(ApplyStrategicMergePatch(d, p, schema, "Widget").ok());
  CHECK_JSON(json::Serialize(d), R"({"parts":[{"id":1,"v":"a"},{"id":2,"v":"c"}]})");
}

// ---- Robustness ---------------------------------------------------------------------------

namespace {

// Random JSON built from keys and values that hit the directive and merge-key paths.
class RandomJson {
 public:
  explicit RandomJson(uint32_t seed) : state_(seed) {}

  std::string Value(int depth) {
    switch (depth <= 0 ? Next(4) : Next(7)) {
      case 0:
        return "null";
      case 1:
        return std::to_string(Next(3));
      case 2:
        return Pick({"\"a\"", "\"b\"", "\"delete\"", "\"replace\"", "\"merge\"", "\"name\""});
      case 3:
        return Next(2) ? "true" : "false";
      case 4:
      case 5: {
        std::string out = "{";
        for (uint32_t i = 0, n = Next(4); i < n; ++i)
          out += std::string(i ? "," : "") + Pick(kKeys) + ":" + Value(depth - 1);
        return out + "}";
      }
      default: {
        std::string out = "[";
        for (uint32_t i = 0, n = Next(4); i < n; ++i)
          out += std::string(i ? "," : "") + Value(depth - 1);
        return out + "]";
      }
    }
  }

  std::string JsonPatchOps() {
    std::string out = "[";
    for (uint32_t i = 0, n = Next(4); i < n; ++i) {
      out += std::string(i ? "," : "") + "{\"op\":" +
             Pick({"\"add\"", "\"remove\"", "\"replace\"", "\"move\"", "\"copy\"", "\"test\""}) +
             ",\"path\":" + Pointer() + ",\"from\":" + Pointer() + ",\"value\":" + Value(2) + "}";
    }
    return out + "]";
  }

 private:
  static constexpr std::initializer_list<const char*> kKeys = {
      "\"name\"",
      "\"spec\"",
      "\"containers\"",
      "\"env\"",
      "\"finalizers\"",
      "\"metadata\"",
      "\"$patch\"",
      "\"$retainKeys\"",
      "\"$setElementOrder/containers\"",
      "\"$setElementOrder/finalizers\"",
      "\"$deleteFromPrimitiveList/finalizers\"",
      "\"x\""};

  std::string Pointer() {
    std::string p;
    for (uint32_t i = 0, n = Next(4); i < n; ++i)
      p += "/" + std::string(Pick({"spec", "containers", "0", "1", "-", "name", "x", "~1"}));
    return "\"" + p + "\"";
  }
  uint32_t Next(uint32_t n) {
    state_ = state_ * 1664525u + 1013904223u;
    return (state_ >> 8) % n;
  }
  std::string Pick(std::initializer_list<const char*> options) {
    return *(options.begin() + Next(static_cast<uint32_t>(options.size())));
  }
  uint32_t state_;
};

}  // namespace

TEST_CASE("patches of random shape never crash and are all-or-nothing") {
  RandomJson gen(42);
  for (int i = 0; i < 3000; ++i) {
    std::string doc_text = "{\"spec\":" + gen.Value(4) + ",\"metadata\":" + gen.Value(3) + "}";
    std::string patch_text = "{\"spec\":" + gen.Value(4) + ",\"metadata\":" + gen.Value(3) + "}";
    std::string ops = gen.JsonPatchOps();
    json::Document patch = Json(patch_text);
    for (std::string_view kind : {"Pod", "Widget"}) {
      json::Document doc = Json(doc_text);
      Status st = ApplyStrategicMergePatch(doc, patch, BuiltinPatchSchema(), kind);
      if (!st.ok()) CHECK(json::Serialize(doc) == json::Serialize(Json(doc_text)));
    }
    json::Document doc = Json(doc_text);
    (void)ApplyMergePatch(doc, patch);
    json::Document doc2 = Json(doc_text);
    Status st = ApplyJsonPatch(doc2, ops);
    if (!st.ok()) CHECK(json::Serialize(doc2) == json::Serialize(Json(doc_text)));
  }
}
