#include "api/defaults.h"

#include <map>

#include "common/base64.h"

namespace cluster::api {

using json::Allocator;
using json::Value;

bool Has(const Value& obj, const char* key) { return obj.IsObject() && obj.HasMember(key); }

void DefaultString(Value& obj, const char* key, const char* v, Allocator& a) {
  if (!Has(obj, key)) json::SetString(obj, key, v, a);
}

void DefaultInt(Value& obj, const char* key, int64_t v, Allocator& a) {
  if (!Has(obj, key)) json::SetInt(obj, key, v, a);
}

void DefaultBool(Value& obj, const char* key, bool v, Allocator& a) {
  if (!Has(obj, key)) json::Set(obj, key, Value(v), a);
}

void DefaultObject(Value& obj, const char* key, Allocator& a) {
  if (!Has(obj, key)) json::Set(obj, key, Value(rapidjson::kObjectType), a);
}

namespace {

// imagePullPolicy: Always for ":latest" or untagged images, otherwise IfNotPresent. As upstream's
// parsers.ParseImageName, a digest without a tag is not "latest", but "x:latest@sha256:..." is.
const char* PullPolicyFor(std::string_view image) {
  auto at = image.find('@');
  if (at != std::string_view::npos) {
    image = image.substr(0, at);
    auto slash = image.rfind('/');
    auto colon = image.rfind(':');
    bool tagged =
        colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash);
    return tagged && image.substr(colon + 1) == "latest" ? "Always" : "IfNotPresent";
  }
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  bool tagged =
      colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash);
  if (!tagged || image.substr(colon + 1) == "latest") return "Always";
  return "IfNotPresent";
}

void DefaultContainer(Value& c, Allocator& a) {
  if (!c.IsObject()) return;
  std::string image = json::GetString(c, {"image"});
  DefaultString(c, "imagePullPolicy", PullPolicyFor(image), a);
  DefaultString(c, "terminationMessagePath", "/dev/termination-log", a);
  DefaultString(c, "terminationMessagePolicy", "File", a);
  DefaultObject(c, "resources", a);
  if (Value* ports = json::FindMutable(c, {"ports"}); ports && ports->IsArray())
    for (auto& p : ports->GetArray())
      if (p.IsObject()) DefaultString(p, "protocol", "TCP", a);
  // Limits without requests: requests default to the limits.
  Value* res = json::FindMutable(c, {"resources"});
  if (res && res->IsObject() && Has(*res, "limits") && (*res)["limits"].IsObject()) {
    Value& req = json::EnsureObject(*res, {"requests"}, a);
    for (auto& kv : (*res)["limits"].GetObject()) {
      std::string name(kv.name.GetString(), kv.name.GetStringLength());
      if (!req.HasMember(name.c_str())) {
        Value copy(kv.value, a);
        json::Set(req, name, std::move(copy), a);
      }
    }
  }
  for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
    Value* p = json::FindMutable(c, {probe});
    if (p == nullptr || !p->IsObject()) continue;
    DefaultInt(*p, "timeoutSeconds", 1, a);
    DefaultInt(*p, "periodSeconds", 10, a);
    DefaultInt(*p, "successThreshold", 1, a);
    DefaultInt(*p, "failureThreshold", 3, a);
    if (Value* h = json::FindMutable(*p, {"httpGet"}); h && h->IsObject()) {
      DefaultString(*h, "path", "/", a);
      DefaultString(*h, "scheme", "HTTP", a);
    }
  }
}

void DefaultVolumes(Value& spec, Allocator& a) {
  Value* vols = json::FindMutable(spec, {"volumes"});
  if (vols == nullptr || !vols->IsArray()) return;
  for (auto& v : vols->GetArray()) {
    if (!v.IsObject()) continue;
    for (const char* src : {"configMap", "secret"}) {
      if (Value* s = json::FindMutable(v, {src}); s && s->IsObject())
        DefaultInt(*s, "defaultMode", 420, a);
    }
    if (Value* e = json::FindMutable(v, {"emptyDir"}); e && !e->IsObject()) e->SetObject();
    if (Value* h = json::FindMutable(v, {"hostPath"}); h && h->IsObject())
      DefaultString(*h, "type", "", a);
  }
  // A volume with no source is an emptyDir.
  for (auto& v : vols->GetArray()) {
    if (v.IsObject() && v.MemberCount() == 1 && v.HasMember("name"))
      json::Set(v, "emptyDir", Value(rapidjson::kObjectType), a);
  }
}

