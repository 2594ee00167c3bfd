// Validation as kube-apiserver 1.32 reports it: the same rules, field paths and messages, so that
// kubectl prints what users know.
#include "api/validation.h"

#include <catch2/catch.hpp>

#include "api/validate_kinds.h"
#include "test_json.h"

using namespace cluster;
using namespace cluster::api;

namespace {

using cluster::testing::Json;

const ResourceInfo& Resource(std::string_view group, std::string_view plural) {
  const ResourceInfo* info =
      ResourceTable::BuiltIn().Find(group, group.empty() ? "v1" : "v1", plural);
  REQUIRE(info != nullptr);
  return *info;
}

// "field: message" of every cause, in order.
std::vector<std::string> Lines(const FieldCauses& causes) {
  std::vector<std::string> out;
  for (const auto& c : causes) out.push_back(c.field + ": " + c.message);
  return out;
}

FieldCauses PodCauses(std::string_view pod_json, const char* old_json = nullptr) {
  json::Document pod = Json(pod_json);
  FieldCauses causes;
  if (old_json) {
    json::Document old = Json(old_json);
    ValidatePod(pod, &old, &causes);
  } else {
    ValidatePod(pod, nullptr, &causes);
  }
  return causes;
}

FieldCauses ServiceCauses(std::string_view svc_json) {
  json::Document svc = Json(svc_json);
  FieldCauses causes;
  ValidateService(svc, nullptr, &causes);
  return causes;
}

FieldCauses WorkloadCauses(const std::string& kind, std::string_view obj_json) {
  json::Document obj = Json(obj_json);
  FieldCauses causes;
  ValidateWorkload(kind, obj, nullptr, &causes);
  return causes;
}

FieldCauses MetaCauses(const ResourceInfo& info, std::string_view obj_json,
                       const char* old_json = nullptr) {
  json::Document obj = Json(obj_json);
  FieldCauses causes;
  if (old_json) {
    json::Document old = Json(old_json);
    ValidateObjectMeta(info, obj, &old, &causes);
  } else {
    ValidateObjectMeta(info, obj, nullptr, &causes);
  }
  return causes;
}

const char kSubdomainMsg[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

}  // namespace

TEST_CASE("DNS-1123 subdomains", "[validation]") {
  for (const char* ok : {"a", "abc", "a-b", "a.b", "example.com", "0abc", "a1.b2.c3", "abc-123"})
    CHECK(CheckDns1123Subdomain(ok).empty());
  for (const char* bad : {"", "A", "-a", "a-", ".a", "a.", "a..b", "a_b", "a b", "a.-b", "ünï"}) {
    INFO(bad);
    CHECK(CheckDns1123Subdomain(bad) == kSubdomainMsg);
  }
  CHECK(CheckDns1123Subdomain(std::string(253, 'a')).empty());
  CHECK(CheckDns1123Subdomain(std::string(254, 'a')) == "must be no more than 253 characters");
}

TEST_CASE("DNS-1123 labels", "[validation]") {
  for (const char* ok : {"a", "my-name", "123-abc", "0"}) CHECK(CheckDns1123Label(ok).empty());
  const std::string msg =
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
      "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
      "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  for (const char* bad : {"", "a.b", "A", "-a", "a-", "a_b"}) {
    INFO(bad);
    CHECK(CheckDns1123Label(bad) == msg);
  }
  CHECK(CheckDns1123Label(std::string(63, 'a')).empty());
  CHECK(CheckDns1123Label(std::string(64, 'a')) == "must be no more than 63 characters");
}

