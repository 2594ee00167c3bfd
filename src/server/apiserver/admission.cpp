#include "server/apiserver/admission.h"

#include <map>
#include <set>

#include "api/defaults.h"
#include "api/validation.h"
#include "common/ids.h"
#include "server/apiserver/apply.h"

namespace cluster::server {
namespace {

using json::Value;

// Allocates the Service's cluster IP and node ports; `old` keeps what was already allocated.
void AllocateService(RestContext* ctx, json::Document& svc, const Value* old, Mutation* m) {
  json::Allocator& a = svc.GetAllocator();
  Value& spec = json::EnsureObject(svc, {"spec"}, a);
  std::string type = json::GetString(spec, {"type"}, "ClusterIP");
  IpAllocator& alloc = ctx->allocator();
  std::string old_ip = old ? json::GetString(*old, {"spec", "clusterIP"}) : "";
  std::string ip = json::GetString(spec, {"clusterIP"});
  if (type == "ExternalName") {
    json::Remove(spec, "clusterIP");
    json::Remove(spec, "clusterIPs");
  } else if (!old_ip.empty() && (ip.empty() || ip == old_ip)) {
    json::SetString(spec, "clusterIP", old_ip, a);
  } else if (ip != "None") {
    auto got = alloc.AllocateIp(ip);
    if (!got.ok()) {
      m->causes.push_back({"FieldValueInvalid", "spec.clusterIPs",
                           "Invalid value: []string{\"" + ip + "\"}: " + got.status().message()});
      return;
    }
    m->allocated_ips.push_back(*got);
    json::SetString(spec, "clusterIP", *got, a);
  }
  if (type != "ExternalName") {
    Value ips(rapidjson::kArrayType);
    ips.PushBack(json::String(json::GetString(spec, {"clusterIP"}), a), a);
    json::Set(spec, "clusterIPs", std::move(ips), a);
  }
  // Node ports.
  const std::string old_type = old ? json::GetString(*old, {"spec", "type"}, "ClusterIP") : "";
  const bool old_wanted = old_type == "NodePort" || old_type == "LoadBalancer";
  std::set<int> old_ports;
  std::map<std::string, int> old_by_name;
  if (old && old_wanted)
    if (const Value* ps = json::Find(*old, {"spec", "ports"}); ps && ps->IsArray())
      for (auto& p : ps->GetArray()) {
        int np = static_cast<int>(json::GetInt(p, {"nodePort"}));
        if (np <= 0) continue;
        old_ports.insert(np);
        old_by_name[json::GetString(p, {"name"})] = np;
      }
  Value* ports = json::FindMutable(spec, {"ports"});
  bool wants_ports = type == "NodePort" || type == "LoadBalancer";
  std::set<int> kept;
  if (ports != nullptr && ports->IsArray()) {
    // As upstream's patchAllocatedValues: a port that left out its nodePort (kubectl replace,
    // GitOps re-applies) gets the one the old port of the same name had, unless another port
    // of the new spec names it.
    std::set<int> named;
    for (auto& p : ports->GetArray())
      if (int np = static_cast<int>(json::GetInt(p, {"nodePort"})); np > 0) named.insert(np);
    if (wants_ports)
      for (auto& p : ports->GetArray()) {
        if (!p.IsObject() || json::GetInt(p, {"nodePort"}) != 0) continue;
        auto it = old_by_name.find(json::GetString(p, {"name"}));
        if (it == old_by_name.end() || named.count(it->second)) continue;
        json::SetInt(p, "nodePort", it->second, a);
        named.insert(it->second);
      }
    for (rapidjson::SizeType i = 0; i < ports->Size(); ++i) {
      Value& p = (*ports)[i];
      if (!p.IsObject()) continue;
      int np = static_cast<int>(json::GetInt(p, {"nodePort"}));
      if (!wants_ports) {
        if (np != 0)
          m->causes.push_back({"FieldValueForbidden",
                               "spec.ports[" + std::to_string(i) + "].nodePort",
                               "Forbidden: may not be used when `type` is '" + type + "'"});
        continue;
      }
      if (np != 0 && old_ports.count(np)) {
        kept.insert(np);
        continue;
      }
      auto got = alloc.AllocatePort(np);
      if (!got.ok()) {
        m->causes.push_back(
            {"FieldValueInvalid", "spec.ports[" + std::to_string(i) + "].nodePort",
             "Invalid value: " + std::to_string(np) + ": " + got.status().message()});
        continue;
      }
      m->allocated_ports.push_back(*got);
      json::SetInt(p, "nodePort", *got, a);
    }
  }
  // Ports the update gave up go back to the pool once it is stored.
  for (int np : old_ports)
    if (!kept.count(np)) m->released_ports.push_back(np);
  if (!old_ip.empty() && old_ip != "None" && json::GetString(spec, {"clusterIP"}) != old_ip)
    m->released_ips.push_back(old_ip);
}

// obj[key] as an array (made one when absent or not an array).
Value& ArrayMember(Value& obj, const char* key, json::Allocator& a) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsArray()) {
    json::Set(obj, key, Value(rapidjson::kArrayType), a);
    it = obj.FindMember(key);
  }
  return it->value;
}