bool HasToleration(const Value& spec, std::string_view key, std::string_view effect) {
  const Value* tols = json::Find(spec, {"tolerations"});
  if (tols == nullptr || !tols->IsArray()) return false;
  for (auto& t : tols->GetArray()) {
    std::string k = json::GetString(t, {"key"});
    std::string e = json::GetString(t, {"effect"});
    std::string op = json::GetString(t, {"operator"}, "Equal");
    bool key_ok = k == key || (k.empty() && op == "Exists");
    bool effect_ok = e.empty() || e == effect;
    if (key_ok && effect_ok) return true;
  }
  return false;
}

void AddDefaultToleration(Value& spec, const char* key, int64_t seconds, Allocator& a) {
  if (HasToleration(spec, key, "NoExecute")) return;
  if (!Has(spec, "tolerations") || !spec["tolerations"].IsArray())
    json::Set(spec, "tolerations", Value(rapidjson::kArrayType), a);
  Value t(rapidjson::kObjectType);
  json::SetString(t, "key", key, a);
  json::SetString(t, "operator", "Exists", a);
  json::SetString(t, "effect", "NoExecute", a);
  json::SetInt(t, "tolerationSeconds", seconds, a);
  spec["tolerations"].PushBack(t, a);
}

// Sum of a container list's resource entries present: "requests" / "limits" for cpu & memory.
void QosScan(const Value* containers, bool* any, bool* guaranteed) {
  if (containers == nullptr || !containers->IsArray()) return;
  for (auto& c : containers->GetArray()) {
    const Value* req = json::Find(c, {"resources", "requests"});
    const Value* lim = json::Find(c, {"resources", "limits"});
    for (const char* r : {"cpu", "memory"}) {
      bool has_req = req && req->IsObject() && req->HasMember(r);
      bool has_lim = lim && lim->IsObject() && lim->HasMember(r);
      if (has_req || has_lim) *any = true;
      if (!has_lim) *guaranteed = false;
      if (has_req && has_lim && json::Serialize((*req)[r]) != json::Serialize((*lim)[r]))
        *guaranteed = false;
    }
  }
}

}  // namespace

std::string PodQosClass(const Value& spec) {
  bool any = false;
  bool guaranteed = true;
  QosScan(json::Find(spec, {"containers"}), &any, &guaranteed);
  QosScan(json::Find(spec, {"initContainers"}), &any, &guaranteed);
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

void DefaultPodSpec(Value& spec, Allocator& a, bool is_template) {
  if (!spec.IsObject()) return;
  DefaultString(spec, "restartPolicy", "Always", a);
  DefaultString(spec, "dnsPolicy", "ClusterFirst", a);
  DefaultString(spec, "schedulerName", "default-scheduler", a);
  DefaultInt(spec, "terminationGracePeriodSeconds", 30, a);
  DefaultObject(spec, "securityContext", a);
  if (!is_template) {
    DefaultBool(spec, "enableServiceLinks", true, a);
    DefaultString(spec, "serviceAccountName",
                  json::GetString(spec, {"serviceAccount"}, "default").c_str(), a);
    DefaultString(spec, "serviceAccount", json::GetString(spec, {"serviceAccountName"}).c_str(), a);
    DefaultInt(spec, "priority", 0, a);
    DefaultString(spec, "preemptionPolicy", "PreemptLowerPriority", a);
  }
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    Value* cs = json::FindMutable(spec, {list});
    if (cs && cs->IsArray())
      for (auto& c : cs->GetArray()) DefaultContainer(c, a);
  }
  DefaultVolumes(spec, a);
}

void DefaultPod(json::Document& pod, const DefaultingContext& ctx) {
  Allocator& a = pod.GetAllocator();
  Value& spec = json::EnsureObject(pod, {"spec"}, a);
  DefaultPodSpec(spec, a, false);
  AddDefaultToleration(spec, "node.kubernetes.io/not-ready", ctx.not_ready_toleration_seconds, a);
  AddDefaultToleration(spec, "node.kubernetes.io/unreachable", ctx.unreachable_toleration_seconds,
                       a);
}

