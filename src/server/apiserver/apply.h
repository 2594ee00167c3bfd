// Server-side apply (PATCH with application/apply-patch+yaml) and the field ownership that other
// writes record in metadata.managedFields (operation Update), as upstream's fieldmanager does.
#pragma once

#include "server/apiserver/rest.h"

namespace cluster::server {

// Creates the object from the applied configuration when absent; otherwise merges it into the
// live object, refusing (409, one FieldManagerConflict cause per field) to change fields other
// managers own unless force=true, and removes fields the manager applied before but no longer
// does when no other manager owns them.
ApiResponse ServerSideApply(RestContext* ctx, const Call& c);

// 422 for an apply request without the fieldManager parameter, as upstream words it.
ApiResponse MissingFieldManager();

// Records a create (old nullptr) or update of `obj` by the request's field manager (the
// fieldManager parameter, else the User-Agent's product name). Does nothing for apply requests
// and writes through /scale, which keep their own bookkeeping.
void RecordWriteOwnership(const Call& c, const json::Value* old, json::Document& obj);

// Ownership of a write through the scale subresource (`c` is the /scale request): it sets the
// parent's spec.replicas, recorded as the manager's entry with subresource "scale" — operation
// Apply for apply patches (refused with 409 when the value changes and another manager owns
// it, unless force=true), Update otherwise (taking the field from other managers). `old` is the
// parent before, `obj` after.
Mutation RecordScaleOwnership(const Call& c, const json::Value& old, json::Document& obj);

}  // namespace cluster::server