TEST_CASE("qualified names: label and annotation keys", "[validation]") {
  for (const char* ok : {"app", "MyName", "my.name", "123-abc", "a_b", "example.com/app",
                         "kubernetes.io/metadata.name", "node-role.kubernetes.io/control-plane"})
    CHECK(CheckQualifiedName(ok).empty());
  const std::string name_msg =
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
      "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
      "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  CHECK(CheckQualifiedName("-app") == name_msg);
  CHECK(CheckQualifiedName("app_") == name_msg);
  CHECK(CheckQualifiedName("a b") == name_msg);
  CHECK(CheckQualifiedName("") == "name part must be non-empty");
  CHECK(CheckQualifiedName("example.com/") == "name part must be non-empty");
  CHECK(CheckQualifiedName("/app") == "prefix part must be non-empty");
  CHECK(CheckQualifiedName("Example.com/app") == std::string("prefix part ") + kSubdomainMsg);
  CHECK(CheckQualifiedName(std::string(63, 'a')).empty());
  CHECK(CheckQualifiedName(std::string(64, 'a')) == "name part must be no more than 63 characters");
  CHECK(CheckQualifiedName("a/b/c") ==
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must "
        "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
        "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') "
        "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
}

TEST_CASE("label values", "[validation]") {
  for (const char* ok : {"", "v1", "MyValue", "my_value", "12345", "a.b-c_d"})
    CHECK(CheckLabelValue(ok).empty());
  const std::string msg =
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
      "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
      "'my_value',  or '12345', regex used for validation is "
      "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
  for (const char* bad : {"-v", "v-", "a b", "a/b", "_"}) {
    INFO(bad);
    CHECK(CheckLabelValue(bad) == msg);
  }
  CHECK(CheckLabelValue(std::string(63, 'x')).empty());
  CHECK(CheckLabelValue(std::string(64, 'x')) == "must be no more than 63 characters");
}

TEST_CASE("port names (IANA service names)", "[validation]") {
  for (const char* ok : {"http", "web-80", "a", "h2c"}) CHECK(CheckIanaSvcName(ok).empty());
  CHECK(CheckIanaSvcName("http_alt") ==
        "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  CHECK(CheckIanaSvcName("HTTP") ==
        "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  CHECK(CheckIanaSvcName("8080") == "must contain at least one letter (a-z)");
  CHECK(CheckIanaSvcName("a--b") == "must not contain consecutive hyphens");
  CHECK(CheckIanaSvcName("-web") == "must not begin or end with a hyphen");
  CHECK(CheckIanaSvcName("web-") == "must not begin or end with a hyphen");
  CHECK(CheckIanaSvcName("abcdefghijklmnop") == "must be no more than 15 characters");
}

TEST_CASE("config keys", "[validation]") {
  for (const char* ok : {"key.name", "KEY_NAME", "key-name", ".env"})
    CHECK(CheckConfigMapKey(ok).empty());
  CHECK_FALSE(CheckConfigMapKey("a/b").empty());
  CHECK_FALSE(CheckConfigMapKey("a b").empty());
}

TEST_CASE("cause messages have upstream's wording", "[validation]") {
  FieldCauses c;
  AddRequired(&c, "spec.containers");
  AddRequired(&c, "metadata.name", "name or generateName is required");
  AddInvalid(&c, "metadata.name", "Bad\"Name", "oops");
  AddNotSupported(&c, "spec.restartPolicy", "Sometimes", {"Always", "OnFailure", "Never"});
  AddDuplicate(&c, "spec.containers[1].name", "web");
  AddForbidden(&c, "metadata.namespace", "not allowed on this type");
  AddTooLong(&c, "metadata.annotations", 262144);
  REQUIRE(c.size() == 7);
  CHECK(c[0].reason == "FieldValueRequired");
  CHECK(c[0].message == "Required value");
  CHECK(c[1].message == "Required value: name or generateName is required");
  CHECK(c[2].reason == "FieldValueInvalid");
  CHECK(c[2].message == "Invalid value: \"Bad\\\"Name\": oops");
  CHECK(c[3].reason == "FieldValueNotSupported");
  CHECK(c[3].message ==
        "Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"");
  CHECK(c[4].reason == "FieldValueDuplicate");
  CHECK(c[4].message == "Duplicate value: \"web\"");
  CHECK(c[5].reason == "FieldValueForbidden");
  CHECK(c[5].message == "Forbidden: not allowed on this type");
  CHECK(c[6].reason == "FieldValueTooLong");
  CHECK(c[6].message == "Too long: must have at most 262144 bytes");
}

TEST_CASE("InvalidMessage: one cause, several, duplicates, none", "[validation]") {
  FieldCauses one;
  AddRequired(&one, "spec.containers");
  CHECK(InvalidMessage("Pod", "x", one) == "Pod \"x\" is invalid: spec.containers: Required value");

  FieldCauses two;
  AddRequired(&two, "spec.containers[0].image");
  AddDuplicate(&two, "spec.containers[1].name", "a");
  CHECK(InvalidMessage("Deployment.apps", "web", two) ==
        "Deployment.apps \"web\" is invalid: [spec.containers[0].image: Required value, "
        "spec.containers[1].name: Duplicate value: \"a\"]");

  // field.ErrorList.ToAggregate drops repeated messages; one left means no brackets.
  FieldCauses dup;
  AddRequired(&dup, "spec.selector");
  AddRequired(&dup, "spec.selector");
  CHECK(InvalidMessage("ReplicaSet.apps", "r", dup) ==
        "ReplicaSet.apps \"r\" is invalid: spec.selector: Required value");

  CHECK(InvalidMessage("Pod", "x", {}) == "Pod \"x\" is invalid");
}

TEST_CASE("ObjectMeta: names by resource", "[validation]") {
  const ResourceInfo& pods = Resource("", "pods");
  CHECK(MetaCauses(pods, R"({"metadata":{"name":"web.v1","namespace":"default"}})").empty());
  auto c = MetaCauses(pods, R"({"metadata":{"name":"Web","namespace":"default"}})");
  REQUIRE(c.size() == 1);
  CHECK(c[0].field == "metadata.name");
  CHECK(c[0].message == std::string("Invalid value: \"Web\": ") + kSubdomainMsg);

  c = MetaCauses(pods, R"({"metadata":{"namespace":"default"}})");
  CHECK(Lines(c) == std::vector<std::string>{
                        "metadata.name: Required value: name or generateName is required"});

  // Namespaces are DNS-1123 labels: no dots.
  const ResourceInfo& namespaces = Resource("", "namespaces");
  CHECK(MetaCauses(namespaces, R"({"metadata":{"name":"team-a"}})").empty());
  c = MetaCauses(namespaces, R"({"metadata":{"name":"team.a"}})");
  REQUIRE(c.size() == 1);
  CHECK(c[0].message.find("a lowercase RFC 1123 label must consist") != std::string::npos);

  // Services are DNS-1035 labels: must start with a letter.
  const ResourceInfo& services = Resource("", "services");
  CHECK(MetaCauses(services, R"({"metadata":{"name":"web","namespace":"d"}})").empty());
  c = MetaCauses(services, R"({"metadata":{"name":"1web","namespace":"d"}})");
  REQUIRE(c.size() == 1);
  CHECK(c[0].message ==
        "Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric "
        "characters or '-', start with an alphabetic character, and end with an alphanumeric "
        "character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
        "'[a-z]([-a-z0-9]*[a-z0-9])?')");

  // RBAC names are path segments: almost anything but '/', '%', '.' and '..'.
  const ResourceInfo& roles =
      *ResourceTable::BuiltIn().Find("rbac.authorization.k8s.io", "v1", "clusterroles");
  CHECK(MetaCauses(roles, R"({"metadata":{"name":"system:controller:Foo"}})").empty());
  CHECK(Lines(MetaCauses(roles, R"({"metadata":{"name":"a/b"}})")) ==
        std::vector<std::string>{"metadata.name: Invalid value: \"a/b\": may not contain '/'"});
  CHECK(Lines(MetaCauses(roles, R"({"metadata":{"name":"a%b"}})")) ==
        std::vector<std::string>{"metadata.name: Invalid value: \"a%b\": may not contain '%'"});
  CHECK(Lines(MetaCauses(roles, R"({"metadata":{"name":".."}})")) ==
        std::vector<std::string>{"metadata.name: Invalid value: \"..\": may not be '..'"});
}

TEST_CASE("ObjectMeta: namespace presence follows scope", "[validation]") {
  CHECK(Lines(MetaCauses(Resource("", "pods"), R"({"metadata":{"name":"p"}})")) ==
        std::vector<std::string>{"metadata.namespace: Required value"});
  CHECK(Lines(MetaCauses(Resource("", "nodes"), R"({"metadata":{"name":"n","namespace":"x"}})")) ==
        std::vector<std::string>{"metadata.namespace: Forbidden: not allowed on this type"});
}

TEST_CASE("ObjectMeta: labels, annotations, finalizers", "[validation]") {
  const ResourceInfo& cms = Resource("", "configmaps");
  CHECK(MetaCauses(cms, R"({"metadata":{"name":"c","namespace":"d",
      "labels":{"app":"web","example.com/tier":"","x":"A_b"},
      "annotations":{"Example.com/Note":"any text at all, spaces: ok"},
      "finalizers":["example.com/cleanup"]}})")
            .empty());

  auto c = MetaCauses(cms, R"({"metadata":{"name":"c","namespace":"d","labels":{"app":"-x"}}})");
  REQUIRE(c.size() == 1);
  CHECK(c[0].field == "metadata.labels");
  CHECK(c[0].message.rfind("Invalid value: \"-x\": a valid label must be", 0) == 0);

  c = MetaCauses(cms, R"({"metadata":{"name":"c","namespace":"d","labels":{"a b":"x"}}})");
  REQUIRE(c.size() == 1);
  CHECK(c[0].field == "metadata.labels");
  CHECK(c[0].message.rfind("Invalid value: \"a b\": name part must consist", 0) == 0);

  c = MetaCauses(cms, R"({"metadata":{"name":"c","namespace":"d","annotations":{"-x":"v"}}})");
  REQUIRE(c.size() == 1);
  CHECK(c[0].field == "metadata.annotations");

  std::string big = "{\"metadata\":{\"name\":\"c\",\"namespace\":\"d\",\"annotations\":{\"k\":\"" +
                    std::string(256 * 1024, 'x') + "\"}}}";
  CHECK(Lines(MetaCauses(cms, big)) ==
        std::vector<std::string>{"metadata.annotations: Too long: must have at most 262144 bytes"});

  c = MetaCauses(cms, R"({"metadata":{"name":"c","namespace":"d","finalizers":["bad name"]}})");
  REQUIRE(c.size() == 1);
  CHECK(c[0].field == "metadata.finalizers");
}

TEST_CASE("ObjectMeta: immutable fields on update", "[validation]") {
  const ResourceInfo& pods = Resource("", "pods");
  const char* old = R"({"metadata":{"name":"p","namespace":"d","uid":"u1"}})";
  CHECK(MetaCauses(pods, R"({"metadata":{"name":"p","namespace":"d","uid":"u1"}})", old).empty());
  CHECK(Lines(MetaCauses(pods, R"({"metadata":{"name":"p","namespace":"d","uid":"u2"}})", old)) ==
        std::vector<std::string>{"metadata.uid: Invalid value: \"u2\": field is immutable"});
}

// ---- pods ----

TEST_CASE("pods: containers are required", "[validation][pods]") {
  auto c = PodCauses(R"({"metadata":{"name":"x"},"spec":{}})");
  CHECK(Lines(c) == std::vector<std::string>{"spec.containers: Required value"});
  CHECK(InvalidMessage("Pod", "x", c) == "Pod \"x\" is invalid: spec.containers: Required value");
  CHECK(Lines(PodCauses(R"({"spec":{"containers":[]}})")) ==
        std::vector<std::string>{"spec.containers: Required value"});
  CHECK(Lines(PodCauses(R"({})")) == std::vector<std::string>{"spec.containers: Required value"});
}

TEST_CASE("pods: a valid pod has no causes", "[validation][pods]") {
  CHECK(PodCauses(R"({"spec":{"restartPolicy":"Never","dnsPolicy":"ClusterFirst",
      "containers":[{"name":"web","image":"nginx:1.27","imagePullPolicy":"IfNotPresent",
        "ports":[{"name":"http","containerPort":80,"protocol":"TCP"},{"containerPort":443}]}],
      "initContainers":[{"name":"init","image":"busybox"}],
      "tolerations":[{"key":"k","operator":"Exists","effect":"NoExecute","tolerationSeconds":5}],
      "volumes":[{"name":"data","emptyDir":{}}]}})")
            .empty());
}