void DefaultService(json::Document& svc, const DefaultingContext&) {
  Allocator& a = svc.GetAllocator();
  Value& spec = json::EnsureObject(svc, {"spec"}, a);
  DefaultString(spec, "type", "ClusterIP", a);
  std::string type = json::GetString(spec, {"type"});
  DefaultString(spec, "sessionAffinity", "None", a);
  if (type != "ExternalName") {
    DefaultString(spec, "internalTrafficPolicy", "Cluster", a);
    DefaultString(spec, "ipFamilyPolicy", "SingleStack", a);
    if (!Has(spec, "ipFamilies")) {
      Value fams(rapidjson::kArrayType);
      fams.PushBack(json::String("IPv4", a), a);
      json::Set(spec, "ipFamilies", std::move(fams), a);
    }
  }
  if (type == "NodePort" || type == "LoadBalancer")
    DefaultString(spec, "externalTrafficPolicy", "Cluster", a);
  if (type == "LoadBalancer") DefaultBool(spec, "allocateLoadBalancerNodePorts", true, a);
  if (Value* ports = json::FindMutable(spec, {"ports"}); ports && ports->IsArray()) {
    for (auto& p : ports->GetArray()) {
      if (!p.IsObject()) continue;
      DefaultString(p, "protocol", "TCP", a);
      // As SetDefaults_Service: an absent, 0 or "" targetPort becomes the port.
      const Value* tp = json::Find(p, {"targetPort"});
      bool unset = tp == nullptr || tp->IsNull() || (tp->IsInt64() && tp->GetInt64() == 0) ||
                   (tp->IsString() && tp->GetStringLength() == 0);
      if (unset && Has(p, "port")) {
        Value copy(p["port"], a);
        json::Set(p, "targetPort", std::move(copy), a);
      }
    }
  }
  Value& status = json::EnsureObject(svc, {"status"}, a);
  DefaultObject(status, "loadBalancer", a);
}

void DefaultWorkload(json::Document& obj, const std::string& kind) {
  Allocator& a = obj.GetAllocator();
  Value& spec = json::EnsureObject(obj, {"spec"}, a);
  Value* tmpl_spec = json::FindMutable(spec, {"template", "spec"});
  if (kind == "CronJob")
    tmpl_spec = json::FindMutable(spec, {"jobTemplate", "spec", "template", "spec"});
  if (tmpl_spec) DefaultPodSpec(*tmpl_spec, a, true);
  if (kind == "Deployment") {
    DefaultInt(spec, "replicas", 1, a);
    DefaultInt(spec, "revisionHistoryLimit", 10, a);
    DefaultInt(spec, "progressDeadlineSeconds", 600, a);
    Value& strategy = json::EnsureObject(spec, {"strategy"}, a);
    DefaultString(strategy, "type", "RollingUpdate", a);
    if (json::GetString(strategy, {"type"}) == "RollingUpdate") {
      Value& ru = json::EnsureObject(strategy, {"rollingUpdate"}, a);
      DefaultString(ru, "maxUnavailable", "25%", a);
      DefaultString(ru, "maxSurge", "25%", a);
    }
  } else if (kind == "ReplicaSet" || kind == "ReplicationController") {
    DefaultInt(spec, "replicas", 1, a);
  } else if (kind == "StatefulSet") {
    DefaultInt(spec, "replicas", 1, a);
    DefaultString(spec, "podManagementPolicy", "OrderedReady", a);
    DefaultInt(spec, "revisionHistoryLimit", 10, a);
    Value& strategy = json::EnsureObject(spec, {"updateStrategy"}, a);
    DefaultString(strategy, "type", "RollingUpdate", a);
    if (json::GetString(strategy, {"type"}) == "RollingUpdate") {
      Value& ru = json::EnsureObject(strategy, {"rollingUpdate"}, a);
      DefaultInt(ru, "partition", 0, a);
    }
    Value& pvc = json::EnsureObject(spec, {"persistentVolumeClaimRetentionPolicy"}, a);
    DefaultString(pvc, "whenDeleted", "Retain", a);
    DefaultString(pvc, "whenScaled", "Retain", a);
  } else if (kind == "DaemonSet") {
    DefaultInt(spec, "revisionHistoryLimit", 10, a);
    Value& strategy = json::EnsureObject(spec, {"updateStrategy"}, a);
    DefaultString(strategy, "type", "RollingUpdate", a);
    if (json::GetString(strategy, {"type"}) == "RollingUpdate") {
      Value& ru = json::EnsureObject(strategy, {"rollingUpdate"}, a);
      DefaultInt(ru, "maxUnavailable", 1, a);
      DefaultInt(ru, "maxSurge", 0, a);
    }
  } else if (kind == "Job") {
    DefaultInt(spec, "parallelism", 1, a);
    if (json::GetString(spec, {"completionMode"}) != "Indexed" || Has(spec, "completions"))
      DefaultInt(spec, "completions", 1, a);
    DefaultInt(spec, "backoffLimit", 6, a);
    DefaultString(spec, "completionMode", "NonIndexed", a);
    DefaultBool(spec, "suspend", false, a);
    DefaultBool(spec, "manualSelector", false, a);
    DefaultString(spec, "podReplacementPolicy", "TerminatingOrFailed", a);
  } else if (kind == "CronJob") {
    DefaultString(spec, "concurrencyPolicy", "Allow", a);
    DefaultBool(spec, "suspend", false, a);
    DefaultInt(spec, "successfulJobsHistoryLimit", 3, a);
    DefaultInt(spec, "failedJobsHistoryLimit", 1, a);
    if (Value* js = json::FindMutable(spec, {"jobTemplate", "spec"}); js && js->IsObject()) {
      DefaultInt(*js, "backoffLimit", 6, a);
      DefaultString(*js, "completionMode", "NonIndexed", a);
      DefaultBool(*js, "suspend", false, a);
      DefaultString(*js, "podReplacementPolicy", "TerminatingOrFailed", a);
    }
  }
}

