// Hooks (defaults, validation, version conversion) of the networking.k8s.io, autoscaling,
// storage.k8s.io, node.k8s.io and certificates.k8s.io kinds, as kube-apiserver 1.32 applies
// them. Pure functions; thread-safe.
#pragma once

#include "api/resources.h"

namespace cluster::api {

// Installs the hooks of `info` when its kind is one of those above; false otherwise.
bool InstallMoreHooks(ResourceInfo* info);

// autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscaler (stored as v2). v1 carries the CPU
// utilization target in spec.targetCPUUtilizationPercentage; the other v2 metrics, the behavior,
// current metrics and conditions travel in the autoscaling.alpha.kubernetes.io/* annotations (as
// v2 JSON), so a v1 read-modify-write keeps them. A v1 object without a target gets the default
// CPU target of 80%, as upstream's conversion does.
void HpaV1ToV2(json::Document& obj);
void HpaV2ToV1(json::Document& obj);

}  // namespace cluster::api
