// events.k8s.io/v1 Events are stored as core/v1 Events (one collection, as upstream); these
// convert between the two shapes (regarding ↔ involvedObject, note ↔ message,
// deprecatedSource ↔ source, deprecated{First,Last}Timestamp ↔ {first,last}Timestamp,
// deprecatedCount ↔ count, reportingController ↔ reportingComponent).
#pragma once

#include "common/json.h"

namespace cluster::api {

void EventsV1ToCore(json::Document& obj);
void CoreToEventsV1(json::Document& obj);

}  // namespace cluster::api