constexpr const char* kTokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

// The ServiceAccount admission plugin: a pod runs as an existing service account and, unless
// either says automountServiceAccountToken: false, gets the projected "kube-api-access-xxxxx"
// volume (a bound token, the cluster CA and its namespace) mounted read-only at
// /var/run/secrets/kubernetes.io/serviceaccount in every container that has nothing there.
void AdmitServiceAccount(RestContext* ctx, const Call& c, json::Document& pod, Mutation* m) {
  json::Allocator& a = pod.GetAllocator();
  Value& spec = json::EnsureObject(pod, {"spec"}, a);
  std::string sa_name = json::GetString(spec, {"serviceAccountName"}, "default");
  const api::ResourceInfo* sa_info =
      api::ResourceTable::BuiltIn().Find("", "v1", "serviceaccounts");
  auto sa = ctx->Read(*sa_info, c.ri.ns, sa_name, nullptr);
  // The "default" account is created by a controller right after its namespace; a pod that
  // races it is let in (upstream refuses it) rather than failing a fresh namespace's first pod.
  if (!sa.ok() && sa_name != "default") {
    m->status = Status(Code::kForbidden, "pods \"" + json::GetString(pod, {"metadata", "name"}) +
                                             "\" is forbidden: error looking up service account " +
                                             c.ri.ns + "/" + sa_name + ": serviceaccount \"" +
                                             sa_name + "\" not found");
    return;
  }
  const Value* pod_auto = json::Find(spec, {"automountServiceAccountToken"});
  bool automount = pod_auto && pod_auto->IsBool()
                       ? pod_auto->GetBool()
                       : !(sa.ok() && !json::GetBool(*sa, {"automountServiceAccountToken"}, true));
  if (!automount) return;
  // Only containers without a mount at the path get one; none needing it, no volume.
  bool needed = false;
  for (const char* list : {"initContainers", "containers"})
    if (const Value* cs = json::Find(spec, {list}); cs && cs->IsArray())
      for (auto& ctr : cs->GetArray()) {
        bool has = false;
        if (const Value* ms = json::Find(ctr, {"volumeMounts"}); ms && ms->IsArray())
          for (auto& mnt : ms->GetArray())
            if (json::GetString(mnt, {"mountPath"}) == kTokenMountPath) has = true;
        if (!has) needed = true;
      }
  if (!needed) return;
  Value& volumes = ArrayMember(spec, "volumes", a);
  std::string vol_name;
  for (auto& v : volumes.GetArray())
    if (json::GetString(v, {"name"}).rfind("kube-api-access-", 0) == 0)
      vol_name = json::GetString(v, {"name"});
  if (vol_name.empty()) {
    vol_name = "kube-api-access-" + RandomSuffix(5);
    json::Document v;
    v.Parse(
        R"({"name":"","projected":{"defaultMode":420,"sources":[)"
        R"({"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},)"
        R"({"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},)"
        R"({"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1",)"
        R"("fieldPath":"metadata.namespace"}}]}}]}})");
    json::SetString(v, "name", vol_name, v.GetAllocator());
    volumes.PushBack(Value(v, a), a);
  }
  for (const char* list : {"initContainers", "containers"}) {
    Value* cs = json::FindMutable(spec, {list});
    if (cs == nullptr || !cs->IsArray()) continue;
    for (auto& ctr : cs->GetArray()) {
      if (!ctr.IsObject()) continue;
      Value& mounts = ArrayMember(ctr, "volumeMounts", a);
      bool has = false;
      for (auto& mnt : mounts.GetArray())
        if (json::GetString(mnt, {"mountPath"}) == kTokenMountPath) has = true;
      if (has) continue;
      Value mnt(rapidjson::kObjectType);
      json::SetString(mnt, "name", vol_name, a);
      json::Set(mnt, "readOnly", Value(true), a);
      json::SetString(mnt, "mountPath", kTokenMountPath, a);
      mounts.PushBack(mnt, a);
    }
  }
}

}  // namespace

