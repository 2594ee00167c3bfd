#include "api/kinds_more.h"

#include "api/defaults.h"
#include "api/field_validation.h"
#include "api/schema.h"
#include "api/validation.h"

namespace cluster::api {
namespace {

using json::Allocator;
using json::Value;

constexpr const char* kMetricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics";
constexpr const char* kCurrentMetricsAnnotation = "autoscaling.alpha.kubernetes.io/current-metrics";
constexpr const char* kConditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions";
constexpr const char* kBehaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior";

const Value* Arr(const Value& o, std::initializer_list<std::string_view> path) {
  const Value* v = json::Find(o, path);
  return v && v->IsArray() ? v : nullptr;
}

std::string Str(const Value& o, std::initializer_list<std::string_view> path) {
  return json::GetString(o, path);
}

void AddIntInvalid(FieldCauses* c, const std::string& field, int64_t v, const std::string& detail) {
  c->push_back({"FieldValueInvalid", field, "Invalid value: " + std::to_string(v) + ": " + detail});
}

// ---- networking.k8s.io ----

void DefaultNetworkPolicy(json::Document& d) {
  Allocator& a = d.GetAllocator();
  Value& spec = json::EnsureObject(d, {"spec"}, a);
  for (const char* dir : {"ingress", "egress"})
    if (Value* rules = json::FindMutable(spec, {dir}); rules && rules->IsArray())
      for (auto& r : rules->GetArray())
        if (Value* ports = json::FindMutable(r, {"ports"}); ports && ports->IsArray())
          for (auto& p : ports->GetArray())
            if (p.IsObject()) DefaultString(p, "protocol", "TCP", a);
  const Value* types = Arr(spec, {"policyTypes"});
  if (types == nullptr || types->Empty()) {
    Value t(rapidjson::kArrayType);
    t.PushBack(json::String("Ingress", a), a);
    const Value* egress = Arr(spec, {"egress"});
    if (egress && !egress->Empty()) t.PushBack(json::String("Egress", a), a);
    json::Set(spec, "policyTypes", std::move(t), a);
  }
}

void ValidateBackend(const Value& b, const std::string& path, FieldCauses* c) {
  const Value* svc = json::Find(b, {"service"});
  const Value* res = json::Find(b, {"resource"});
  if (svc && res) {
    AddInvalid(c, path, "", "cannot set both resource and service backends");
    return;
  }
  if (!svc && !res) {
    AddInvalid(c, path, "", "resource or service backend is required");
    return;
  }
  if (!svc) return;
  std::string name = Str(*svc, {"name"});
  if (name.empty())
    AddRequired(c, path + ".service.name");
  else if (std::string err = CheckDns1035Label(name); !err.empty())
    AddInvalid(c, path + ".service.name", name, err);
  const Value* port = json::Find(*svc, {"port"});
  bool has_name = port && !Str(*port, {"name"}).empty();
  const Value* num = port ? json::Find(*port, {"number"}) : nullptr;
  bool has_num = num && num->IsInt64() && num->GetInt64() != 0;
  if (has_name && has_num) {
    AddInvalid(c, path, "", "cannot set both port name & port number");
  } else if (!has_name && !has_num) {
    AddRequired(c, path, "port name or number is required");
  } else if (has_num && (num->GetInt64() < 1 || num->GetInt64() > 65535)) {
    AddIntInvalid(c, path + ".service.port.number", num->GetInt64(),
                  "must be between 1 and 65535, inclusive");
  }
}

void ValidateIngress(const Value& o, const Value*, FieldCauses* c) {
  const Value* spec = json::Find(o, {"spec"});
  const Value* rules = spec ? Arr(*spec, {"rules"}) : nullptr;
  const Value* def = spec ? json::Find(*spec, {"defaultBackend"}) : nullptr;
  if ((rules == nullptr || rules->Empty()) && def == nullptr) {
    c->push_back({"FieldValueInvalid", "spec",
                  "Invalid value: []networking.IngressRule(nil): either `defaultBackend` or "
                  "`rules` must be specified"});
    return;
  }
  if (def) ValidateBackend(*def, "spec.defaultBackend", c);
  if (rules == nullptr) return;
  for (rapidjson::SizeType i = 0; i < rules->Size(); ++i) {
    const Value& r = (*rules)[i];
    std::string rp = "spec.rules[" + std::to_string(i) + "]";
    std::string host = Str(r, {"host"});
    if (!host.empty()) {
      bool is_ip = host.find_first_not_of("0123456789.") == std::string::npos ||
                   host.find(':') != std::string::npos;
      std::string plain = host.rfind("*.", 0) == 0 ? host.substr(2) : host;
      if (is_ip)
        AddInvalid(c, rp + ".host", host, "must be a DNS name, not an IP address");
      else if (std::string err = CheckDns1123Subdomain(plain); !err.empty())
        AddInvalid(c, rp + ".host", host, err);
    }
    const Value* http = json::Find(r, {"http"});
    if (http == nullptr) continue;
    const Value* paths = Arr(*http, {"paths"});
    if (paths == nullptr || paths->Empty()) {
      AddRequired(c, rp + ".http.paths");
      continue;
    }
    for (rapidjson::SizeType j = 0; j < paths->Size(); ++j) {
      const Value& p = (*paths)[j];
      std::string pp = rp + ".http.paths[" + std::to_string(j) + "]";
      std::string type = Str(p, {"pathType"});
      std::string path = Str(p, {"path"});
      if (type.empty()) {
        AddRequired(c, pp + ".pathType", "pathType must be specified");
        continue;
      }
      if (type != "Exact" && type != "Prefix" && type != "ImplementationSpecific") {
        AddNotSupported(c, pp + ".pathType", type, {"Exact", "ImplementationSpecific", "Prefix"});
        continue;
      }
      if ((type != "ImplementationSpecific" || !path.empty()) && path.rfind("/", 0) != 0)
        AddInvalid(c, pp + ".path", path, "must be an absolute path");
      if (const Value* b = json::Find(p, {"backend"}))
        ValidateBackend(*b, pp + ".backend", c);
      else
        AddInvalid(c, pp + ".backend", "", "resource or service backend is required");
    }
  }
}

void ValidateIngressClass(const Value& o, const Value* old, FieldCauses* c) {
  std::string ctl = Str(o, {"spec", "controller"});
  if (ctl.empty()) {
    AddRequired(c, "spec.controller");
  } else if (ctl.size() > 250) {
    AddTooLong(c, "spec.controller", 250);
  } else {
    size_t slash = ctl.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == ctl.size() ||
        !CheckDns1123Subdomain(ctl.substr(0, slash)).empty())
      AddInvalid(c, "spec.controller", ctl,
                 "must be a domain-prefixed path (such as \"acme.io/foo\")");
  }
  if (old && Str(*old, {"spec", "controller"}) != ctl)
    AddInvalid(c, "spec.controller", ctl, "field is immutable");
}

// ---- autoscaling ----

// A CPU utilization metric: a spec metric's "target" (type Utilization) or a status metric's
// "current".
Value CpuMetric(int64_t percent, Allocator& a, const char* side = "target") {
  std::string body = std::string(side) == "target" ? R"({"type":"Utilization",)" : "{";
  json::Document m;
  m.Parse(R"({"type":"Resource","resource":{"name":"cpu",")" + std::string(side) + R"(":)" + body +
          R"("averageUtilization":)" + std::to_string(percent) + "}}}");
  return Value(m, a);
}

void DefaultHpaV2(json::Document& d) {
  Allocator& a = d.GetAllocator();
  Value& spec = json::EnsureObject(d, {"spec"}, a);
  if (!Has(spec, "minReplicas")) json::SetInt(spec, "minReplicas", 1, a);
  const Value* metrics = Arr(spec, {"metrics"});
  if (metrics == nullptr || metrics->Empty()) {
    Value m(rapidjson::kArrayType);
    m.PushBack(CpuMetric(80, a), a);
    json::Set(spec, "metrics", std::move(m), a);
  }
  Value* behavior = json::FindMutable(spec, {"behavior"});
  if (behavior == nullptr || !behavior->IsObject()) return;
  Value& up = json::EnsureObject(*behavior, {"scaleUp"}, a);
  if (!Has(up, "stabilizationWindowSeconds")) json::SetInt(up, "stabilizationWindowSeconds", 0, a);
  DefaultString(up, "selectPolicy", "Max", a);
  if (!Has(up, "policies")) {
    json::Document p;
    p.Parse(R"([{"type":"Pods","value":4,"periodSeconds":15},)"
            R"({"type":"Percent","value":100,"periodSeconds":15}])");
    json::Set(up, "policies", Value(p, a), a);
  }
  Value& down = json::EnsureObject(*behavior, {"scaleDown"}, a);
  DefaultString(down, "selectPolicy", "Max", a);
  if (!Has(down, "policies")) {
    json::Document p;
    p.Parse(R"([{"type":"Percent","value":100,"periodSeconds":15}])");
    json::Set(down, "policies", Value(p, a), a);
  }
}

void DefaultHpaV1(json::Document& d) {
  Allocator& a = d.GetAllocator();
  Value& spec = json::EnsureObject(d, {"spec"}, a);
  if (!Has(spec, "minReplicas")) json::SetInt(spec, "minReplicas", 1, a);
}

// Spec fields both versions share.
void ValidateHpaCommon(const Value& o, const Value* old, FieldCauses* c) {
  std::string kind = Str(o, {"spec", "scaleTargetRef", "kind"});
  std::string name = Str(o, {"spec", "scaleTargetRef", "name"});
  if (kind.empty()) AddRequired(c, "spec.scaleTargetRef.kind");
  if (name.empty()) AddRequired(c, "spec.scaleTargetRef.name");
  int64_t min = json::GetInt(o, {"spec", "minReplicas"}, 1);
  int64_t max = json::GetInt(o, {"spec", "maxReplicas"}, 0);
  int64_t old_min = old ? json::GetInt(*old, {"spec", "minReplicas"}, 1) : 1;
  if (min < 1 && !(old && old_min == 0 && min == 0))
    AddIntInvalid(c, "spec.minReplicas", min, "must be greater than or equal to 1");
  if (max < 1)
    AddIntInvalid(c, "spec.maxReplicas", max, "must be greater than 0");
  else if (max < min)
    AddIntInvalid(c, "spec.maxReplicas", max, "must be greater than or equal to `minReplicas`");
}

void ValidateHpaV2(const Value& o, const Value* old, FieldCauses* c) {
  ValidateHpaCommon(o, old, c);
  const Value* metrics = Arr(o, {"spec", "metrics"});
  if (metrics == nullptr) return;
  static const std::vector<std::string> kTypes = {"ContainerResource", "External", "Object", "Pods",
                                                  "Resource"};
  for (rapidjson::SizeType i = 0; i < metrics->Size(); ++i) {
    const Value& m = (*metrics)[i];
    std::string p = "spec.metrics[" + std::to_string(i) + "]";
    std::string type = Str(m, {"type"});
    if (type.empty()) {
      AddRequired(c, p + ".type", "must specify a metric source type");
      continue;
    }
    if (std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) {
      AddNotSupported(c, p + ".type", type, kTypes);
      continue;
    }
    std::string src = type;
    src[0] = static_cast<char>(std::tolower(src[0]));
    const Value* s = json::Find(m, {src});
    if (s == nullptr) {
      AddRequired(c, p + "." + src, "must populate information for the given metric source");
      continue;
    }
    if ((type == "Resource" || type == "ContainerResource") && Str(*s, {"name"}).empty())
      AddRequired(c, p + "." + src + ".name", "must specify a resource name");
    const Value* target = json::Find(*s, {"target"});
    std::string tt = target ? Str(*target, {"type"}) : "";
    if (tt.empty())
      AddRequired(c, p + "." + src + ".target.type", "must specify a metric target type");
    else if (tt != "Utilization" && tt != "Value" && tt != "AverageValue")
      AddInvalid(c, p + "." + src + ".target.type", tt,
                 "must be either Utilization, Value, or AverageValue");
    if (tt == "Utilization") {
      const Value* u = json::Find(*target, {"averageUtilization"});
      if (u == nullptr)
        AddRequired(c, p + "." + src + ".target.averageUtilization",
                    "must set either a target raw value or a target utilization");
      else if (u->IsInt64() && u->GetInt64() < 1)
        AddIntInvalid(c, p + "." + src + ".target.averageUtilization", u->GetInt64(),
                      "must be greater than 0");
    }
  }
}

void ValidateHpaV1(const Value& o, const Value* old, FieldCauses* c) {
  ValidateHpaCommon(o, old, c);
  const Value* t = json::Find(o, {"spec", "targetCPUUtilizationPercentage"});
  if (t && t->IsInt64() && t->GetInt64() < 1)
    AddIntInvalid(c, "spec.targetCPUUtilizationPercentage", t->GetInt64(),
                  "must be greater than 0");
  // What the autoscaling.alpha annotations carry becomes part of the stored v2 object: it must
  // be a valid v2 HorizontalPodAutoscaler too.
  const Value* ann = json::Find(o, {"metadata", "annotations"});
  if (ann == nullptr || !ann->IsObject()) return;
  bool any = false;
  for (const char* key : {kMetricsAnnotation, kCurrentMetricsAnnotation, kConditionsAnnotation,
                          kBehaviorAnnotation}) {
    const Value* v = json::Find(*ann, {key});
    if (v == nullptr || !v->IsString()) continue;
    any = true;
    auto parsed = json::Parse(v->GetString(), 64);
    bool want_object = std::string_view(key) == kBehaviorAnnotation;
    if (!parsed.ok() || (want_object ? !parsed->IsObject() : !parsed->IsArray()))
      AddInvalid(c, std::string("metadata.annotations[") + key + "]", v->GetString(),
                 want_object ? "must be a JSON object" : "must be a JSON array");
  }
  if (!any || !c->empty()) return;
  json::Document v2;
  v2.CopyFrom(o, v2.GetAllocator());
  HpaV1ToV2(v2);
  const schema::Type* type =
      schema::Schema::Get().FindKind("autoscaling", "v2", "HorizontalPodAutoscaler");
  std::string err = type ? FindTypeError(v2, *type) : "";
  FieldCauses v2_causes;
  if (err.empty()) ValidateHpaV2(v2, nullptr, &v2_causes);
  if (!err.empty() || !v2_causes.empty())
    AddInvalid(c, "metadata.annotations", "autoscaling.alpha.kubernetes.io/*",
               err.empty() ? v2_causes[0].field + ": " + v2_causes[0].message : err);
}

// ---- storage.k8s.io ----

void DefaultStorageClass(json::Document& d) {
  Allocator& a = d.GetAllocator();
  DefaultString(d, "reclaimPolicy", "Delete", a);
  DefaultString(d, "volumeBindingMode", "Immediate", a);
}

void ValidateStorageClass(const Value& o, const Value* old, FieldCauses* c) {
  std::string prov = Str(o, {"provisioner"});
  if (prov.empty()) {
    AddRequired(c, "provisioner");
  } else if (std::string err = CheckQualifiedName(prov); !err.empty()) {
    AddInvalid(c, "provisioner", prov, err);
  }
  std::string rp = Str(o, {"reclaimPolicy"});
  if (!rp.empty() && rp != "Delete" && rp != "Retain")
    AddNotSupported(c, "reclaimPolicy", rp, {"Delete", "Retain"});
  std::string vbm = Str(o, {"volumeBindingMode"});
  if (!vbm.empty() && vbm != "Immediate" && vbm != "WaitForFirstConsumer")
    AddNotSupported(c, "volumeBindingMode", vbm, {"Immediate", "WaitForFirstConsumer"});
  if (old == nullptr) return;
  auto same = [&](const char* k) {
    const Value* a = json::Find(o, {k});
    const Value* b = json::Find(*old, {k});
    return (a == nullptr) == (b == nullptr) && (!a || *a == *b);
  };
  if (!same("parameters")) AddForbidden(c, "parameters", "updates to parameters are forbidden.");
  if (!same("provisioner")) AddForbidden(c, "provisioner", "updates to provisioner are forbidden.");
  if (!same("reclaimPolicy"))
    AddForbidden(c, "reclaimPolicy", "updates to reclaimPolicy are forbidden.");
  if (!same("volumeBindingMode")) AddInvalid(c, "volumeBindingMode", vbm, "field is immutable");
}

void DefaultCsiDriver(json::Document& d) {
  Allocator& a = d.GetAllocator();
  Value& spec = json::EnsureObject(d, {"spec"}, a);
  DefaultBool(spec, "attachRequired", true, a);
  DefaultBool(spec, "podInfoOnMount", false, a);
  DefaultBool(spec, "storageCapacity", false, a);
  DefaultString(spec, "fsGroupPolicy", "ReadWriteOnceWithFSType", a);
  const Value* modes = Arr(spec, {"volumeLifecycleModes"});
  if (modes == nullptr || modes->Empty()) {
    Value m(rapidjson::kArrayType);
    m.PushBack(json::String("Persistent", a), a);
    json::Set(spec, "volumeLifecycleModes", std::move(m), a);
  }
  DefaultBool(spec, "requiresRepublish", false, a);
  DefaultBool(spec, "seLinuxMount", false, a);
}

void ValidateVolumeAttachment(const Value& o, const Value* old, FieldCauses* c) {
  if (Str(o, {"spec", "attacher"}).empty()) AddRequired(c, "spec.attacher");
  bool pv = !Str(o, {"spec", "source", "persistentVolumeName"}).empty();
  bool inl = json::Find(o, {"spec", "source", "inlineVolumeSpec"}) != nullptr;
  if (pv == inl)
    AddRequired(c, "spec.source",
                "must specify exactly one of inlineVolumeSpec and "
                "persistentVolumeName");
  std::string node = Str(o, {"spec", "nodeName"});
  if (std::string err = CheckDns1123Subdomain(node); !err.empty())
    AddInvalid(c, "spec.nodeName", node, err);
  if (old) {
    const Value* a = json::Find(o, {"spec"});
    const Value* b = json::Find(*old, {"spec"});
    if (a && b && *a != *b)
      c->push_back({"FieldValueInvalid", "spec", "Invalid value: spec: field is immutable"});
  }
}

// ---- node.k8s.io ----

void ValidateRuntimeClass(const Value& o, const Value* old, FieldCauses* c) {
  std::string h = Str(o, {"handler"});
  if (std::string err = CheckDns1123Label(h); !err.empty()) AddInvalid(c, "handler", h, err);
  if (old && Str(*old, {"handler"}) != h) AddInvalid(c, "handler", h, "field is immutable");
}

// ---- certificates.k8s.io ----

void ValidateCsr(const Value& o, const Value*, FieldCauses* c) {
  std::string req = Str(o, {"spec", "request"});
  if (req.empty())
    c->push_back({"FieldValueInvalid", "spec.request",
                  "Invalid value: []byte(nil): PEM block type must be CERTIFICATE REQUEST"});
  std::string signer = Str(o, {"spec", "signerName"});
  if (signer.empty()) {
    AddRequired(c, "spec.signerName");
  } else if (signer == "kubernetes.io/legacy-unknown") {
    AddInvalid(c, "spec.signerName", signer,
               "the legacy signerName is not allowed via this API version");
  } else if (std::count(signer.begin(), signer.end(), '/') != 1) {
    AddInvalid(c, "spec.signerName", signer,
               "must be a fully qualified domain and path of the form 'example.com/signer-name'");
  }
  const Value* usages = Arr(o, {"spec", "usages"});
  if (usages == nullptr || usages->Empty()) AddRequired(c, "spec.usages");
  const Value* exp = json::Find(o, {"spec", "expirationSeconds"});
  if (exp && exp->IsInt64() && exp->GetInt64() < 600)
    AddIntInvalid(c, "spec.expirationSeconds", exp->GetInt64(),
                  "may not specify a duration less than 600 seconds (10 minutes)");
}

// Moves `member` of `from` into an annotation as JSON (removed from `from`).
void ToAnnotation(json::Document& d, Value& from, const char* member, const char* annotation) {
  auto it = from.FindMember(member);
  if (it == from.MemberEnd()) return;
  if (it->value.IsNull()) {
    from.RemoveMember(it);
    return;
  }
  std::string text = json::Serialize(it->value);
  from.RemoveMember(it);
  Allocator& a = d.GetAllocator();
  json::SetString(json::EnsureObject(d, {"metadata", "annotations"}, a), annotation, text, a);
}

// Moves an annotation (JSON) back into `member` of `to`; true when it was there.
bool FromAnnotation(json::Document& d, Value& to, const char* member, const char* annotation) {
  Value* ann = json::FindMutable(d, {"metadata", "annotations"});
  if (ann == nullptr || !ann->IsObject()) return false;
  auto it = ann->FindMember(annotation);
  if (it == ann->MemberEnd()) return false;
  auto parsed = json::Parse(it->value.IsString() ? it->value.GetString() : "null");
  ann->RemoveMember(it);
  if (ann->ObjectEmpty()) json::Remove(d["metadata"], "annotations");
  if (!parsed.ok()) return false;
  Allocator& a = d.GetAllocator();
  json::Set(to, member, Value(*parsed, a), a);
  return true;
}

bool IsCpuUtilization(const Value& m, const char* side) {
  return Str(m, {"type"}) == "Resource" && Str(m, {"resource", "name"}) == "cpu" &&
         json::Find(m, {"resource", side, "averageUtilization"}) != nullptr;
}

// A metric list and how autoscaling/v1 carries it: the CPU utilization as one field, the rest
// in an annotation.
struct MetricList {
  const char* list;        // "metrics" (spec) or "currentMetrics" (status)
  const char* cpu_field;   // v1's field for the CPU utilization
  const char* side;        // "target" or "current"
  const char* annotation;  // where v1 keeps the other metrics
};
constexpr MetricList kSpecMetrics{"metrics", "targetCPUUtilizationPercentage", "target",
                                  kMetricsAnnotation};
constexpr MetricList kStatusMetrics{"currentMetrics", "currentCPUUtilizationPercentage", "current",
                                    kCurrentMetricsAnnotation};

// v1 -> v2: the CPU field of `part` (spec or status) becomes the first metric, the
// annotation's other metrics follow. Removes both from `d`.
Value MetricsToV2(json::Document& d, Value& part, const MetricList& ml) {
  Allocator& a = d.GetAllocator();
  Value out(rapidjson::kArrayType);
  if (const Value* cpu = json::Find(part, {ml.cpu_field}); cpu && cpu->IsInt64())
    out.PushBack(CpuMetric(cpu->GetInt64(), a, ml.side), a);
  json::Remove(part, ml.cpu_field);
  if (FromAnnotation(d, part, ml.list, ml.annotation)) {
    Value& kept = part[ml.list];
    if (kept.IsArray())
      for (auto& m : kept.GetArray())
        if (!IsCpuUtilization(m, ml.side)) out.PushBack(Value(m, a), a);
  }
  return out;
}

// v2 -> v1: the first CPU utilization metric of d[part] becomes the v1 field, the other metrics
// go to the annotation.
void MetricsToV1(json::Document& d, const char* part_name, const MetricList& ml) {
  Allocator& a = d.GetAllocator();
  Value& part = d[part_name];
  Value* list = json::FindMutable(part, {ml.list});
  if (list == nullptr || (!list->IsArray() && !list->IsNull())) return;
  Value others(rapidjson::kArrayType);
  if (list->IsArray())
    for (auto& m : list->GetArray()) {
      if (IsCpuUtilization(m, ml.side) && !Has(part, ml.cpu_field))
        json::SetInt(part, ml.cpu_field,
                     json::GetInt(m, {"resource", ml.side, "averageUtilization"}), a);
      else
        others.PushBack(Value(m, a), a);
    }
  json::Remove(part, ml.list);
  if (!others.Empty()) {
    json::Set(part, ml.list, std::move(others), a);
    ToAnnotation(d, part, ml.list, ml.annotation);
  }
}

}  // namespace

