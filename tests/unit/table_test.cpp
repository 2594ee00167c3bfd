// Server-side printing: the Table answers `kubectl get` renders, with kube-apiserver 1.32's
// columns and cell values.
#include "api/table.h"

#include <catch2/catch.hpp>

#include "common/ids.h"
#include "test_json.h"

using namespace cluster;
using namespace cluster::api;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

using cluster::testing::Json;

const ResourceInfo& Resource(std::string_view group, std::string_view plural) {
  const ResourceInfo* info = ResourceTable::BuiltIn().Find(group, "v1", plural);
  REQUIRE(info != nullptr);
  return *info;
}

std::string Ago(seconds d) { return Rfc3339(std::chrono::system_clock::now() - d); }

json::Document Table(const ResourceInfo& info, const std::vector<std::string>& objs,
                     IncludeObject include = IncludeObject::kNone) {
  std::vector<json::Document> docs;
  for (const auto& o : objs) docs.push_back(Json(o));
  std::vector<const json::Value*> ptrs;
  for (const auto& d : docs) ptrs.push_back(&d);
  return Json(BuildTable(info, ptrs, include, "42", ""));
}

// The cells of a single object's row, as strings (numbers and booleans printed as JSON).
std::vector<std::string> Cells(const ResourceInfo& info, const std::string& obj) {
  json::Document t = Table(info, {obj});
  REQUIRE(t["rows"].Size() == 1);
  std::vector<std::string> out;
  for (auto& c : t["rows"][0]["cells"].GetArray())
    out.push_back(c.IsString() ? c.GetString() : json::Serialize(c));
  return out;
}

std::vector<std::string> PodCells(const std::string& pod) {
  return Cells(Resource("", "pods"), pod);
}

// Ready, Status, Restarts of a pod.
std::vector<std::string> PodState(const std::string& pod) {
  auto c = PodCells(pod);
  REQUIRE(c.size() == 9);
  return {c[1], c[2], c[3]};
}

std::string Pod(const std::string& status, const std::string& extra_meta = "",
                const std::string& spec = R"({"containers":[{"name":"a","image":"x"}]})") {
  return R"({"metadata":{"name":"p","namespace":"d","creationTimestamp":")" +
         Ago(hours(3) + seconds(20)) + "\"" + extra_meta + R"(},"spec":)" + spec + R"(,"status":)" +
         status + "}";
}

}  // namespace

TEST_CASE("HumanDuration matches apimachinery's duration.HumanDuration", "[table]") {
  CHECK(HumanDuration(seconds(-5)) == "<invalid>");
  CHECK(HumanDuration(seconds(-1)) == "0s");
  CHECK(HumanDuration(seconds(0)) == "0s");
  CHECK(HumanDuration(seconds(59)) == "59s");
  CHECK(HumanDuration(seconds(119)) == "119s");
  CHECK(HumanDuration(seconds(120)) == "2m");
  CHECK(HumanDuration(seconds(150)) == "2m30s");
  CHECK(HumanDuration(minutes(9) + seconds(59)) == "9m59s");
  CHECK(HumanDuration(minutes(10) + seconds(59)) == "10m");
  CHECK(HumanDuration(minutes(179)) == "179m");
  CHECK(HumanDuration(hours(3)) == "3h");
  CHECK(HumanDuration(hours(3) + minutes(5)) == "3h5m");
  CHECK(HumanDuration(hours(7) + minutes(59)) == "7h59m");
  CHECK(HumanDuration(hours(8) + minutes(30)) == "8h");
  CHECK(HumanDuration(hours(47)) == "47h");
  CHECK(HumanDuration(hours(48)) == "2d");
  CHECK(HumanDuration(hours(24 * 3 + 5)) == "3d5h");
  CHECK(HumanDuration(hours(24 * 7 + 23)) == "7d23h");
  CHECK(HumanDuration(hours(24 * 8)) == "8d");
  CHECK(HumanDuration(hours(24 * 729)) == "729d");
  CHECK(HumanDuration(hours(24 * 730)) == "2y");
  CHECK(HumanDuration(hours(24 * (365 * 3 + 10))) == "3y10d");
  CHECK(HumanDuration(hours(24 * 365 * 8)) == "8y");
  CHECK(HumanDuration(hours(24 * (365 * 9 + 100))) == "9y");
}