TEST_CASE("pods: container names unique (init containers included), image required",
          "[validation][pods]") {
  auto c = PodCauses(R"({"spec":{"containers":[
      {"name":"a","image":"x"},{"name":"a","image":"y"},{"name":"b"},{"image":"z"},
      {"name":"Bad_Name","image":"z"}],
      "initContainers":[{"name":"b","image":"i"}]}})");
  CHECK(Lines(c) ==
        std::vector<std::string>{
            "spec.containers[1].name: Duplicate value: \"a\"",
            "spec.containers[2].image: Required value", "spec.containers[3].name: Required value",
            "spec.containers[4].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label "
            "must consist of lower case alphanumeric characters or '-', and must start and end "
            "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
            "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            "spec.initContainers[0].name: Duplicate value: \"b\""});
  CHECK(
      InvalidMessage("Pod", "x", c).rfind("Pod \"x\" is invalid: [spec.containers[1].name: ", 0) ==
      0);
}

TEST_CASE("pods: container ports", "[validation][pods]") {
  auto c = PodCauses(R"({"spec":{"containers":[{"name":"a","image":"x","ports":[
      {"containerPort":0},{"containerPort":70000},{"name":"p"},
      {"containerPort":80,"protocol":"HTTP"},
      {"containerPort":81,"name":"web"},{"containerPort":82,"name":"web"},
      {"containerPort":83,"name":"8080"}]}]}})");
  CHECK(Lines(c) ==
        std::vector<std::string>{
            "spec.containers[0].ports[0].containerPort: Required value",
            "spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 "
            "and 65535, inclusive",
            "spec.containers[0].ports[2].containerPort: Required value",
            "spec.containers[0].ports[3].protocol: Unsupported value: \"HTTP\": supported values: "
            "\"SCTP\", \"TCP\", \"UDP\"",
            "spec.containers[0].ports[5].name: Duplicate value: \"web\"",
            "spec.containers[0].ports[6].name: Invalid value: \"8080\": must contain at least one "
            "letter (a-z)"});
}