Mutation AdmitCreate(RestContext* ctx, const Call& c, json::Document& obj) {
  Mutation m;
  json::Allocator& a = obj.GetAllocator();
  const std::string& kind = c.info.kind;
  if (kind == "Pod") {
    AdmitServiceAccount(ctx, c, obj, &m);
    if (!m.status.ok()) return m;
    Value status(rapidjson::kObjectType);
    json::SetString(status, "phase", "Pending", a);
    const Value* spec = json::Find(obj, {"spec"});
    static const Value kEmpty(rapidjson::kObjectType);
    json::SetString(status, "qosClass", api::PodQosClass(spec ? *spec : kEmpty), a);
    json::Set(obj, "status", std::move(status), a);
  } else if (kind == "Service") {
    AllocateService(ctx, obj, nullptr, &m);
  } else if (kind == "Deployment" || kind == "ReplicaSet" || kind == "StatefulSet" ||
             kind == "DaemonSet" || kind == "Job" || kind == "CronJob" ||
             kind == "ReplicationController" || kind == "PodDisruptionBudget") {
    json::Set(obj, "status", Value(rapidjson::kObjectType), a);
    if (kind == "ReplicationController" || kind == "ReplicaSet")
      json::SetInt(obj["status"], "replicas", 0, a);
  } else if (kind == "CertificateSigningRequest") {
    // The requestor is whoever creates the request; the status starts empty.
    Value& spec = json::EnsureObject(obj, {"spec"}, a);
    for (const char* k : {"username", "uid", "groups", "extra"}) json::Remove(spec, k);
    if (!c.req.user.name.empty()) json::SetString(spec, "username", c.req.user.name, a);
    if (!c.req.user.uid.empty()) json::SetString(spec, "uid", c.req.user.uid, a);
    if (!c.req.user.groups.empty()) {
      Value g(rapidjson::kArrayType);
      for (const auto& s : c.req.user.groups) g.PushBack(json::String(s, a), a);
      json::Set(spec, "groups", std::move(g), a);
    }
    json::Set(obj, "status", Value(rapidjson::kObjectType), a);
  }
  return m;
}

Mutation AdmitUpdate(RestContext* ctx, const Call& c, const Value& old, json::Document& obj) {
  Mutation m;
  if (c.info.kind == "Service" && c.ri.subresource.empty()) AllocateService(ctx, obj, &old, &m);
  return m;
}

void Release(RestContext* ctx, const Mutation& m) {
  for (const auto& ip : m.allocated_ips) ctx->allocator().ReleaseIp(ip);
  for (int p : m.allocated_ports) ctx->allocator().ReleasePort(p);
}

void Commit(RestContext* ctx, const Mutation& m) {
  for (const auto& ip : m.released_ips) ctx->allocator().ReleaseIp(ip);
  for (int p : m.released_ports) ctx->allocator().ReleasePort(p);
}

void ReleaseService(RestContext* ctx, const Value& svc) {
  std::string ip = json::GetString(svc, {"spec", "clusterIP"});
  if (!ip.empty() && ip != "None") ctx->allocator().ReleaseIp(ip);
  if (const Value* ps = json::Find(svc, {"spec", "ports"}); ps && ps->IsArray())
    for (auto& p : ps->GetArray())
      if (int np = static_cast<int>(json::GetInt(p, {"nodePort"})); np > 0)
        ctx->allocator().ReleasePort(np);
}

ApiResponse Apply(RestContext* ctx, const Call& c) { return ServerSideApply(ctx, c); }

}  // namespace cluster::server