TEST_CASE("pod table: columns", "[table][pods]") {
  json::Document t = Table(Resource("", "pods"), {Pod(R"({"phase":"Pending"})")});
  CHECK(json::GetString(t, {"kind"}) == "Table");
  CHECK(json::GetString(t, {"apiVersion"}) == "meta.k8s.io/v1");
  CHECK(json::GetString(t, {"metadata", "resourceVersion"}) == "42");
  std::vector<std::pair<std::string, int>> cols;
  for (auto& c : t["columnDefinitions"].GetArray())
    cols.emplace_back(json::GetString(c, {"name"}),
                      static_cast<int>(json::GetInt(c, {"priority"})));
  CHECK(cols == std::vector<std::pair<std::string, int>>{{"Name", 0},
                                                         {"Ready", 0},
                                                         {"Status", 0},
                                                         {"Restarts", 0},
                                                         {"Age", 0},
                                                         {"IP", 1},
                                                         {"Node", 1},
                                                         {"Nominated Node", 1},
                                                         {"Readiness Gates", 1}});
  CHECK(json::GetString(t["columnDefinitions"][0], {"format"}) == "name");
}

TEST_CASE("pod table: a pending pod", "[table][pods]") {
  CHECK(PodCells(Pod(R"({"phase":"Pending"})")) ==
        std::vector<std::string>{"p", "0/1", "Pending", "0", "3h", "<none>", "<none>", "<none>",
                                 "<none>"});
  // Waiting containers show their reason.
  CHECK(PodState(Pod(R"({"phase":"Pending","containerStatuses":[{"name":"a","ready":false,
      "restartCount":0,"state":{"waiting":{"reason":"ContainerCreating"}}}]})")) ==
        std::vector<std::string>{"0/1", "ContainerCreating", "0"});
  // Scheduling gates.
  CHECK(PodState(Pod(R"({"phase":"Pending","conditions":[{"type":"PodScheduled",
      "status":"False","reason":"SchedulingGated"}]})"))[1] == "SchedulingGated");
}

TEST_CASE("pod table: running pod with IP, node and readiness gates", "[table][pods]") {
  std::string pod = Pod(R"({"phase":"Running","podIP":"10.42.0.7","podIPs":[{"ip":"10.42.0.7"}],
      "nominatedNodeName":"","conditions":[{"type":"example.com/gate","status":"True"},
      {"type":"Ready","status":"True"}],
      "containerStatuses":[{"name":"a","ready":true,"restartCount":0,
        "state":{"running":{"startedAt":"2024-01-01T00:00:00Z"}}},
        {"name":"b","ready":false,"restartCount":0,"state":{"running":{}}}]})",
                        "",
                        R"({"nodeName":"node-1","containers":[{"name":"a","image":"x"},
      {"name":"b","image":"y"}],"readinessGates":[{"conditionType":"example.com/gate"},
      {"conditionType":"example.com/other"}]})");
  CHECK(PodCells(pod) == std::vector<std::string>{"p", "1/2", "Running", "0", "3h", "10.42.0.7",
                                                  "node-1", "<none>", "1/2"});
}

TEST_CASE("pod table: CrashLoopBackOff and restarts with the last restart's age", "[table][pods]") {
  std::string status = R"({"phase":"Running","containerStatuses":[{"name":"a","ready":false,
      "restartCount":4,"state":{"waiting":{"reason":"CrashLoopBackOff"}},
      "lastState":{"terminated":{"exitCode":1,"reason":"Error","finishedAt":")" +
                       Ago(minutes(5) + seconds(20)) + R"("}}}]})";
  auto s = PodState(Pod(status));
  CHECK(s[0] == "0/1");
  CHECK(s[1] == "CrashLoopBackOff");
  CHECK((s[2] == "4 (5m20s ago)" || s[2] == "4 (5m21s ago)"));

  // Restarts without a recorded termination: just the count.
  CHECK(PodState(Pod(R"({"phase":"Running","containerStatuses":[{"name":"a","ready":true,
      "restartCount":2,"state":{"running":{}}}]})"))[2] == "2");
}

TEST_CASE("pod table: the first container's state wins", "[table][pods]") {
  std::string status = R"({"phase":"Running","containerStatuses":[
      {"name":"a","ready":false,"restartCount":1,"state":{"waiting":{"reason":"CrashLoopBackOff"}}},
      {"name":"b","ready":false,"restartCount":2,"state":{"waiting":{"reason":"ImagePullBackOff"}}}]})";
  auto s = PodState(
      Pod(status, "", R"({"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]})"));
  CHECK(s == std::vector<std::string>{"0/2", "CrashLoopBackOff", "3"});
}

