// Defaulting as kube-apiserver 1.32 does it (SetDefaults_* and the defaulting admission
// plugins that always run: DefaultTolerationSeconds, ServiceAccount name, Priority).
// Each function fills only absent fields. Thread-safe, pure.
#pragma once

#include "api/resources.h"
#include "common/json.h"

namespace cluster::api {

// Field-level helpers for every kind's defaulter: set `key` only when `obj` lacks it.
bool Has(const json::Value& obj, const char* key);
void DefaultString(json::Value& obj, const char* key, const char* v, json::Allocator& a);
void DefaultInt(json::Value& obj, const char* key, int64_t v, json::Allocator& a);
void DefaultBool(json::Value& obj, const char* key, bool v, json::Allocator& a);
void DefaultObject(json::Value& obj, const char* key, json::Allocator& a);

void DefaultPodSpec(json::Value& spec, json::Allocator& a, bool is_template);
void DefaultPod(json::Document& pod, const DefaultingContext& ctx);
void DefaultService(json::Document& svc, const DefaultingContext& ctx);
void DefaultWorkload(json::Document& obj, const std::string& kind);
void DefaultNamespace(json::Document& ns);
void DefaultSimple(json::Document& obj, const std::string& kind);

// "BestEffort", "Burstable" or "Guaranteed" for a pod spec.
std::string PodQosClass(const json::Value& spec);

}  // namespace cluster::api