TEST_CASE("pods: restartPolicy, dnsPolicy, pull policy, grace period", "[validation][pods]") {
  CHECK(Lines(PodCauses(R"({"spec":{"restartPolicy":"Sometimes",
      "containers":[{"name":"a","image":"x"}]}})")) ==
        std::vector<std::string>{"spec.restartPolicy: Unsupported value: \"Sometimes\": supported "
                                 "values: \"Always\", \"OnFailure\", \"Never\""});
  CHECK(Lines(PodCauses(R"({"spec":{"restartPolicy":"",
      "containers":[{"name":"a","image":"x"}]}})")) ==
        std::vector<std::string>{"spec.restartPolicy: Required value"});
  for (const char* rp : {"Always", "OnFailure", "Never"}) {
    std::string pod = std::string(R"({"spec":{"restartPolicy":")") + rp +
                      R"(","containers":[{"name":"a","image":"x"}]}})";
    CHECK(PodCauses(pod).empty());
  }
  CHECK(Lines(PodCauses(R"({"spec":{"dnsPolicy":"Google",
      "containers":[{"name":"a","image":"x"}]}})")) ==
        std::vector<std::string>{
            "spec.dnsPolicy: Unsupported value: \"Google\": supported values: "
            "\"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""});
  CHECK(Lines(PodCauses(R"({"spec":{"containers":[{"name":"a","image":"x",
      "imagePullPolicy":"Sometimes"}]}})")) ==
        std::vector<std::string>{"spec.containers[0].imagePullPolicy: Unsupported value: "
                                 "\"Sometimes\": supported values: \"Always\", \"IfNotPresent\", "
                                 "\"Never\""});
  CHECK(Lines(PodCauses(R"({"spec":{"terminationGracePeriodSeconds":-5,
      "containers":[{"name":"a","image":"x"}]}})")) ==
        std::vector<std::string>{"spec.terminationGracePeriodSeconds: Invalid value: -5: must be "
                                 "greater than or equal to 0"});
}

