#include "api/object_util.h"

#include "common/ids.h"

namespace cluster::api {
namespace {

using ResourceList = std::map<std::string, Quantity>;

void AddList(ResourceList& into, const json::Value* list) {
  if (list == nullptr || !list->IsObject()) return;
  for (const auto& m : list->GetObject()) {
    if (!m.value.IsString()) continue;
    auto q = ParseQuantity(std::string_view(m.value.GetString(), m.value.GetStringLength()));
    if (q.ok()) into[m.name.GetString()] += *q;
  }
}

void AddList(ResourceList& into, const ResourceList& add) {
  for (const auto& [k, v] : add) into[k] += v;
}

void MaxList(ResourceList& into, const ResourceList& other) {
  for (const auto& [k, v] : other) {
    auto it = into.find(k);
    if (it == into.end() || it->second < v) into[k] = v;
  }
}

// resourcehelper's shape for requests and limits alike: `field` is "requests" or "limits".
ResourceList Effective(const json::Value& pod, const char* field) {
  ResourceList total;
  const json::Value* spec = json::Find(pod, {"spec"});
  if (spec == nullptr) return total;
  if (const json::Value* cs = json::Find(*spec, {"containers"}); cs && cs->IsArray()) {
    for (const auto& c : cs->GetArray()) AddList(total, json::Find(c, {"resources", field}));
  }
  ResourceList sidecars;
  ResourceList init_max;
  if (const json::Value* ics = json::Find(*spec, {"initContainers"}); ics && ics->IsArray()) {
    for (const auto& c : ics->GetArray()) {
      ResourceList own;
      AddList(own, json::Find(c, {"resources", field}));
      if (json::GetString(c, {"restartPolicy"}) == "Always") {
        AddList(total, own);
        AddList(sidecars, own);
        MaxList(init_max, sidecars);
      } else {
        // A regular init container runs beside the sidecars started before it.
        AddList(own, sidecars);
        MaxList(init_max, own);
      }
    }
  }
  MaxList(total, init_max);
  AddList(total, json::Find(*spec, {"overhead"}));
  return total;
}

}  // namespace

std::vector<OwnerRef> OwnerRefs(const json::Value& obj) {
  std::vector<OwnerRef> out;
  const json::Value* refs = json::Find(obj, {"metadata", "ownerReferences"});
  if (refs == nullptr || !refs->IsArray()) return out;
  for (const auto& r : refs->GetArray()) {
    OwnerRef o;
    o.api_version = json::GetString(r, {"apiVersion"});
    o.kind = json::GetString(r, {"kind"});
    o.name = json::GetString(r, {"name"});
    o.uid = json::GetString(r, {"uid"});
    o.controller = json::GetBool(r, {"controller"});
    o.block_owner_deletion = json::GetBool(r, {"blockOwnerDeletion"});
    out.push_back(std::move(o));
  }
  return out;
}

std::optional<OwnerRef> ControllerOf(const json::Value& obj) {
  for (auto& r : OwnerRefs(obj))
    if (r.controller) return r;
  return std::nullopt;
}

json::Value NewControllerRef(const json::Value& owner, const std::string& api_version,
                             const std::string& kind, json::Allocator& a) {
  json::Value ref(rapidjson::kObjectType);
  json::SetString(ref, "apiVersion", api_version, a);
  json::SetString(ref, "kind", kind, a);
  json::SetString(ref, "name", json::GetString(owner, {"metadata", "name"}), a);
  json::SetString(ref, "uid", json::GetString(owner, {"metadata", "uid"}), a);
  json::Set(ref, "controller", json::Value(true), a);
  json::Set(ref, "blockOwnerDeletion", json::Value(true), a);
  return ref;
}

std::string PodPhase(const json::Value& pod) { return json::GetString(pod, {"status", "phase"}); }

bool IsTerminating(const json::Value& obj) {
  return json::Find(obj, {"metadata", "deletionTimestamp"}) != nullptr;
}

bool IsPodActive(const json::Value& pod) {
  std::string phase = PodPhase(pod);
  return phase != "Succeeded" && phase != "Failed" && !IsTerminating(pod);
}

const json::Value* PodCondition(const json::Value& pod, const std::string& type) {
  const json::Value* conds = json::Find(pod, {"status", "conditions"});
  if (conds == nullptr || !conds->IsArray()) return nullptr;
  for (const auto& c : conds->GetArray())
    if (json::GetString(c, {"type"}) == type) return &c;
  return nullptr;
}

bool IsPodReady(const json::Value& pod) {
  const json::Value* c = PodCondition(pod, "Ready");
  return c != nullptr && json::GetString(*c, {"status"}) == "True";
}

bool IsPodAvailable(const json::Value& pod, int64_t min_ready_seconds, int64_t now_s) {
  const json::Value* c = PodCondition(pod, "Ready");
  if (c == nullptr || json::GetString(*c, {"status"}) != "True") return false;
  if (min_ready_seconds <= 0) return true;
  std::chrono::system_clock::time_point t;
  if (!ParseRfc3339(json::GetString(*c, {"lastTransitionTime"}), &t)) return false;
  int64_t since = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  return since + min_ready_seconds <= now_s;
}

std::map<std::string, Quantity> PodRequests(const json::Value& pod) {
  return Effective(pod, "requests");
}

std::map<std::string, Quantity> PodLimits(const json::Value& pod) {
  return Effective(pod, "limits");
}

}  // namespace cluster::api