void HpaV1ToV2(json::Document& d) {
  Allocator& a = d.GetAllocator();
  json::SetString(d, "apiVersion", "autoscaling/v2", a);
  Value& spec = json::EnsureObject(d, {"spec"}, a);
  Value metrics = MetricsToV2(d, spec, kSpecMetrics);
  if (metrics.Empty()) metrics.PushBack(CpuMetric(80, a), a);
  json::Set(spec, "metrics", std::move(metrics), a);
  FromAnnotation(d, spec, "behavior", kBehaviorAnnotation);
  Value& status = json::EnsureObject(d, {"status"}, a);
  Value current = MetricsToV2(d, status, kStatusMetrics);
  if (!current.Empty())
    json::Set(status, "currentMetrics", std::move(current), a);
  else
    json::Remove(status, "currentMetrics");
  FromAnnotation(d, status, "conditions", kConditionsAnnotation);
}

void HpaV2ToV1(json::Document& d) {
  json::SetString(d, "apiVersion", "autoscaling/v1", d.GetAllocator());
  json::EnsureObject(d, {"spec"}, d.GetAllocator());
  MetricsToV1(d, "spec", kSpecMetrics);
  ToAnnotation(d, d["spec"], "behavior", kBehaviorAnnotation);
  Value* status = json::FindMutable(d, {"status"});
  if (status == nullptr || !status->IsObject()) return;
  MetricsToV1(d, "status", kStatusMetrics);
  ToAnnotation(d, d["status"], "conditions", kConditionsAnnotation);
}

