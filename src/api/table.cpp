#include "api/table.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>

#include "api/table_printer.h"
#include "common/ids.h"

namespace cluster::api {
namespace {

using namespace table_internal;

bool HasCondition(const Value& pod, const char* type, const char* status) {
  if (const Value* cs = json::Find(pod, {"status", "conditions"}); cs && cs->IsArray())
    for (auto& c : cs->GetArray())
      if (S(c, {"type"}) == type && S(c, {"status"}) == status) return true;
  return false;
}

// Keeps the later of two RFC 3339 times (the API writes them all in the same UTC form, so the
// strings order as the times do).
void KeepLatest(const Value& c, std::string* latest) {
  std::string fin = S(c, {"lastState", "terminated", "finishedAt"});
  if (fin > *latest) *latest = fin;
}

// A terminated container without a reason: "Signal:N" or "ExitCode:N".
std::string TerminatedNoReason(const Value& c) {
  int64_t sig = I(c, {"state", "terminated", "signal"});
  if (sig != 0) return "Signal:" + std::to_string(sig);
  return "ExitCode:" + std::to_string(I(c, {"state", "terminated", "exitCode"}));
}

// The STATUS, READY and RESTARTS of `kubectl get pods`, as upstream's printPod.
std::string PodStatusReason(const Value& pod, int* ready, int* total, int64_t* restarts,
                            std::string* last_restart) {
  std::string phase = S(pod, {"status", "phase"});
  std::string reason = S(pod, {"status", "reason"});
  if (reason.empty()) reason = phase;
  if (const Value* cs = json::Find(pod, {"status", "conditions"}); cs && cs->IsArray())
    for (auto& c : cs->GetArray())
      if (S(c, {"type"}) == "PodScheduled" && S(c, {"reason"}) == "SchedulingGated")
        reason = "SchedulingGated";
  *ready = 0;
  *total = 0;
  *restarts = 0;
  if (const Value* cs = json::Find(pod, {"spec", "containers"}); cs && cs->IsArray())
    *total = static_cast<int>(cs->Size());
  // Sidecars (init containers with restartPolicy Always) count as containers.
  std::vector<std::string> sidecars;
  size_t init_count = 0;
  if (const Value* ics = json::Find(pod, {"spec", "initContainers"}); ics && ics->IsArray()) {
    init_count = ics->Size();
    for (auto& c : ics->GetArray())
      if (S(c, {"restartPolicy"}) == "Always") {
        sidecars.push_back(S(c, {"name"}));
        ++*total;
      }
  }
  auto is_sidecar = [&](const Value& c) {
    return std::find(sidecars.begin(), sidecars.end(), S(c, {"name"})) != sidecars.end();
  };
  int64_t sidecar_restarts = 0;
  std::string sidecar_last;
  bool initializing = false;
  if (const Value* ics = json::Find(pod, {"status", "initContainerStatuses"});
      ics && ics->IsArray()) {
    for (rapidjson::SizeType i = 0; i < ics->Size(); ++i) {
      const Value& c = (*ics)[i];
      *restarts += I(c, {"restartCount"});
      KeepLatest(c, last_restart);
      if (is_sidecar(c)) {
        sidecar_restarts += I(c, {"restartCount"});
        KeepLatest(c, &sidecar_last);
      }
      bool term = json::Find(c, {"state", "terminated"}) != nullptr;
      if (term && I(c, {"state", "terminated", "exitCode"}) == 0) continue;
      if (is_sidecar(c) && json::GetBool(c, {"started"})) {
        if (json::GetBool(c, {"ready"})) ++*ready;
        continue;
      }
      std::string waiting = S(c, {"state", "waiting", "reason"});
      if (term) {
        std::string r = S(c, {"state", "terminated", "reason"});
        reason = "Init:" + (r.empty() ? TerminatedNoReason(c) : r);
      } else if (!waiting.empty() && waiting != "PodInitializing") {
        reason = "Init:" + waiting;
      } else {
        reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_count);
      }
      initializing = true;
      break;
    }
  }
  if (!initializing || HasCondition(pod, "Initialized", "True")) {
    *restarts = sidecar_restarts;
    *last_restart = sidecar_last;
    bool has_running = false;
    if (const Value* st = json::Find(pod, {"status", "containerStatuses"}); st && st->IsArray()) {
      // Backwards, so that the first container's state wins, as upstream.
      for (rapidjson::SizeType n = st->Size(); n > 0; --n) {
        const Value& c = (*st)[n - 1];
        *restarts += I(c, {"restartCount"});
        KeepLatest(c, last_restart);
        std::string waiting = S(c, {"state", "waiting", "reason"});
        std::string term_reason = S(c, {"state", "terminated", "reason"});
        if (!waiting.empty()) {
          reason = waiting;
        } else if (json::Find(c, {"state", "terminated"})) {
          reason = term_reason.empty() ? TerminatedNoReason(c) : term_reason;
        } else if (json::GetBool(c, {"ready"}) && json::Find(c, {"state", "running"})) {
          has_running = true;
          ++*ready;
        }
      }
    }
    if (reason == "Completed" && has_running)
      reason = HasCondition(pod, "Ready", "True") ? "Running" : "NotReady";
  }
  if (json::Find(pod, {"metadata", "deletionTimestamp"})) {
    if (S(pod, {"status", "reason"}) == "NodeLost")
      reason = "Unknown";
    else if (phase != "Succeeded" && phase != "Failed")
      reason = "Terminating";
  }
  return reason;
}

Printer PodPrinter() {
  return {{kName,
           {"Ready", "string", "",
            "The aggregate readiness state of this pod for accepting traffic.", 0},
           {"Status", "string", "", "The aggregate status of the containers in this pod.", 0},
           {"Restarts", "string", "",
            "The number of times the containers in this pod have been restarted and when the last "
            "container in this pod has restarted.",
            0},
           kAge,
           {"IP", "string", "", "The IP address assigned to the pod", 1},
           {"Node", "string", "", "The name of the node where the pod is scheduled", 1},
           {"Nominated Node", "string", "", "The name of the node where the pod is nominated", 1},
           {"Readiness Gates", "string", "", "The readiness gates of the pod", 1}},
          [](const Value& o, Writer& w) {
            int ready, total;
            int64_t restarts;
            std::string last;
            std::string reason = PodStatusReason(o, &ready, &total, &restarts, &last);
            Str(w, S(o, {"metadata", "name"}));
            Str(w, std::to_string(ready) + "/" + std::to_string(total));
            Str(w, reason);
            std::string r = std::to_string(restarts);
            if (restarts > 0 && !last.empty()) r += " (" + AgeOf(last) + " ago)";
            Str(w, r);
            Str(w, Age(o));
            std::string ip;
            if (const Value* ips = json::Find(o, {"status", "podIPs"});
                ips && ips->IsArray() && !ips->Empty())
              ip = S((*ips)[0], {"ip"});
            Str(w, NoneIfEmpty(ip));
            Str(w, NoneIfEmpty(S(o, {"spec", "nodeName"})));
            Str(w, NoneIfEmpty(S(o, {"status", "nominatedNodeName"})));
            const Value* gates = json::Find(o, {"spec", "readinessGates"});
            if (gates && gates->IsArray() && !gates->Empty()) {
              int ok = 0;
              const Value* conds = json::Find(o, {"status", "conditions"});
              for (auto& g : gates->GetArray()) {
                std::string t = S(g, {"conditionType"});
                if (conds && conds->IsArray())
                  for (auto& c : conds->GetArray())
                    if (S(c, {"type"}) == t) {
                      if (S(c, {"status"}) == "True") ++ok;
                      break;
                    }
              }
              Str(w, std::to_string(ok) + "/" + std::to_string(gates->Size()));
            } else {
              Str(w, "<none>");
            }
          }};
}

Printer NodePrinter() {
  return {
      {kName,
       {"Status", "string", "", "The status of the node", 0},
       {"Roles", "string", "", "The roles of the node", 0},
       kAge,
       {"Version", "string", "", "Kubelet Version reported by the node.", 0},
       {"Internal-IP", "string", "", "List of internal IPs for the node.", 1},
       {"External-IP", "string", "", "List of external IPs for the node.", 1},
       {"OS-Image", "string", "",
        "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
        1},
       {"Kernel-Version", "string", "",
        "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1},
       {"Container-Runtime", "string", "",
        "Container runtime version reported by the node through runtime remote API (e.g. "
        "containerd://1.4.2).",
        1}},
      [](const Value& o, Writer& w) {
        std::string status = "Unknown";
        if (const Value* cs = json::Find(o, {"status", "conditions"}); cs && cs->IsArray())
          for (auto& c : cs->GetArray())
            if (S(c, {"type"}) == "Ready")
              status = S(c, {"status"}) == "True" ? "Ready" : "NotReady";  // also for Unknown
        if (json::GetBool(o, {"spec", "unschedulable"})) status += ",SchedulingDisabled";
        std::vector<std::string> roles;
        if (const Value* l = json::Find(o, {"metadata", "labels"}); l && l->IsObject())
          for (auto& kv : l->GetObject()) {
            std::string k = kv.name.GetString();
            const std::string p = "node-role.kubernetes.io/";
            if (k.rfind(p, 0) == 0 && k.size() > p.size())
              roles.push_back(k.substr(p.size()));
            else if (k == "kubernetes.io/role" && kv.value.IsString() &&
                     kv.value.GetStringLength() > 0)
              roles.push_back(kv.value.GetString());
          }
        std::sort(roles.begin(), roles.end());
        roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
        std::string internal, external;
        if (const Value* as = json::Find(o, {"status", "addresses"}); as && as->IsArray())
          for (auto& a : as->GetArray()) {
            if (S(a, {"type"}) == "InternalIP" && internal.empty()) internal = S(a, {"address"});
            if (S(a, {"type"}) == "ExternalIP" && external.empty()) external = S(a, {"address"});
          }
        Str(w, S(o, {"metadata", "name"}));
        Str(w, status);
        Str(w, roles.empty() ? "<none>" : Join(roles));
        Str(w, Age(o));
        Str(w, S(o, {"status", "nodeInfo", "kubeletVersion"}));
        Str(w, NoneIfEmpty(internal));
        Str(w, NoneIfEmpty(external));
        Str(w, S(o, {"status", "nodeInfo", "osImage"}, "<unknown>"));
        Str(w, S(o, {"status", "nodeInfo", "kernelVersion"}, "<unknown>"));
        Str(w, S(o, {"status", "nodeInfo", "containerRuntimeVersion"}, "<unknown>"));
      }};
}

std::string ServicePorts(const Value& o) {
  std::vector<std::string> out;
  if (const Value* ps = json::Find(o, {"spec", "ports"}); ps && ps->IsArray())
    for (auto& p : ps->GetArray()) {
      std::string s = std::to_string(I(p, {"port"}));
      if (I(p, {"nodePort"}) > 0) s += ":" + std::to_string(I(p, {"nodePort"}));
      out.push_back(s + "/" + S(p, {"protocol"}, "TCP"));
    }
  return out.empty() ? "<none>" : Join(out);
}

Printer ServicePrinter() {
  return {{kName,
           {"Type", "string", "", "The type of the service", 0},
           {"Cluster-IP", "string", "", "The cluster IP of the service", 0},
           {"External-IP", "string", "", "The external IP of the service", 0},
           {"Port(s)", "string", "", "The port(s) of the service", 0},
           kAge,
           {"Selector", "string", "", "The selector of the service", 1}},
          [](const Value& o, Writer& w) {
            std::string type = S(o, {"spec", "type"}, "ClusterIP");
            std::string ext = "<none>";
            std::vector<std::string> ips;
            if (const Value* e = json::Find(o, {"spec", "externalIPs"}); e && e->IsArray())
              for (auto& x : e->GetArray())
                if (x.IsString()) ips.push_back(x.GetString());
            if (type == "ExternalName") {
              ext = S(o, {"spec", "externalName"});
            } else if (type == "LoadBalancer") {
              // Ingress addresses (sorted, unique) first, then spec.externalIPs.
              std::vector<std::string> lb;
              if (const Value* in = json::Find(o, {"status", "loadBalancer", "ingress"});
                  in && in->IsArray())
                for (auto& x : in->GetArray()) {
                  std::string v = S(x, {"ip"});
                  if (v.empty()) v = S(x, {"hostname"});
                  if (!v.empty()) lb.push_back(v);
                }
              std::sort(lb.begin(), lb.end());
              lb.erase(std::unique(lb.begin(), lb.end()), lb.end());
              lb.insert(lb.end(), ips.begin(), ips.end());
              ext = lb.empty() ? "<pending>" : Join(lb);
            } else if (!ips.empty()) {
              ext = Join(ips);
            }
            Str(w, S(o, {"metadata", "name"}));
            Str(w, type);
            std::string cluster_ip = S(o, {"spec", "clusterIP"});
            if (const Value* cips = json::Find(o, {"spec", "clusterIPs"});
                cips && cips->IsArray() && !cips->Empty())
              cluster_ip = (*cips)[0].IsString() ? (*cips)[0].GetString() : "";
            Str(w, NoneIfEmpty(cluster_ip));
            Str(w, ext);
            Str(w, ServicePorts(o));
            Str(w, Age(o));
            Str(w, SelectorString(json::Find(o, {"spec", "selector"})));
          }};
}

Printer EndpointsPrinter() {
  return {{kName, {"Endpoints", "string", "", "Endpoints of the service", 0}, kAge},
          [](const Value& o, Writer& w) {
            std::vector<std::string> eps;
            size_t count = 0;
            if (const Value* ss = json::Find(o, {"subsets"}); ss && ss->IsArray())
              for (auto& s : ss->GetArray()) {
                const Value* addrs = json::Find(s, {"addresses"});
                const Value* ports = json::Find(s, {"ports"});
                if (!addrs || !addrs->IsArray()) continue;
                for (auto& a : addrs->GetArray()) {
                  if (ports && ports->IsArray() && !ports->Empty()) {
                    for (auto& p : ports->GetArray()) {
                      ++count;
                      if (eps.size() < 3)
                        eps.push_back(S(a, {"ip"}) + ":" + std::to_string(I(p, {"port"})));
                    }
                  } else {
                    ++count;
                    if (eps.size() < 3) eps.push_back(S(a, {"ip"}));
                  }
                }
              }
            std::string s = eps.empty() ? "<none>" : Join(eps);
            if (count > eps.size()) s += " + " + std::to_string(count - eps.size()) + " more...";
            Str(w, S(o, {"metadata", "name"}));
            Str(w, s);
            Str(w, Age(o));
          }};
}

const Column kContainers = {"Containers", "string", "", "Names of each container in the template.",
                            1};
const Column kImages = {"Images", "string", "",
                        "Images referenced by each container in the template.", 1};
const Column kSelector = {"Selector", "string", "",
                          "Label selector for pods. Existing ReplicaSets whose pods are selected "
                          "by this will be the ones affected by this deployment.",
                          1};

void TemplateCells(const Value& o, Writer& w, bool selector) {
  std::string names, images;
  ContainersAndImages(json::Find(o, {"spec", "template", "spec"}), &names, &images);
  Str(w, names);
  Str(w, images);
  if (selector) Str(w, SelectorString(json::Find(o, {"spec", "selector"})));
}

Printer DeploymentPrinter() {
  return {{kName,
           {"Ready", "string", "", "Number of the pod with ready state", 0},
           {"Up-to-date", "string", "",
            "Total number of non-terminated pods targeted by this deployment that have the desired "
            "template spec.",
            0},
           {"Available", "string", "",
            "Total number of available pods (ready for at least minReadySeconds) targeted by this "
            "deployment.",
            0},
           kAge,
           kContainers,
           kImages,
           kSelector},
          [](const Value& o, Writer& w) {
            Str(w, S(o, {"metadata", "name"}));
            Str(w, std::to_string(I(o, {"status", "readyReplicas"})) + "/" +
                       std::to_string(I(o, {"spec", "replicas"})));
            w.Int64(I(o, {"status", "updatedReplicas"}));
            w.Int64(I(o, {"status", "availableReplicas"}));
            Str(w, Age(o));
            TemplateCells(o, w, true);
          }};
}

Printer ReplicaSetPrinter() {
  return {
      {kName,
       {"Desired", "integer", "", "Replicas is the number of desired replicas.", 0},
       {"Current", "integer", "", "Replicas is the most recently observed number of replicas.", 0},
       {"Ready", "integer", "", "The number of ready replicas for this replica set.", 0},
       kAge,
       kContainers,
       kImages,
       kSelector},
      [](const Value& o, Writer& w) {
        Str(w, S(o, {"metadata", "name"}));
        w.Int64(I(o, {"spec", "replicas"}));
        w.Int64(I(o, {"status", "replicas"}));
        w.Int64(I(o, {"status", "readyReplicas"}));
        Str(w, Age(o));
        TemplateCells(o, w, true);
      }};
}

Printer DaemonSetPrinter() {
  return {{kName,
           {"Desired", "integer", "",
            "The total number of nodes that should be running the daemon pod.", 0},
           {"Current", "integer", "",
            "The number of nodes that are running at least 1 daemon pod and are supposed to run "
            "the daemon pod.",
            0},
           {"Ready", "integer", "",
            "The number of nodes that should be running the daemon pod and have one or more of the "
            "daemon pod running and ready.",
            0},
           {"Up-to-date", "integer", "",
            "The total number of nodes that are running updated daemon pod", 0},
           {"Available", "integer", "",
            "The number of nodes that should be running the daemon pod and have one or more of the "
            "daemon pod running and available (ready for at least spec.minReadySeconds)",
            0},
           {"Node Selector", "string", "",
            "NodeSelector is a selector which must be true for the pod to fit on a node. Selector "
            "which must match a node's labels for the pod to be scheduled on that node. More info: "
            "https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
            0},
           kAge,
           kContainers,
           kImages,
           kSelector},
          [](const Value& o, Writer& w) {
            Str(w, S(o, {"metadata", "name"}));
            w.Int64(I(o, {"status", "desiredNumberScheduled"}));
            w.Int64(I(o, {"status", "currentNumberScheduled"}));
            w.Int64(I(o, {"status", "numberReady"}));
            w.Int64(I(o, {"status", "updatedNumberScheduled"}));
            w.Int64(I(o, {"status", "numberAvailable"}));
            Str(w, SelectorString(json::Find(o, {"spec", "template", "spec", "nodeSelector"})));
            Str(w, Age(o));
            TemplateCells(o, w, true);
          }};
}

Printer StatefulSetPrinter() {
  return {{kName,
           {"Ready", "string", "", "Number of the pod with ready state", 0},
           kAge,
           kContainers,
           kImages},
          [](const Value& o, Writer& w) {
            Str(w, S(o, {"metadata", "name"}));
            Str(w, std::to_string(I(o, {"status", "readyReplicas"})) + "/" +
                       std::to_string(I(o, {"spec", "replicas"})));
            Str(w, Age(o));
            TemplateCells(o, w, false);
          }};
}

// Upstream's precedence: Complete, Failed, Terminating, Suspended, FailureTarget, Running.
std::string JobStatus(const Value& o) {
  auto has = [&](const char* type) {
    if (const Value* cs = json::Find(o, {"status", "conditions"}); cs && cs->IsArray())
      for (auto& c : cs->GetArray())
        if (S(c, {"type"}) == type) return S(c, {"status"}) == "True";
    return false;
  };
  if (has("Complete")) return "Complete";
  if (has("Failed")) return "Failed";
  if (json::Find(o, {"metadata", "deletionTimestamp"})) return "Terminating";
  if (has("Suspended")) return "Suspended";
  if (has("FailureTarget")) return "FailureTarget";
  return "Running";
}

Printer JobPrinter() {
  return {{kName,
           {"Status", "string", "", "Status of the job.", 0},
           {"Completions", "string", "", "The completion status of the job.", 0},
           {"Duration", "string", "", "Time required to complete the job.", 0},
           kAge,
           kContainers,
           kImages,
           kSelector},
          [](const Value& o, Writer& w) {
            Str(w, S(o, {"metadata", "name"}));
            Str(w, JobStatus(o));
            std::string comp;
            if (json::Find(o, {"spec", "completions"}))
              comp = std::to_string(I(o, {"status", "succeeded"})) + "/" +
                     std::to_string(I(o, {"spec", "completions"}));
            else if (I(o, {"spec", "parallelism"}) > 1)
              comp = std::to_string(I(o, {"status", "succeeded"})) + "/1 of " +
                     std::to_string(I(o, {"spec", "parallelism"}));
            else
              comp = std::to_string(I(o, {"status", "succeeded"})) + "/1";
            Str(w, comp);
            std::string start = S(o, {"status", "startTime"});
            std::string done = S(o, {"status", "completionTime"});
            std::chrono::system_clock::time_point ts, te;
            std::string dur;
            if (!start.empty() && ParseRfc3339(start, &ts)) {
              if (done.empty() || !ParseRfc3339(done, &te)) te = std::chrono::system_clock::now();
              dur = HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(te - ts));
            }
            Str(w, dur);
            Str(w, Age(o));
            TemplateCells(o, w, true);
          }};
}

Printer CronJobPrinter() {
  return {
      {kName,
       {"Schedule", "string", "",
        "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.", 0},
       {"Timezone", "string", "",
        "The time zone name for the given schedule, see "
        "https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will "
        "default to the time zone of the kube-controller-manager process. The set of valid time "
        "zone names and the time zone offset is loaded from the system-wide time zone database by "
        "the API server during CronJob validation and the controller manager during execution. If "
        "no system-wide time zone database can be found a bundled version of the database is used "
        "instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to "
        "a change in host configuration, the controller will stop creating new new Jobs and will "
        "create a system event with the reason UnknownTimeZone. More information can be found in "
        "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones",
        0},
       {"Suspend", "boolean", "",
        "This flag tells the controller to suspend subsequent executions, it does not apply to "
        "already started executions.  Defaults to false.",
        0},
       {"Active", "integer", "", "A list of pointers to currently running jobs.", 0},
       {"Last Schedule", "string", "",
        "Information when was the last time the job was successfully scheduled.", 0},
       kAge,
       kContainers,
       kImages,
       kSelector},
      [](const Value& o, Writer& w) {
        Str(w, S(o, {"metadata", "name"}));
        Str(w, S(o, {"spec", "schedule"}));
        Str(w, NoneIfEmpty(S(o, {"spec", "timeZone"})));
        w.Bool(json::GetBool(o, {"spec", "suspend"}));
        const Value* act = json::Find(o, {"status", "active"});
        w.Int64(act && act->IsArray() ? act->Size() : 0);
        std::string last = S(o, {"status", "lastScheduleTime"});
        Str(w, last.empty() ? "<none>" : AgeOf(last));
        Str(w, Age(o));
        std::string names, images;
        ContainersAndImages(json::Find(o, {"spec", "jobTemplate", "spec", "template", "spec"}),
                            &names, &images);
        Str(w, names);
        Str(w, images);
        Str(w, SelectorString(json::Find(o, {"spec", "jobTemplate", "spec", "selector"})));
      }};
}

Printer EventPrinter() {
  return {
      {{"Last Seen", "string", "", "Time when last this event was observed", 0},
       {"Type", "string", "",
        "Type of this event (Normal, Warning), new types could be added in the future.", 0},
       {"Reason", "string", "",
        "This should be a short, machine understandable string that gives the reason for the "
        "transition into the object's current status.",
        0},
       {"Object", "string", "", "The object that this event is about.", 0},
       {"Subobject", "string", "", "Subobject of the object this event is about.", 1},
       {"Source", "string", "", "Source of the event.", 1},
       {"Message", "string", "", "A human-readable description of the status of this operation.",
        0},
       {"First Seen", "string", "",
        "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
        1},
       {"Count", "string", "", "The number of times this event has occurred.", 1},
       {"Name", "string", "name", kName.description, 1}},
      [](const Value& o, Writer& w) {
        std::string last = S(o, {"lastTimestamp"});
        if (last.empty()) last = S(o, {"eventTime"});
        if (last.empty()) last = S(o, {"metadata", "creationTimestamp"});
        std::string first = S(o, {"firstTimestamp"});
        if (first.empty()) first = S(o, {"eventTime"});
        std::string kind = S(o, {"involvedObject", "kind"});
        std::string obj = kind;
        for (char& ch : obj) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (!S(o, {"involvedObject", "name"}).empty())
          obj += "/" + S(o, {"involvedObject", "name"});
        std::string src = S(o, {"source", "component"});
        if (src.empty()) src = S(o, {"reportingComponent"});
        if (!S(o, {"source", "host"}).empty()) src += ", " + S(o, {"source", "host"});
        int64_t count = I(o, {"count"});
        if (count == 0) count = I(o, {"series", "count"});
        Str(w, AgeOf(last));
        Str(w, S(o, {"type"}));
        Str(w, S(o, {"reason"}));
        Str(w, obj);
        Str(w, S(o, {"involvedObject", "fieldPath"}));
        Str(w, src);
        Str(w, S(o, {"message"}));
        Str(w, AgeOf(first));
        Str(w, std::to_string(count == 0 ? 1 : count));
        Str(w, S(o, {"metadata", "name"}));
      }};
}

size_t DataCount(const Value& o) {
  size_t n = 0;
  for (const char* f : {"data", "binaryData"})
    if (const Value* d = json::Find(o, {f}); d && d->IsObject()) n += d->MemberCount();
  return n;
}

Printer ConfigMapPrinter() {
  return {{kName, {"Data", "integer", "", "Data contains the configuration data.", 0}, kAge},
          [](const Value& o, Writer& w) {
            Str(w, S(o, {"metadata", "name"}));
            w.Int64(DataCount(o));
            Str(w, Age(o));
          }};
}

Printer SecretPrinter() {
  return {{kName,
           {"Type", "string", "", "The type of secret", 0},
           {"Data", "integer", "", "Data contains the secret data.", 0},
           kAge},
          [](const Value& o, Writer& w) {
            Str(w, S(o, {"metadata", "name"}));
            Str(w, S(o, {"type"}));
            w.Int64(DataCount(o));
            Str(w, Age(o));
          }};
}

Printer ServiceAccountPrinter() {
  return {{kName,
           {"Secrets", "string", "",
            "Secrets is a list of the secrets in the same namespace that pods running using this "
            "ServiceAccount are allowed to use.",
            0},
           kAge},
          [](const Value& o, Writer& w) {
            Str(w, S(o, {"metadata", "name"}));
            const Value* s = json::Find(o, {"secrets"});
            w.Int64(s && s->IsArray() ? s->Size() : 0);
            Str(w, Age(o));
          }};
}

Printer NamespacePrinter() {
  return {{kName, {"Status", "string", "", "The status of the namespace", 0}, kAge},
          [](const Value& o, Writer& w) {
            Str(w, S(o, {"metadata", "name"}));
            Str(w, S(o, {"status", "phase"}, "Active"));
            Str(w, Age(o));
          }};
}

Printer LeasePrinter() {
  return {{kName, {"Holder", "string", "", "The holder of the lease", 0}, kAge},
          [](const Value& o, Writer& w) {
            Str(w, S(o, {"metadata", "name"}));
            Str(w, S(o, {"spec", "holderIdentity"}));
            Str(w, Age(o));
          }};
}

Printer DefaultPrinter() {
  Column created = {"Created At", "date", "date", kAge.description, 0};
  return {{kName, created}, [](const Value& o, Writer& w) {
            Str(w, S(o, {"metadata", "name"}));
            Str(w, S(o, {"metadata", "creationTimestamp"}));
          }};
}

const Printer& PrinterFor(const ResourceInfo& info) {
  static const std::map<std::string, Printer> printers = [] {
    std::map<std::string, Printer> m = {
        {"Pod", PodPrinter()},
        {"Node", NodePrinter()},
        {"Service", ServicePrinter()},
        {"Endpoints", EndpointsPrinter()},
        {"Deployment", DeploymentPrinter()},
        {"ReplicaSet", ReplicaSetPrinter()},
        {"ReplicationController", ReplicaSetPrinter()},
        {"DaemonSet", DaemonSetPrinter()},
        {"StatefulSet", StatefulSetPrinter()},
        {"Job", JobPrinter()},
        {"CronJob", CronJobPrinter()},
        {"ConfigMap", ConfigMapPrinter()},
        {"Secret", SecretPrinter()},
        {"ServiceAccount", ServiceAccountPrinter()},
        {"Namespace", NamespacePrinter()},
        {"Lease", LeasePrinter()},
    };
    AddMorePrinters(&m);
    return m;
  }();
  static const Printer kDefault = DefaultPrinter();
  static const Printer kEvent = EventPrinter();
  if (info.kind == "Event" && info.group.empty()) return kEvent;
  auto it = printers.find(info.kind);
  return it == printers.end() ? kDefault : it->second;
}

void WriteObjectField(const Value& obj, IncludeObject include, Writer& w) {
  if (include == IncludeObject::kNone) return;
  w.Key("object");
  if (include == IncludeObject::kObject) {
    obj.Accept(w);
    return;
  }
  w.StartObject();
  w.Key("kind");
  w.String("PartialObjectMetadata");
  w.Key("apiVersion");
  w.String("meta.k8s.io/v1");
  w.Key("metadata");
  if (const Value* m = json::Find(obj, {"metadata"}))
    m->Accept(w);
  else {
    w.StartObject();
    w.EndObject();
  }
  w.EndObject();
}

}  // namespace