TEST_CASE("pods: tolerations and volumes", "[validation][pods]") {
  auto c = PodCauses(R"({"spec":{"containers":[{"name":"a","image":"x"}],
      "tolerations":[{"key":"k","operator":"Maybe"},{"key":"k","operator":"Exists","value":"v"},
                     {"key":"k","effect":"Sometimes"},
                     {"key":"k","effect":"NoSchedule","tolerationSeconds":3}],
      "volumes":[{"name":"v"},{"name":"v"},{}]}})");
  auto lines = Lines(c);
  REQUIRE(lines.size() == 6);
  CHECK(lines[0].rfind("spec.tolerations[0].operator: Unsupported value: \"Maybe\"", 0) == 0);
  CHECK(lines[1].rfind("spec.tolerations[1].operator: Invalid value: \"Exists\"", 0) == 0);
  CHECK(lines[2].rfind("spec.tolerations[2].effect: Unsupported value: \"Sometimes\"", 0) == 0);
  CHECK(lines[3].rfind("spec.tolerations[3].effect: Invalid value: \"NoSchedule\"", 0) == 0);
  CHECK(lines[4] == "spec.volumes[1].name: Duplicate value: \"v\"");
  CHECK(lines[5] == "spec.volumes[2].name: Required value");
}

TEST_CASE("pods: updates may change images but not other spec fields", "[validation][pods]") {
  const char* old =
      R"({"spec":{"nodeName":"n1","containers":[{"name":"a","image":"x:1"}],"tolerations":[]}})";
  CHECK(PodCauses(R"({"spec":{"nodeName":"n1","containers":[{"name":"a","image":"x:2"}],
      "tolerations":[{"key":"k","operator":"Exists"}],"activeDeadlineSeconds":5}})",
                  old)
            .empty());
  auto c =
      PodCauses(R"({"spec":{"nodeName":"n1","containers":[{"name":"b","image":"x:1"}]}})", old);
  REQUIRE(c.size() == 1);
  CHECK(c[0].field == "spec");
  CHECK(c[0].reason == "FieldValueForbidden");
  CHECK(c[0].message.rfind("Forbidden: pod updates may not change fields other than", 0) == 0);
}

