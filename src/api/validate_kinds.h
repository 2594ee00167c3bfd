// Kind-specific validation, as kube-apiserver's validation package for the fields this server
// understands. Pure functions; thread-safe. `old` is null on create.
#pragma once

#include "api/resources.h"
#include "common/json.h"

namespace cluster::api {

void ValidatePodSpec(const json::Value& spec, const std::string& path, bool is_template,
                     FieldCauses* causes);
void ValidatePod(const json::Value& pod, const json::Value* old, FieldCauses* causes);
void ValidateService(const json::Value& svc, const json::Value* old, FieldCauses* causes);
// Deployment, ReplicaSet, StatefulSet, DaemonSet, ReplicationController, Job.
void ValidateWorkload(const std::string& kind, const json::Value& obj, const json::Value* old,
                      FieldCauses* causes);
void ValidateConfigData(const std::string& kind, const json::Value& obj, FieldCauses* causes);

}  // namespace cluster::api