bool InstallMoreHooks(ResourceInfo* info) {
  const std::string& k = info->kind;
  using Doc = json::Document;
  auto def = [info](void (*f)(Doc&)) {
    info->defaulter = [f](Doc& d, const DefaultingContext&) { f(d); };
  };
  if (k == "Ingress") {
    info->validator = ValidateIngress;
    info->tracks_generation = true;
  } else if (k == "IngressClass") {
    info->defaulter = [](Doc& d, const DefaultingContext&) {
      if (Value* p = json::FindMutable(d, {"spec", "parameters"}); p && p->IsObject())
        DefaultString(*p, "scope", "Cluster", d.GetAllocator());
    };
    info->validator = ValidateIngressClass;
  } else if (k == "NetworkPolicy") {
    def(DefaultNetworkPolicy);
    info->tracks_generation = true;
  } else if (k == "HorizontalPodAutoscaler") {
    info->tracks_generation = true;
    if (info->version == "v1") {
      def(DefaultHpaV1);
      info->validator = ValidateHpaV1;
      info->to_storage = HpaV1ToV2;
      info->from_storage = HpaV2ToV1;
    } else {
      def(DefaultHpaV2);
      info->validator = ValidateHpaV2;
    }
  } else if (k == "StorageClass") {
    def(DefaultStorageClass);
    info->validator = ValidateStorageClass;
  } else if (k == "CSIDriver") {
    def(DefaultCsiDriver);
  } else if (k == "VolumeAttachment") {
    info->validator = ValidateVolumeAttachment;
  } else if (k == "RuntimeClass") {
    info->validator = ValidateRuntimeClass;
  } else if (k == "CertificateSigningRequest") {
    info->validator = ValidateCsr;
  } else {
    return false;
  }
  return true;
}

}  // namespace cluster::api