IncludeObject ParseIncludeObject(const std::string& s) {
  if (s == "None") return IncludeObject::kNone;
  if (s == "Object") return IncludeObject::kObject;
  return IncludeObject::kMetadata;
}

std::string HumanDuration(std::chrono::seconds d) {
  int64_t seconds = d.count();
  char buf[64];
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return std::to_string(seconds) + "s";
  int64_t minutes = seconds / 60;
  if (minutes < 10) {
    int64_t s = seconds % 60;
    if (s == 0) return std::to_string(minutes) + "m";
    snprintf(buf, sizeof buf, "%lldm%llds", (long long)minutes, (long long)s);
    return buf;
  }
  if (minutes < 180) return std::to_string(minutes) + "m";
  int64_t hours = seconds / 3600;
  if (hours < 8) {
    int64_t m = minutes % 60;
    if (m == 0) return std::to_string(hours) + "h";
    snprintf(buf, sizeof buf, "%lldh%lldm", (long long)hours, (long long)m);
    return buf;
  }
  if (hours < 48) return std::to_string(hours) + "h";
  if (hours < 24 * 8) {
    int64_t h = hours % 24;
    if (h == 0) return std::to_string(hours / 24) + "d";
    snprintf(buf, sizeof buf, "%lldd%lldh", (long long)(hours / 24), (long long)h);
    return buf;
  }
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) {
    int64_t dy = (hours / 24) % 365;
    if (dy == 0) return std::to_string(hours / 24 / 365) + "y";
    snprintf(buf, sizeof buf, "%lldy%lldd", (long long)(hours / 24 / 365), (long long)dy);
    return buf;
  }
  return std::to_string(hours / 24 / 365) + "y";
}