TEST_CASE("pod table: completed, errors and signals", "[table][pods]") {
  CHECK(PodState(Pod(R"({"phase":"Succeeded","containerStatuses":[{"name":"a","ready":false,
      "restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]})")) ==
        std::vector<std::string>{"0/1", "Completed", "0"});
  CHECK(PodState(Pod(R"({"phase":"Failed","containerStatuses":[{"name":"a","ready":false,
      "restartCount":0,"state":{"terminated":{"exitCode":1,"reason":"Error"}}}]})"))[1] == "Error");
  CHECK(PodState(Pod(R"({"phase":"Failed","containerStatuses":[{"name":"a",
      "state":{"terminated":{"exitCode":3}}}]})"))[1] == "ExitCode:3");
  CHECK(PodState(Pod(R"({"phase":"Failed","containerStatuses":[{"name":"a",
      "state":{"terminated":{"exitCode":137,"signal":9}}}]})"))[1] == "Signal:9");
  // The pod-level reason (Evicted) shows when the containers say nothing.
  CHECK(PodState(Pod(R"({"phase":"Failed","reason":"Evicted"})"))[1] == "Evicted");
}

TEST_CASE("pod table: Completed with a container still running", "[table][pods]") {
  std::string spec = R"({"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]})";
  std::string statuses = R"("containerStatuses":[
      {"name":"a","ready":true,"state":{"running":{}}},
      {"name":"b","ready":false,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}])";
  CHECK(PodState(Pod(R"({"phase":"Running","conditions":[{"type":"Ready","status":"True"}],)" +
                         statuses + "}",
                     "", spec))[1] == "Running");
  CHECK(PodState(Pod(R"({"phase":"Running","conditions":[{"type":"Ready","status":"False"}],)" +
                         statuses + "}",
                     "", spec))[1] == "NotReady");
}

TEST_CASE("pod table: init containers", "[table][pods]") {
  std::string spec = R"({"initContainers":[{"name":"i1","image":"x"},{"name":"i2","image":"x"}],
      "containers":[{"name":"a","image":"x"}]})";
  // First init container done, second running: Init:1/2.
  CHECK(PodState(Pod(R"({"phase":"Pending","initContainerStatuses":[
      {"name":"i1","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
      {"name":"i2","state":{"running":{}}}],
      "containerStatuses":[{"name":"a","state":{"waiting":{"reason":"PodInitializing"}}}]})",
                     "", spec)) == std::vector<std::string>{"0/1", "Init:1/2", "0"});
  CHECK(PodState(Pod(R"({"phase":"Pending","initContainerStatuses":[
      {"name":"i1","state":{"waiting":{"reason":"PodInitializing"}}},
      {"name":"i2","state":{"waiting":{}}}]})",
                     "", spec))[1] == "Init:0/2");
  // Failing init container: its reason, and its restarts count.
  CHECK(PodState(Pod(R"({"phase":"Pending","initContainerStatuses":[
      {"name":"i1","restartCount":3,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]})",
                     "", spec)) == std::vector<std::string>{"0/1", "Init:CrashLoopBackOff", "3"});
  CHECK(PodState(Pod(R"({"phase":"Pending","initContainerStatuses":[
      {"name":"i1","state":{"terminated":{"exitCode":1,"reason":"Error"}}}]})",
                     "", spec))[1] == "Init:Error");
  CHECK(PodState(Pod(R"({"phase":"Pending","initContainerStatuses":[
      {"name":"i1","state":{"terminated":{"exitCode":2}}}]})",
                     "", spec))[1] == "Init:ExitCode:2");
  CHECK(PodState(Pod(R"({"phase":"Pending","initContainerStatuses":[
      {"name":"i1","state":{"terminated":{"exitCode":137,"signal":9}}}]})",
                     "", spec))[1] == "Init:Signal:9");
  // Once initialized, init containers' restarts no longer count.
  CHECK(PodState(Pod(R"({"phase":"Running","initContainerStatuses":[
      {"name":"i1","restartCount":2,"state":{"terminated":{"exitCode":0}}},
      {"name":"i2","state":{"terminated":{"exitCode":0}}}],
      "containerStatuses":[{"name":"a","ready":true,"restartCount":1,"state":{"running":{}}}]})",
                     "", spec)) == std::vector<std::string>{"1/1", "Running", "1"});
}

