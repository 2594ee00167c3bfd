// Reads of object semantics that the scheduler, controllers and kubelet share, over JSON
// objects as the API serves them (upstream's podutil, metav1 owner helpers and resource
// helpers). Pure functions; they never throw and treat missing fields as upstream's zero values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/quantity.h"

namespace cluster::api {

// ---- owners ----

struct OwnerRef {
  std::string api_version, kind, name, uid;
  bool controller = false;
  bool block_owner_deletion = false;
};
std::vector<OwnerRef> OwnerRefs(const json::Value& obj);
// The ownerReference with controller: true, if any (metav1.GetControllerOf).
std::optional<OwnerRef> ControllerOf(const json::Value& obj);
// {apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true} for `owner`
// (metav1.NewControllerRef); kind and apiVersion are given because list items may lack them.
json::Value NewControllerRef(const json::Value& owner, const std::string& api_version,
                             const std::string& kind, json::Allocator& a);

// ---- pods ----

std::string PodPhase(const json::Value& pod);
bool IsTerminating(const json::Value& obj);  // metadata.deletionTimestamp set
// Not Succeeded/Failed and not being deleted (controller.IsPodActive).
bool IsPodActive(const json::Value& pod);
// The condition of `type` in status.conditions, or null.
const json::Value* PodCondition(const json::Value& pod, const std::string& type);
// Ready condition True.
bool IsPodReady(const json::Value& pod);
// Ready for at least min_ready_seconds at `now_s` (unix seconds), as podutil.IsPodAvailable.
bool IsPodAvailable(const json::Value& pod, int64_t min_ready_seconds, int64_t now_s);

// Effective requests of a pod as the scheduler and quota count them (resourcehelper.PodRequests):
// the larger of the sum of the app containers (plus restartable init containers, "sidecars")
// and each init container in turn, plus spec.overhead. Values by resource name ("cpu",
// "memory", "ephemeral-storage", "nvidia.com/gpu", ...); unparsable quantities count as zero.
std::map<std::string, Quantity> PodRequests(const json::Value& pod);
// Limits, the same way (resourcehelper.PodLimits).
std::map<std::string, Quantity> PodLimits(const json::Value& pod);

}  // namespace cluster::api
