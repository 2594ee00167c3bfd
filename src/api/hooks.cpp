#include "api/hooks.h"

#include "api/defaults.h"
#include "api/event_convert.h"
#include "api/kinds_more.h"
#include "api/validate_kinds.h"

namespace cluster::api {
namespace {

using json::Value;

std::optional<std::string> Field(const Value& obj, std::initializer_list<std::string_view> path) {
  const Value* v = json::Find(obj, path);
  if (v == nullptr || v->IsNull()) return std::string();
  if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
  if (v->IsBool()) return std::string(v->GetBool() ? "true" : "false");
  if (v->IsInt64()) return std::to_string(v->GetInt64());
  return json::Serialize(*v);
}

std::optional<std::string> PodField(const Value& o, std::string_view f) {
  if (f == "spec.nodeName") return Field(o, {"spec", "nodeName"});
  if (f == "spec.restartPolicy") return Field(o, {"spec", "restartPolicy"});
  if (f == "spec.schedulerName") return Field(o, {"spec", "schedulerName"});
  if (f == "spec.serviceAccountName") return Field(o, {"spec", "serviceAccountName"});
  if (f == "spec.hostNetwork") {
    auto v = Field(o, {"spec", "hostNetwork"});
    return v->empty() ? std::string("false") : *v;
  }
  if (f == "status.phase") return Field(o, {"status", "phase"});
  if (f == "status.podIP") return Field(o, {"status", "podIP"});
  if (f == "status.nominatedNodeName") return Field(o, {"status", "nominatedNodeName"});
  return std::nullopt;
}

std::optional<std::string> EventField(const Value& o, std::string_view f) {
  static const char* kInvolved[] = {"kind",       "namespace",       "name",     "uid",
                                    "apiVersion", "resourceVersion", "fieldPath"};
  for (const char* k : kInvolved)
    if (f == std::string("involvedObject.") + k) return Field(o, {"involvedObject", k});
  for (const char* k : {"reason", "type", "reportingComponent"})
    if (f == k) return Field(o, {k});
  if (f == "source") return Field(o, {"source", "component"});
  return std::nullopt;
}

std::optional<std::string> NewEventField(const Value& o, std::string_view f) {
  for (const char* k : {"kind", "namespace", "name", "uid", "apiVersion"})
    if (f == std::string("regarding.") + k) return Field(o, {"regarding", k});
  for (const char* k : {"reason", "type", "reportingController"})
    if (f == k) return Field(o, {k});
  return std::nullopt;
}

}  // namespace

void InstallHooks(ResourceInfo* info) {
  if (InstallMoreHooks(info)) return;
  const std::string kind = info->kind;
  const bool core = info->group.empty();
  if (kind == "Pod") {
    info->defaulter = [](json::Document& d, const DefaultingContext& c) { DefaultPod(d, c); };
    info->validator = ValidatePod;
    info->field_getter = PodField;
  } else if (kind == "Service") {
    info->defaulter = DefaultService;
    info->validator = ValidateService;
  } else if (kind == "Deployment" || kind == "ReplicaSet" || kind == "StatefulSet" ||
             kind == "DaemonSet" || kind == "ReplicationController" || kind == "Job" ||
             kind == "CronJob") {
    info->tracks_generation = true;
    info->defaulter = [kind](json::Document& d, const DefaultingContext&) {
      DefaultWorkload(d, kind);
    };
    if (kind != "CronJob") {
      info->validator = [kind](const Value& o, const Value* old, FieldCauses* c) {
        ValidateWorkload(kind, o, old, c);
      };
    }
    if (kind == "ReplicaSet" || kind == "ReplicationController") {
      info->field_getter = [](const Value& o, std::string_view f) -> std::optional<std::string> {
        if (f == "status.replicas") return Field(o, {"status", "replicas"});
        return std::nullopt;
      };
    }
    if (kind == "Job") {
      info->field_getter = [](const Value& o, std::string_view f) -> std::optional<std::string> {
        if (f == "status.successful") return Field(o, {"status", "succeeded"});
        return std::nullopt;
      };
    }
  } else if (kind == "Namespace") {
    info->defaulter = [](json::Document& d, const DefaultingContext&) { DefaultNamespace(d); };
    info->field_getter = [](const Value& o, std::string_view f) -> std::optional<std::string> {
      if (f == "status.phase") return Field(o, {"status", "phase"});
      return std::nullopt;
    };
  } else if (kind == "Event") {
    info->field_getter = core ? EventField : NewEventField;
    if (!core) {
      info->to_storage = EventsV1ToCore;
      info->from_storage = CoreToEventsV1;
    }
  } else if (kind == "Node") {
    info->field_getter = [](const Value& o, std::string_view f) -> std::optional<std::string> {
      if (f == "spec.unschedulable") {
        auto v = Field(o, {"spec", "unschedulable"});
        return v->empty() ? std::string("false") : *v;
      }
      return std::nullopt;
    };
  } else if (kind == "ConfigMap" || kind == "Secret") {
    info->validator = [kind](const Value& o, const Value*, FieldCauses* c) {
      ValidateConfigData(kind, o, c);
    };
    if (kind == "Secret") {
      info->defaulter = [](json::Document& d, const DefaultingContext&) {
        DefaultSimple(d, "Secret");
      };
      info->field_getter = [](const Value& o, std::string_view f) -> std::optional<std::string> {
        if (f == "type") return Field(o, {"type"});
        return std::nullopt;
      };
    }
  } else if (kind == "PriorityClass" || kind == "Endpoints" || kind == "PersistentVolume" ||
             kind == "PersistentVolumeClaim") {
    info->defaulter = [kind](json::Document& d, const DefaultingContext&) {
      DefaultSimple(d, kind);
    };
  }
  if (kind == "PodDisruptionBudget") info->tracks_generation = true;
}

}  // namespace cluster::api