TEST_CASE("pod table: sidecar init containers count as containers", "[table][pods]") {
  std::string spec = R"({"initContainers":[{"name":"proxy","image":"x","restartPolicy":"Always"}],
      "containers":[{"name":"a","image":"x"}]})";
  CHECK(PodState(Pod(R"({"phase":"Running","conditions":[{"type":"Initialized","status":"True"}],
      "initContainerStatuses":[{"name":"proxy","started":true,"ready":true,"restartCount":1,
        "state":{"running":{}}}],
      "containerStatuses":[{"name":"a","ready":true,"restartCount":0,"state":{"running":{}}}]})",
                     "", spec)) == std::vector<std::string>{"2/2", "Running", "1"});
}

TEST_CASE("pod table: Terminating and Unknown while being deleted", "[table][pods]") {
  std::string del = R"(,"deletionTimestamp":"2024-01-01T00:00:00Z")";
  CHECK(PodState(Pod(R"({"phase":"Running","containerStatuses":[{"name":"a","ready":true,
      "state":{"running":{}}}]})",
                     del))[1] == "Terminating");
  CHECK(PodState(Pod(R"({"phase":"Running","reason":"NodeLost"})", del))[1] == "Unknown");
  // A finished pod stays Completed/Failed.
  CHECK(PodState(Pod(R"({"phase":"Succeeded","containerStatuses":[{"name":"a",
      "state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]})",
                     del))[1] == "Completed");
}

TEST_CASE("table: includeObject None, Metadata, Object", "[table]") {
  CHECK(ParseIncludeObject("None") == IncludeObject::kNone);
  CHECK(ParseIncludeObject("Metadata") == IncludeObject::kMetadata);
  CHECK(ParseIncludeObject("") == IncludeObject::kMetadata);
  CHECK(ParseIncludeObject("Object") == IncludeObject::kObject);

  const ResourceInfo& pods = Resource("", "pods");
  std::string pod = Pod(R"({"phase":"Pending"})");
  json::Document none = Table(pods, {pod}, IncludeObject::kNone);
  CHECK(json::Find(none["rows"][0], {"object"}) == nullptr);

  json::Document meta = Table(pods, {pod}, IncludeObject::kMetadata);
  const json::Value& m = meta["rows"][0]["object"];
  CHECK(json::GetString(m, {"kind"}) == "PartialObjectMetadata");
  CHECK(json::GetString(m, {"apiVersion"}) == "meta.k8s.io/v1");
  CHECK(json::GetString(m, {"metadata", "name"}) == "p");
  CHECK(json::GetString(m, {"metadata", "namespace"}) == "d");
  CHECK(json::Find(m, {"spec"}) == nullptr);

  json::Document full = Table(pods, {pod}, IncludeObject::kObject);
  const json::Value& o = full["rows"][0]["object"];
  CHECK(json::GetString(o, {"status", "phase"}) == "Pending");
  CHECK(json::Find(o, {"spec", "containers"}) != nullptr);
}

TEST_CASE("table: lists, continue token, empty lists", "[table]") {
  const ResourceInfo& pods = Resource("", "pods");
  json::Document a = Json(Pod(R"({"phase":"Pending"})"));
  json::Document b = Json(Pod(R"({"phase":"Running"})"));
  std::vector<const json::Value*> objs = {&a, &b};
  json::Document t = Json(BuildTable(pods, objs, IncludeObject::kNone, "7", "tok"));
  CHECK(t["rows"].Size() == 2);
  CHECK(json::GetString(t, {"metadata", "continue"}) == "tok");
  json::Document empty = Json(BuildTable(pods, {}, IncludeObject::kNone, "", ""));
  CHECK(empty["rows"].IsArray());
  CHECK(empty["rows"].Empty());
  CHECK(json::Find(empty, {"metadata", "resourceVersion"}) == nullptr);
}

