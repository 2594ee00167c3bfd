#include "api/event_convert.h"

namespace cluster::api {
namespace {

// Field renames between events.k8s.io/v1 (first) and core/v1 (second).
const std::pair<const char*, const char*> kRenames[] = {
    {"regarding", "involvedObject"},
    {"note", "message"},
    {"deprecatedSource", "source"},
    {"deprecatedFirstTimestamp", "firstTimestamp"},
    {"deprecatedLastTimestamp", "lastTimestamp"},
    {"deprecatedCount", "count"},
    {"reportingController", "reportingComponent"},
};

void Rename(json::Document& obj, const char* from, const char* to) {
  auto it = obj.FindMember(from);
  if (it == obj.MemberEnd()) return;
  json::Value v(it->value, obj.GetAllocator());
  obj.RemoveMember(from);
  json::Set(obj, to, std::move(v), obj.GetAllocator());
}

}  // namespace

void EventsV1ToCore(json::Document& obj) {
  if (!obj.IsObject()) return;
  for (const auto& [v1, core] : kRenames) Rename(obj, v1, core);
  json::SetString(obj, "apiVersion", "v1", obj.GetAllocator());
}

void CoreToEventsV1(json::Document& obj) {
  if (!obj.IsObject()) return;
  for (const auto& [v1, core] : kRenames) Rename(obj, core, v1);
  json::SetString(obj, "apiVersion", "events.k8s.io/v1", obj.GetAllocator());
}

}  // namespace cluster::api
