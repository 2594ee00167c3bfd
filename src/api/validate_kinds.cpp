#include "api/validate_kinds.h"

#include <map>
#include <set>

#include "api/validation.h"
#include "common/selectors.h"

namespace cluster::api {
namespace {

using json::Value;

std::string Str(const Value& v) { return v.IsString() ? std::string(v.GetString()) : ""; }

// Upstream prints a bad value with Go's fmt: numbers bare, strings quoted, maps as Go syntax.
void AddInvalidRaw(FieldCauses* causes, const std::string& field, const std::string& rendered,
                   const std::string& detail) {
  causes->push_back({"FieldValueInvalid", field, "Invalid value: " + rendered + ": " + detail});
}

void AddInvalidInt(FieldCauses* causes, const std::string& field, int64_t value,
                   const std::string& detail) {
  AddInvalidRaw(causes, field, std::to_string(value), detail);
}

std::string GoQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// %#v of a map[string]string: keys sorted.
std::string GoStringMap(const Value* m) {
  if (m == nullptr || !m->IsObject()) return "map[string]string(nil)";
  std::map<std::string, std::string> sorted;
  for (auto& kv : m->GetObject()) sorted[Str(kv.name)] = Str(kv.value);
  std::string out = "map[string]string{";
  bool first = true;
  for (auto& [k, v] : sorted) {
    out += (first ? "" : ", ") + GoQuote(k) + ":" + GoQuote(v);
    first = false;
  }
  return out + "}";
}

void ValidatePorts(const Value& c, const std::string& path, FieldCauses* causes) {
  const Value* ports = json::Find(c, {"ports"});
  if (ports == nullptr || !ports->IsArray()) return;
  std::set<std::string> names;
  for (rapidjson::SizeType i = 0; i < ports->Size(); ++i) {
    const Value& p = (*ports)[i];
    std::string pp = path + ".ports[" + std::to_string(i) + "]";
    int64_t port = json::GetInt(p, {"containerPort"}, 0);
    if (port == 0) {  // Go cannot tell 0 from absent: upstream says Required
      AddRequired(causes, pp + ".containerPort");
    } else if (port < 1 || port > 65535) {
      AddInvalidInt(causes, pp + ".containerPort", port, "must be between 1 and 65535, inclusive");
    }
    std::string proto = json::GetString(p, {"protocol"}, "TCP");
    if (proto != "TCP" && proto != "UDP" && proto != "SCTP")
      AddNotSupported(causes, pp + ".protocol", proto, {"SCTP", "TCP", "UDP"});
    std::string name = json::GetString(p, {"name"});
    if (!name.empty()) {
      std::string err = CheckIanaSvcName(name);
      if (!err.empty())
        AddInvalid(causes, pp + ".name", name, err);
      else if (!names.insert(name).second)
        AddDuplicate(causes, pp + ".name", name);
    }
  }
}

void ValidateContainers(const Value& spec, const char* list, const std::string& path, bool required,
                        std::set<std::string>* names, FieldCauses* causes) {
  const Value* cs = json::Find(spec, {list});
  std::string lp = path + "." + list;
  if (cs == nullptr || !cs->IsArray() || cs->Empty()) {
    if (required) AddRequired(causes, lp);
    return;
  }
  for (rapidjson::SizeType i = 0; i < cs->Size(); ++i) {
    const Value& c = (*cs)[i];
    std::string cp = lp + "[" + std::to_string(i) + "]";
    std::string name = json::GetString(c, {"name"});
    if (name.empty()) {
      AddRequired(causes, cp + ".name");
    } else {
      std::string err = CheckDns1123Label(name);
      if (!err.empty()) AddInvalid(causes, cp + ".name", name, err);
      if (!names->insert(name).second) AddDuplicate(causes, cp + ".name", name);
    }
    if (json::GetString(c, {"image"}).empty()) AddRequired(causes, cp + ".image");
    std::string policy = json::GetString(c, {"imagePullPolicy"}, "IfNotPresent");
    if (policy != "Always" && policy != "IfNotPresent" && policy != "Never")
      AddNotSupported(causes, cp + ".imagePullPolicy", policy, {"Always", "IfNotPresent", "Never"});
    ValidatePorts(c, cp, causes);
  }
}

void ValidateTolerations(const Value& spec, const std::string& path, FieldCauses* causes) {
  const Value* tols = json::Find(spec, {"tolerations"});
  if (tols == nullptr || !tols->IsArray()) return;
  for (rapidjson::SizeType i = 0; i < tols->Size(); ++i) {
    const Value& t = (*tols)[i];
    std::string tp = path + ".tolerations[" + std::to_string(i) + "]";
    std::string op = json::GetString(t, {"operator"}, "Equal");
    if (op != "Equal" && op != "Exists")
      AddNotSupported(causes, tp + ".operator", op, {"Equal", "Exists"});
    if (op == "Exists" && !json::GetString(t, {"value"}).empty())
      AddInvalid(causes, tp + ".operator", op, "value must be empty when `operator` is 'Exists'");
    std::string effect = json::GetString(t, {"effect"});
    if (!effect.empty() && effect != "NoSchedule" && effect != "PreferNoSchedule" &&
        effect != "NoExecute")
      AddNotSupported(causes, tp + ".effect", effect,
                      {"NoExecute", "NoSchedule", "PreferNoSchedule"});
    if (json::Find(t, {"tolerationSeconds"}) && effect != "NoExecute")
      AddInvalid(causes, tp + ".effect", effect,
                 "effect must be 'NoExecute' when `tolerationSeconds` is set");
  }
}

// Pod spec fields an update may change (upstream: images, activeDeadlineSeconds, additions to
// tolerations, terminationGracePeriodSeconds); everything else is compared for equality.
json::Document MutableStripped(const Value& spec) {
  json::Document d;
  d.CopyFrom(spec, d.GetAllocator());
  json::Remove(d, "activeDeadlineSeconds");
  json::Remove(d, "tolerations");
  json::Remove(d, "terminationGracePeriodSeconds");
  for (const char* list : {"containers", "initContainers"}) {
    if (Value* cs = json::FindMutable(d, {list}); cs && cs->IsArray())
      for (auto& c : cs->GetArray()) json::Remove(c, "image");
  }
  return d;
}

}  // namespace

void ValidatePodSpec(const Value& spec, const std::string& path, bool is_template,
                     FieldCauses* causes) {
  (void)is_template;
  std::set<std::string> names;
  ValidateContainers(spec, "containers", path, true, &names, causes);
  ValidateContainers(spec, "initContainers", path, false, &names, causes);
  // Absent fields were defaulted; an explicit "" is Required, as upstream.
  std::string rp = json::GetString(spec, {"restartPolicy"}, "Always");
  if (rp.empty())
    AddRequired(causes, path + ".restartPolicy");
  else if (rp != "Always" && rp != "OnFailure" && rp != "Never")
    AddNotSupported(causes, path + ".restartPolicy", rp, {"Always", "OnFailure", "Never"});
  std::string dp = json::GetString(spec, {"dnsPolicy"}, "ClusterFirst");
  if (dp.empty())
    AddRequired(causes, path + ".dnsPolicy");
  else if (dp != "ClusterFirst" && dp != "ClusterFirstWithHostNet" && dp != "Default" &&
           dp != "None")
    AddNotSupported(causes, path + ".dnsPolicy", dp,
                    {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"});
  if (const Value* v = json::Find(spec, {"terminationGracePeriodSeconds"});
      v && v->IsInt64() && v->GetInt64() < 0)
    AddInvalidInt(causes, path + ".terminationGracePeriodSeconds", v->GetInt64(),
                  "must be greater than or equal to 0");
  ValidateTolerations(spec, path, causes);
  if (const Value* vols = json::Find(spec, {"volumes"}); vols && vols->IsArray()) {
    std::set<std::string> vnames;
    for (rapidjson::SizeType i = 0; i < vols->Size(); ++i) {
      std::string n = json::GetString((*vols)[i], {"name"});
      std::string vp = path + ".volumes[" + std::to_string(i) + "].name";
      if (n.empty())
        AddRequired(causes, vp);
      else if (!vnames.insert(n).second)
        AddDuplicate(causes, vp, n);
    }
  }
}

void ValidatePod(const Value& pod, const Value* old, FieldCauses* causes) {
  static const Value kEmpty(rapidjson::kObjectType);
  const Value* spec = json::Find(pod, {"spec"});
  ValidatePodSpec(spec ? *spec : kEmpty, "spec", false, causes);
  if (old == nullptr || spec == nullptr) return;
  const Value* old_spec = json::Find(*old, {"spec"});
  if (old_spec == nullptr) return;
  std::string old_node = json::GetString(*old_spec, {"nodeName"});
  std::string new_node = json::GetString(*spec, {"nodeName"});
  if (MutableStripped(*spec) != MutableStripped(*old_spec)) {  // deep, key-order blind
    AddForbidden(causes, "spec",
                 "pod updates may not change fields other than `spec.containers[*].image`,"
                 "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
                 "`spec.tolerations` (only additions to existing tolerations),"
                 "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
                 "previously negative)");
  } else if (old_node != new_node) {
    AddForbidden(causes, "spec.nodeName", "field is immutable");
  }
}

void ValidateService(const Value& svc, const Value* old, FieldCauses* causes) {
  const Value* spec = json::Find(svc, {"spec"});
  std::string type = spec ? json::GetString(*spec, {"type"}, "ClusterIP") : "ClusterIP";
  static const std::vector<std::string> kTypes = {"ClusterIP", "ExternalName", "LoadBalancer",
                                                  "NodePort"};
  if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end())
    AddNotSupported(causes, "spec.type", type, kTypes);
  const Value* ports = spec ? json::Find(*spec, {"ports"}) : nullptr;
  std::string cluster_ip = spec ? json::GetString(*spec, {"clusterIP"}) : "";
  bool headless = cluster_ip == "None";
  if (type == "ExternalName") {
    if (spec == nullptr || json::GetString(*spec, {"externalName"}).empty())
      AddRequired(causes, "spec.externalName");
  } else if ((ports == nullptr || !ports->IsArray() || ports->Empty()) && !headless) {
    AddRequired(causes, "spec.ports");
  }
  if (ports && ports->IsArray()) {
    std::set<std::string> names;
    std::set<std::string> keys;
    for (rapidjson::SizeType i = 0; i < ports->Size(); ++i) {
      const Value& p = (*ports)[i];
      std::string pp = "spec.ports[" + std::to_string(i) + "]";
      std::string name = json::GetString(p, {"name"});
      if (ports->Size() > 1 && name.empty()) AddRequired(causes, pp + ".name");
      if (!name.empty()) {
        std::string err = CheckDns1123Label(name);
        if (!err.empty()) AddInvalid(causes, pp + ".name", name, err);
        if (!names.insert(name).second) AddDuplicate(causes, pp + ".name", name);
      }
      int64_t port = json::GetInt(p, {"port"}, 0);
      if (port < 1 || port > 65535)
        AddInvalidInt(causes, pp + ".port", port, "must be between 1 and 65535, inclusive");
      std::string proto = json::GetString(p, {"protocol"}, "TCP");
      if (proto != "TCP" && proto != "UDP" && proto != "SCTP")
        AddNotSupported(causes, pp + ".protocol", proto, {"SCTP", "TCP", "UDP"});
      // Upstream reports the (protocol, port) key struct printed with %#v.
      if (!keys.insert(std::to_string(port) + "/" + proto).second)
        causes->push_back(
            {"FieldValueDuplicate", pp,
             "Duplicate value: core.ServicePort{Name:\"\", Protocol:" + GoQuote(proto) +
                 ", AppProtocol:(*string)(nil), Port:" + std::to_string(port) +
                 ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, "
                 "NodePort:0}"});
      if (json::GetInt(p, {"nodePort"}) != 0 && type != "NodePort" && type != "LoadBalancer")
        AddForbidden(causes, pp + ".nodePort", "may not be used when `type` is '" + type + "'");
      if (const Value* tp = json::Find(p, {"targetPort"}); tp && tp->IsInt64()) {
        int64_t t = tp->GetInt64();
        if (t < 1 || t > 65535)
          AddInvalidInt(causes, pp + ".targetPort", t, "must be between 1 and 65535, inclusive");
      }
    }
  }
  if (old != nullptr && spec != nullptr) {
    std::string old_ip = json::GetString(*old, {"spec", "clusterIP"});
    if (!cluster_ip.empty() && !old_ip.empty() && cluster_ip != old_ip && type != "ExternalName")
      AddInvalid(causes, "spec.clusterIPs[0]", cluster_ip, "may not change once set");
  }
}

void ValidateWorkload(const std::string& kind, const Value& obj, const Value* old,
                      FieldCauses* causes) {
  (void)old;
  const Value* spec = json::Find(obj, {"spec"});
  if (spec == nullptr || !spec->IsObject()) {
    AddRequired(causes, "spec");
    return;
  }
  if (const Value* r = json::Find(*spec, {"replicas"}); r && r->IsInt64() && r->GetInt64() < 0)
    AddInvalidInt(causes, "spec.replicas", r->GetInt64(), "must be greater than or equal to 0");
  const Value* tmpl = json::Find(*spec, {"template"});
  const Value* sel = json::Find(*spec, {"selector"});
  bool selector_required = kind != "ReplicationController" && kind != "Job";
  if (selector_required && (sel == nullptr || sel->IsNull())) {
    AddRequired(causes, "spec.selector");
  } else if (sel && sel->IsObject() && kind != "ReplicationController") {
    auto parsed = FromLabelSelectorJson(*sel);
    if (!parsed.ok()) {
      AddInvalid(causes, "spec.selector", json::Serialize(*sel), parsed.status().message());
    } else if (parsed->Empty() && kind != "Job") {
      // Upstream's wording per kind (ReplicaSet shares the Deployment text).
      std::string what = kind == "StatefulSet" ? "statefulset"
                         : kind == "DaemonSet" ? "daemonset"
                                               : "deployment";
      AddInvalid(causes, "spec.selector", "", "empty selector is invalid for " + what);
    } else if (tmpl) {
      const Value* labels = json::Find(*tmpl, {"metadata", "labels"});
      if (!parsed->Matches(labels))
        AddInvalidRaw(causes, "spec.template.metadata.labels", GoStringMap(labels),
                      "`selector` does not match template `labels`");
    }
  }
  if (tmpl == nullptr || !tmpl->IsObject()) {
    AddRequired(causes, "spec.template");
    return;
  }
  const Value* pod_spec = json::Find(*tmpl, {"spec"});
  static const Value kEmpty(rapidjson::kObjectType);
  ValidatePodSpec(pod_spec ? *pod_spec : kEmpty, "spec.template.spec", true, causes);
  std::string rp = pod_spec ? json::GetString(*pod_spec, {"restartPolicy"}, "Always") : "Always";
  if (kind == "Job") {
    if (rp != "OnFailure" && rp != "Never")
      AddNotSupported(causes, "spec.template.spec.restartPolicy", rp, {"OnFailure", "Never"});
  } else if (rp != "Always") {
    AddNotSupported(causes, "spec.template.spec.restartPolicy", rp, {"Always"});
  }
}

void ValidateConfigData(const std::string& kind, const Value& obj, FieldCauses* causes) {
  for (const char* field : {"data", "binaryData", "stringData"}) {
    const Value* data = json::Find(obj, {field});
    if (data == nullptr || data->IsNull()) continue;
    if (!data->IsObject()) {
      AddInvalid(causes, field, "", "must be a map");
      continue;
    }
    for (auto& kv : data->GetObject()) {
      std::string key = Str(kv.name);
      std::string err = CheckConfigMapKey(key);
      if (!err.empty()) AddInvalid(causes, std::string(field) + "[" + key + "]", key, err);
      if (!kv.value.IsString())
        AddInvalid(causes, std::string(field) + "[" + key + "]", "", "must be a string");
    }
  }
  (void)kind;
}

}  // namespace cluster::api