void DefaultNamespace(json::Document& ns) {
  Allocator& a = ns.GetAllocator();
  std::string name = json::GetString(ns, {"metadata", "name"});
  Value& labels = json::EnsureObject(ns, {"metadata", "labels"}, a);
  json::SetString(labels, "kubernetes.io/metadata.name", name, a);
  Value& spec = json::EnsureObject(ns, {"spec"}, a);
  if (!Has(spec, "finalizers")) {
    Value f(rapidjson::kArrayType);
    f.PushBack(json::String("kubernetes", a), a);
    json::Set(spec, "finalizers", std::move(f), a);
  }
  Value& status = json::EnsureObject(ns, {"status"}, a);
  DefaultString(status, "phase", "Active", a);
}

void DefaultSimple(json::Document& obj, const std::string& kind) {
  Allocator& a = obj.GetAllocator();
  if (kind == "Secret") {
    DefaultString(obj, "type", "Opaque", a);
    // As the v1 → internal conversion: stringData is merged into data (base64), its keys win,
    // and it is never stored or returned.
    if (Value* sd = json::FindMutable(obj, {"stringData"}); sd && sd->IsObject()) {
      if (sd->MemberCount() > 0) {
        Value& data = json::EnsureObject(obj, {"data"}, a);
        for (auto& m : sd->GetObject()) {
          if (!m.value.IsString()) continue;
          std::string enc =
              Base64Encode(std::string_view(m.value.GetString(), m.value.GetStringLength()));
          json::SetString(data, std::string_view(m.name.GetString(), m.name.GetStringLength()), enc,
                          a);
        }
      }
    }
    json::Remove(obj, "stringData");
  } else if (kind == "PriorityClass") {
    DefaultString(obj, "preemptionPolicy", "PreemptLowerPriority", a);
  } else if (kind == "Endpoints") {
    if (Value* subsets = json::FindMutable(obj, {"subsets"}); subsets && subsets->IsArray())
      for (auto& s : subsets->GetArray())
        if (Value* ports = json::FindMutable(s, {"ports"}); ports && ports->IsArray())
          for (auto& p : ports->GetArray())
            if (p.IsObject()) DefaultString(p, "protocol", "TCP", a);
  } else if (kind == "PersistentVolumeClaim") {
    Value& spec = json::EnsureObject(obj, {"spec"}, a);
    DefaultString(spec, "volumeMode", "Filesystem", a);
    Value& status = json::EnsureObject(obj, {"status"}, a);
    DefaultString(status, "phase", "Pending", a);
  } else if (kind == "PersistentVolume") {
    Value& spec = json::EnsureObject(obj, {"spec"}, a);
    DefaultString(spec, "persistentVolumeReclaimPolicy", "Retain", a);
    DefaultString(spec, "volumeMode", "Filesystem", a);
    Value& status = json::EnsureObject(obj, {"status"}, a);
    DefaultString(status, "phase", "Pending", a);
  }
}

}  // namespace cluster::api