namespace {

// The Table around rows written by `rows` (called once with the writer).
std::string TableAround(const Printer& p, const std::string& list_rv,
                        const std::string& continue_token,
                        const std::function<void(Writer& w)>& rows) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("kind");
  w.String("Table");
  w.Key("apiVersion");
  w.String("meta.k8s.io/v1");
  w.Key("metadata");
  w.StartObject();
  if (!list_rv.empty()) {
    w.Key("resourceVersion");
    Str(w, list_rv);
  }
  if (!continue_token.empty()) {
    w.Key("continue");
    Str(w, continue_token);
  }
  w.EndObject();
  w.Key("columnDefinitions");
  w.StartArray();
  for (const Column& c : p.columns) {
    w.StartObject();
    w.Key("name");
    w.String(c.name);
    w.Key("type");
    w.String(c.type);
    w.Key("format");
    w.String(c.format);
    w.Key("description");
    w.String(c.description);
    w.Key("priority");
    w.Int(c.priority);
    w.EndObject();
  }
  w.EndArray();
  w.Key("rows");
  w.StartArray();
  rows(w);
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

void Row(const Printer& p, const Value& o, IncludeObject include, Writer& w) {
  w.StartObject();
  w.Key("cells");
  w.StartArray();
  p.cells(o, w);
  w.EndArray();
  WriteObjectField(o, include, w);
  w.EndObject();
}

}  // namespace

std::string BuildTable(const ResourceInfo& info, const std::vector<const Value*>& objs,
                       IncludeObject include, const std::string& list_rv,
                       const std::string& continue_token) {
  const Printer& p = PrinterFor(info);
  return TableAround(p, list_rv, continue_token, [&](Writer& w) {
    for (const Value* o : objs) Row(p, *o, include, w);
  });
}

std::string BuildTableFromJson(const ResourceInfo& info, const std::vector<std::string>& items,
                               IncludeObject include, const std::string& list_rv,
                               const std::string& continue_token) {
  const Printer& p = PrinterFor(info);
  return TableAround(p, list_rv, continue_token, [&](Writer& w) {
    // One parse at a time into a reused pool: no document per item stays alive.
    constexpr size_t kChunk = 64 * 1024;
    std::unique_ptr<char[]> first_chunk(new char[kChunk]);
    rapidjson::MemoryPoolAllocator<> pool(first_chunk.get(), kChunk);
    for (const std::string& item : items) {
      {
        json::Document d(&pool);
        d.Parse(item.data(), item.size());
        if (!d.HasParseError() && d.IsObject()) Row(p, d, include, w);
      }
      pool.Clear();
    }
  });
}

}  // namespace cluster::api