// ---- services ----

TEST_CASE("services: ports required unless headless or ExternalName", "[validation][services]") {
  CHECK(Lines(ServiceCauses(R"({"spec":{"type":"ClusterIP"}})")) ==
        std::vector<std::string>{"spec.ports: Required value"});
  CHECK(Lines(ServiceCauses(R"({"spec":{"ports":[]}})")) ==
        std::vector<std::string>{"spec.ports: Required value"});
  CHECK(ServiceCauses(R"({"spec":{"clusterIP":"None"}})").empty());
  CHECK(
      ServiceCauses(R"({"spec":{"type":"ExternalName","externalName":"db.example.com"}})").empty());
  CHECK(Lines(ServiceCauses(R"({"spec":{"type":"ExternalName"}})")) ==
        std::vector<std::string>{"spec.externalName: Required value"});
  CHECK(ServiceCauses(R"({"spec":{"ports":[{"port":80,"targetPort":8080}]}})").empty());
  CHECK(ServiceCauses(R"({"spec":{"ports":[{"port":80,"targetPort":"http"}]}})").empty());
}

TEST_CASE("services: types", "[validation][services]") {
  for (const char* t : {"ClusterIP", "NodePort", "LoadBalancer"}) {
    std::string svc = std::string(R"({"spec":{"type":")") + t + R"(","ports":[{"port":80}]}})";
    CHECK(ServiceCauses(svc).empty());
  }
  CHECK(
      Lines(ServiceCauses(R"({"spec":{"type":"Magic","ports":[{"port":80}]}})")) ==
      std::vector<std::string>{"spec.type: Unsupported value: \"Magic\": supported values: "
                               "\"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""});
  CHECK(Lines(ServiceCauses(
            R"({"spec":{"type":"ClusterIP","ports":[{"port":80,"nodePort":30080}]}})")) ==
        std::vector<std::string>{
            "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"});
  CHECK(ServiceCauses(R"({"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":30080}]}})")
            .empty());
}

TEST_CASE("services: port range, names and duplicates", "[validation][services]") {
  CHECK(Lines(ServiceCauses(R"({"spec":{"ports":[{"port":0}]}})")) ==
        std::vector<std::string>{
            "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"});
  CHECK(Lines(ServiceCauses(R"({"spec":{"ports":[{"port":65536}]}})")) ==
        std::vector<std::string>{
            "spec.ports[0].port: Invalid value: 65536: must be between 1 and 65535, inclusive"});
  CHECK(
      Lines(ServiceCauses(R"({"spec":{"ports":[{"port":80,"targetPort":70000}]}})")) ==
      std::vector<std::string>{"spec.ports[0].targetPort: Invalid value: 70000: must be between 1 "
                               "and 65535, inclusive"});
  // Several ports must all be named, with distinct names.
  CHECK(Lines(ServiceCauses(R"({"spec":{"ports":[{"port":80},{"name":"b","port":81}]}})")) ==
        std::vector<std::string>{"spec.ports[0].name: Required value"});
  CHECK(Lines(ServiceCauses(
            R"({"spec":{"ports":[{"name":"a","port":80},{"name":"a","port":81}]}})")) ==
        std::vector<std::string>{"spec.ports[1].name: Duplicate value: \"a\""});
  // The same port and protocol twice; the same port over TCP and UDP is fine (DNS).
  CHECK(Lines(ServiceCauses(
            R"({"spec":{"ports":[{"name":"a","port":80},{"name":"b","port":80}]}})")) ==
        std::vector<std::string>{
            "spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", "
            "AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, "
            "IntVal:0, StrVal:\"\"}, NodePort:0}"});
  CHECK(ServiceCauses(R"({"spec":{"ports":[{"name":"dns","port":53,"protocol":"UDP"},
      {"name":"dns-tcp","port":53,"protocol":"TCP"}]}})")
            .empty());
  CHECK(Lines(ServiceCauses(R"({"spec":{"ports":[{"port":80,"protocol":"ICMP"}]}})")) ==
        std::vector<std::string>{"spec.ports[0].protocol: Unsupported value: \"ICMP\": supported "
                                 "values: \"SCTP\", \"TCP\", \"UDP\""});
}