TEST_CASE("node table: status and roles", "[table][nodes]") {
  const ResourceInfo& nodes = Resource("", "nodes");
  auto node = [](const std::string& extra_meta, const std::string& spec, const std::string& cond) {
    return R"({"metadata":{"name":"n1","creationTimestamp":")" + Ago(hours(24 * 10)) + "\"" +
           extra_meta + R"(},"spec":)" + spec + R"(,"status":{"conditions":)" + cond +
           R"js(,"addresses":[{"type":"InternalIP","address":"192.168.1.5"},
           {"type":"Hostname","address":"n1"}],
           "nodeInfo":{"kubeletVersion":"v1.32.0","osImage":"Debian GNU/Linux 12 (bookworm)",
           "kernelVersion":"6.1.0","containerRuntimeVersion":"runc://1.1"}}})js";
  };
  std::string ready =
      R"([{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}])";
  CHECK(Cells(nodes, node(R"(,"labels":{"node-role.kubernetes.io/control-plane":"true",
      "node-role.kubernetes.io/master":"true","kubernetes.io/hostname":"n1"})",
                          "{}", ready)) ==
        std::vector<std::string>{"n1", "Ready", "control-plane,master", "10d", "v1.32.0",
                                 "192.168.1.5", "<none>", "Debian GNU/Linux 12 (bookworm)", "6.1.0",
                                 "runc://1.1"});
  auto c =
      Cells(nodes, node("", R"({"unschedulable":true})", R"([{"type":"Ready","status":"False"}])"));
  CHECK(c[1] == "NotReady,SchedulingDisabled");
  CHECK(c[2] == "<none>");
  CHECK(Cells(nodes, node("", "{}", R"([{"type":"Ready","status":"Unknown"}])"))[1] == "NotReady");
  CHECK(Cells(nodes, node("", R"({"unschedulable":true})", "[]"))[1] ==
        "Unknown,SchedulingDisabled");
  CHECK(Cells(nodes,
              node(R"(,"labels":{"kubernetes.io/role":"worker","node-role.kubernetes.io/":"x"})",
                   "{}", ready))[2] == "worker");
  CHECK(Cells(nodes, node(R"(,"labels":{"kubernetes.io/role":""})", "{}", ready))[2] == "<none>");
  // Missing node info prints <unknown> in the wide columns.
  auto bare = Cells(nodes, R"({"metadata":{"name":"n2"},"status":{}})");
  CHECK(bare == std::vector<std::string>{"n2", "Unknown", "<none>", "<unknown>", "", "<none>",
                                         "<none>", "<unknown>", "<unknown>", "<unknown>"});
}

TEST_CASE("service table: types, cluster IP, ports, selector", "[table][services]") {
  const ResourceInfo& svcs = Resource("", "services");
  auto svc = [](const std::string& spec, const std::string& status = "{}") {
    return R"({"metadata":{"name":"web","namespace":"d","creationTimestamp":")" + Ago(minutes(5)) +
           R"("},"spec":)" + spec + R"(,"status":)" + status + "}";
  };
  auto c =
      Cells(svcs, svc(R"({"type":"NodePort","clusterIP":"10.43.0.12","clusterIPs":["10.43.0.12"],
      "selector":{"tier":"front","app":"web"},
      "ports":[{"port":80,"nodePort":30080,"protocol":"TCP"},{"port":53,"protocol":"UDP"}]})"));
  CHECK(c[0] == "web");
  CHECK(c[1] == "NodePort");
  CHECK(c[2] == "10.43.0.12");
  CHECK(c[3] == "<none>");
  CHECK(c[4] == "80:30080/TCP,53/UDP");
  CHECK((c[5] == "5m" || c[5] == "5m1s"));
  CHECK(c[6] == "app=web,tier=front");

  c = Cells(svcs, svc(R"({"type":"ClusterIP","clusterIP":"None","clusterIPs":["None"]})"));
  CHECK(c[2] == "None");
  CHECK(c[4] == "<none>");
  CHECK(c[6] == "<none>");

  c = Cells(svcs, svc(R"({"type":"ClusterIP","clusterIP":"10.43.0.9","externalIPs":["1.2.3.4"],
      "ports":[{"port":443}]})"));
  CHECK(c[3] == "1.2.3.4");
  CHECK(c[4] == "443/TCP");

  c = Cells(
      svcs,
      svc(R"({"type":"LoadBalancer","clusterIP":"10.43.0.3","ports":[{"port":80,"nodePort":31000,"protocol":"TCP"}]})"));
  CHECK(c[3] == "<pending>");
  c = Cells(svcs, svc(R"({"type":"LoadBalancer","clusterIP":"10.43.0.3","externalIPs":["9.9.9.9"],
      "ports":[{"port":80}]})",
                      R"({"loadBalancer":{"ingress":[{"ip":"192.168.1.20"},{"hostname":"lb.local"},
      {"ip":"192.168.1.10"}]}})"));
  CHECK(c[3] == "192.168.1.10,192.168.1.20,lb.local,9.9.9.9");

  c = Cells(svcs, svc(R"({"type":"ExternalName","externalName":"db.example.com"})"));
  CHECK(c[2] == "<none>");
  CHECK(c[3] == "db.example.com");
}

