// Defaulting as kube-apiserver 1.32 does it (SetDefaults_* and the defaulting admission
// plugins that always run: DefaultTolerationSeconds, ServiceAccount name, Priority).
// Each function fills only absent fields. Thread-safe, pure.
#pragma once

#include "api/resources.h"
#include "common/json.h"

namespace cluster::api {

void DefaultPodSpec(json::Value& spec, json::Allocator& a, bool is_template);
void DefaultPod(json::Document& pod, const DefaultingContext& ctx);
void DefaultService(json::Document& svc, const DefaultingContext& ctx);
void DefaultWorkload(json::Document& obj, const std::string& kind);
void DefaultNamespace(json::Document& ns);
void DefaultSimple(json::Document& obj, const std::string& kind);

// "BestEffort", "Burstable" or "Guaranteed" for a pod spec.
std::string PodQosClass(const json::Value& spec);

}  // namespace cluster::api