TEST_CASE("services: clusterIP may not change", "[validation][services]") {
  json::Document old = Json(R"({"spec":{"clusterIP":"10.43.0.5","ports":[{"port":80}]}})");
  json::Document now = Json(R"({"spec":{"clusterIP":"10.43.0.6","ports":[{"port":80}]}})");
  FieldCauses c;
  ValidateService(now, &old, &c);
  CHECK(Lines(c) == std::vector<std::string>{"spec.clusterIPs[0]: Invalid value: \"10.43.0.6\": "
                                             "may not change once set"});
}

// ---- workloads ----

namespace {
const char kDeployment[] = R"({"spec":{"replicas":2,
    "selector":{"matchLabels":{"app":"web"}},
    "template":{"metadata":{"labels":{"app":"web","tier":"front"}},
                "spec":{"containers":[{"name":"web","image":"nginx"}]}}}})";
}

TEST_CASE("workloads: a valid deployment, replica set, daemon set, stateful set",
          "[validation][workloads]") {
  for (const char* kind : {"Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"}) {
    INFO(kind);
    CHECK(WorkloadCauses(kind, kDeployment).empty());
  }
}

TEST_CASE("workloads: selector required and must match the template's labels",
          "[validation][workloads]") {
  CHECK(Lines(WorkloadCauses("Deployment", R"({"spec":{"template":{"metadata":{"labels":{"a":"b"}},
      "spec":{"containers":[{"name":"c","image":"i"}]}}}})")) ==
        std::vector<std::string>{"spec.selector: Required value"});

  auto c = WorkloadCauses("Deployment", R"({"spec":{"selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"tier":"x","app":"api"}},
      "spec":{"containers":[{"name":"c","image":"i"}]}}}})");
  CHECK(Lines(c) == std::vector<std::string>{
                        "spec.template.metadata.labels: Invalid value: "
                        "map[string]string{\"app\":\"api\", \"tier\":\"x\"}: `selector` does not "
                        "match template `labels`"});
  CHECK(InvalidMessage("Deployment.apps", "web", c) ==
        "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: "
        "map[string]string{\"app\":\"api\", \"tier\":\"x\"}: `selector` does not match template "
        "`labels`");

  c = WorkloadCauses("ReplicaSet", R"({"spec":{"selector":{"matchLabels":{"app":"web"}},
      "template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}})");
  REQUIRE(c.size() == 1);
  CHECK(c[0].message ==
        "Invalid value: map[string]string(nil): `selector` does not match template `labels`");

  // matchExpressions count too.
  CHECK(WorkloadCauses("Deployment", R"({"spec":{"selector":{"matchExpressions":[
      {"key":"app","operator":"In","values":["web","api"]}]},
      "template":{"metadata":{"labels":{"app":"api"}},
      "spec":{"containers":[{"name":"c","image":"i"}]}}}})")
            .empty());

  c = WorkloadCauses("Deployment", R"({"spec":{"selector":{},
      "template":{"metadata":{"labels":{"app":"web"}},
      "spec":{"containers":[{"name":"c","image":"i"}]}}}})");
  REQUIRE(c.size() == 1);
  CHECK(c[0].field == "spec.selector");
  CHECK(c[0].message.find("empty selector is invalid for deployment") != std::string::npos);
  c = WorkloadCauses("StatefulSet", R"({"spec":{"selector":{},
      "template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}})");
  REQUIRE(c.size() == 1);
  CHECK(c[0].message.find("empty selector is invalid for statefulset") != std::string::npos);
}