TEST_CASE("deployment table: READY a/b", "[table][workloads]") {
  const ResourceInfo& deps = *ResourceTable::BuiltIn().Find("apps", "v1", "deployments");
  auto c = Cells(deps, R"({"metadata":{"name":"web","creationTimestamp":")" + Ago(hours(24 * 3)) +
                           R"("},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
      "template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"},
      {"name":"side","image":"busybox"}]}}},
      "status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}})");
  CHECK(c == std::vector<std::string>{"web", "2/3", "3", "2", "3d", "nginx,side",
                                      "nginx:1.27,busybox", "app=web"});
  // A new deployment without status.
  c = Cells(deps, R"({"metadata":{"name":"new"},"spec":{"replicas":1}})");
  CHECK(c[1] == "0/1");
  CHECK(c[2] == "0");
  CHECK(c[4] == "<unknown>");
}

TEST_CASE("other workload tables", "[table][workloads]") {
  const ResourceInfo& rs = *ResourceTable::BuiltIn().Find("apps", "v1", "replicasets");
  auto c = Cells(rs, R"({"metadata":{"name":"web-1"},"spec":{"replicas":3,
      "selector":{"matchLabels":{"app":"web","pod-template-hash":"abc"}}},
      "status":{"replicas":3,"readyReplicas":1}})");
  CHECK(c[1] == "3");
  CHECK(c[2] == "3");
  CHECK(c[3] == "1");
  CHECK(c[7] == "app=web,pod-template-hash=abc");

  const ResourceInfo& sts = *ResourceTable::BuiltIn().Find("apps", "v1", "statefulsets");
  CHECK(Cells(sts, R"({"metadata":{"name":"db"},"spec":{"replicas":2},
      "status":{"readyReplicas":1}})")[1] == "1/2");

  const ResourceInfo& jobs = *ResourceTable::BuiltIn().Find("batch", "v1", "jobs");
  c = Cells(jobs, R"({"metadata":{"name":"j"},"spec":{"completions":3,"parallelism":1},
      "status":{"succeeded":3,"startTime":"2024-01-01T00:00:00Z",
      "completionTime":"2024-01-01T00:00:42Z",
      "conditions":[{"type":"SuccessCriteriaMet","status":"True"},
                    {"type":"Complete","status":"True"}]}})");
  CHECK(c[1] == "Complete");
  CHECK(c[2] == "3/3");
  CHECK(c[3] == "42s");
  c = Cells(jobs, R"({"metadata":{"name":"j"},"spec":{"parallelism":1},"status":{}})");
  CHECK(c[1] == "Running");
  CHECK(c[2] == "0/1");
  CHECK(c[3] == "");
  CHECK(Cells(jobs, R"({"metadata":{"name":"j"},"spec":{"parallelism":4},"status":{}})")[2] ==
        "0/1 of 4");
  CHECK(Cells(jobs, R"({"metadata":{"name":"j"},"spec":{},"status":{"conditions":[
      {"type":"Failed","status":"True"}]}})")[1] == "Failed");
}

TEST_CASE("event table: object is kind/name in lower case", "[table]") {
  const ResourceInfo& events = Resource("", "events");
  auto c =
      Cells(events, R"({"metadata":{"name":"web.1"},"type":"Normal","reason":"ScalingReplicaSet",
      "involvedObject":{"kind":"ReplicaSet","name":"web-1"},"message":"Scaled up",
      "source":{"component":"deployment-controller"},"count":2})");
  CHECK(c[1] == "Normal");
  CHECK(c[2] == "ScalingReplicaSet");
  CHECK(c[3] == "replicaset/web-1");
  CHECK(c[5] == "deployment-controller");
  CHECK(c[6] == "Scaled up");
  CHECK(c[9] == "web.1");
}

TEST_CASE("default table for other kinds: Name, Created At", "[table]") {
  const ResourceInfo& pcs =
      *ResourceTable::BuiltIn().Find("rbac.authorization.k8s.io", "v1", "clusterroles");
  json::Document t =
      Table(pcs, {R"({"metadata":{"name":"admin","creationTimestamp":"2024-01-01T00:00:00Z"}})"});
  REQUIRE(t["columnDefinitions"].Size() == 2);
  CHECK(json::GetString(t["columnDefinitions"][1], {"name"}) == "Created At");
  CHECK(json::GetString(t["columnDefinitions"][1], {"type"}) == "date");
  CHECK(json::Serialize(t["rows"][0]["cells"]) == R"(["admin","2024-01-01T00:00:00Z"])");
}