TEST_CASE("workloads: template and its pod spec are validated", "[validation][workloads]") {
  CHECK(Lines(WorkloadCauses("Deployment", R"({"spec":{"selector":{"matchLabels":{"a":"b"}}}})")) ==
        std::vector<std::string>{"spec.template: Required value"});
  CHECK(Lines(WorkloadCauses("Deployment", R"({})")) ==
        std::vector<std::string>{"spec: Required value"});
  auto c = WorkloadCauses("Deployment", R"({"spec":{"selector":{"matchLabels":{"a":"b"}},
      "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c"}]}}}})");
  CHECK(Lines(c) ==
        std::vector<std::string>{"spec.template.spec.containers[0].image: Required value"});
  CHECK(Lines(WorkloadCauses("Deployment", R"({"spec":{"replicas":-1,
      "selector":{"matchLabels":{"a":"b"}},
      "template":{"metadata":{"labels":{"a":"b"}},
      "spec":{"containers":[{"name":"c","image":"i"}]}}}})")) ==
        std::vector<std::string>{
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0"});
  CHECK(Lines(WorkloadCauses("Deployment", R"({"spec":{"selector":{"matchLabels":{"a":"b"}},
      "template":{"metadata":{"labels":{"a":"b"}},
      "spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"i"}]}}}})")) ==
        std::vector<std::string>{"spec.template.spec.restartPolicy: Unsupported value: \"Never\": "
                                 "supported values: \"Always\""});
}

TEST_CASE("workloads: Job restartPolicy and selector", "[validation][workloads]") {
  // No selector needed (the server generates it); restartPolicy must be OnFailure or Never.
  CHECK(WorkloadCauses("Job", R"({"spec":{"template":{"spec":{"restartPolicy":"Never",
      "containers":[{"name":"c","image":"i"}]}}}})")
            .empty());
  CHECK(WorkloadCauses("Job", R"({"spec":{"template":{"spec":{"restartPolicy":"OnFailure",
      "containers":[{"name":"c","image":"i"}]}}}})")
            .empty());
  CHECK(Lines(WorkloadCauses("Job", R"({"spec":{"template":{"spec":{"restartPolicy":"Always",
      "containers":[{"name":"c","image":"i"}]}}}})")) ==
        std::vector<std::string>{"spec.template.spec.restartPolicy: Unsupported value: "
                                 "\"Always\": supported values: \"OnFailure\", \"Never\""});
  // Defaulted (absent) restartPolicy is Always, which a Job refuses.
  CHECK(WorkloadCauses("Job", R"({"spec":{"template":{"spec":{
      "containers":[{"name":"c","image":"i"}]}}}})")
            .size() == 1);
}

TEST_CASE("config data keys", "[validation]") {
  json::Document cm = Json(R"({"data":{"good.key":"v","bad/key":"v","n":1}})");
  FieldCauses c;
  ValidateConfigData("ConfigMap", cm, &c);
  auto lines = Lines(c);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].rfind("data[bad/key]: Invalid value: \"bad/key\": a valid config key", 0) == 0);
  CHECK(lines[1] == "data[n]: Invalid value: \"\": must be a string");
}
