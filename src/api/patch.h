// The three PATCH flavours kube-apiserver accepts, applied to an object held as a RapidJSON
// document:
//   application/json-patch+json            RFC 6902  ApplyJsonPatch
//   application/merge-patch+json           RFC 7386  ApplyMergePatch
//   application/strategic-merge-patch+json           ApplyStrategicMergePatch
//
// Every function is all-or-nothing: on error `target` is left exactly as it was. None throws;
// hostile input yields a Status (inputs are expected to come from json::Parse, which bounds
// nesting depth). The functions are reentrant; a document must not be shared across threads
// while being patched.
#pragma once

#include <string_view>

#include "api/patch_schema.h"
#include "common/json.h"
#include "common/status.h"

namespace cluster::api {

// Most operations one JSON patch may carry (upstream maxJSONPatchOperations); more is kTooLarge.
inline constexpr size_t kMaxJsonPatchOperations = 10000;

// RFC 6902. Errors:
//   kBadRequest  the patch is not JSON, not an array of operation objects, names an unknown op,
//                lacks "path"/"from"/"value", or has a malformed JSON pointer;
//   kTooLarge    more than kMaxJsonPatchOperations operations;
//   kInvalid     an operation does not apply (missing path, index out of range, failed test).
//                The message is the specific reason (e.g. "testing value /a failed: test
//                failed"). Upstream answers 422 with message "the server rejected our request
//                due to an error in our request" and this reason as a cause of type
//                "UnexpectedServerResponse"; the REST layer should render it that way.
Status ApplyJsonPatch(json::Document& target, std::string_view patch);
Status ApplyJsonPatch(json::Document& target, const json::Value& patch);

// RFC 7386: null deletes a member, objects merge recursively, anything else replaces. A patch
// that is not an object replaces the whole target, so callers that need an object (every
// Kubernetes object) should reject that with kBadRequest; this function returns kBadRequest
// for a non-object patch.
Status ApplyMergePatch(json::Document& target, const json::Value& patch);

// Strategic merge patch, as k8s.io/apimachinery strategicpatch.StrategicMergeMapPatch with the
// apiserver's options (parallel delete lists merged, unmatched nulls ignored). `schema` tells
// per field path of `kind` whether a list merges (by a merge key, or as a set of primitives) or
// is replaced. Supported directives: "$patch": replace|delete (in maps and list elements),
// "$retainKeys", "$setElementOrder/<field>", "$deleteFromPrimitiveList/<field>". Directives
// never reach the result.
// Like upstream, `{"$patch": "delete"}` as a field's value leaves that field as an empty object.
// The caller decides whether `kind` may be strategically patched at all (upstream answers 415
// for custom resources: check schema.HasKind); unknown kinds get map-merge/list-replace.
// Errors: kBadRequest for a patch that is not an object, a malformed directive, patch content
// outside its $retainKeys list, a list element lacking its merge key, or mixed element types;
// kInvalid for lists of lists (upstream's 422 case). Upstream answers some of the kBadRequest
// cases (missing merge key) with a 500; 400 is the deliberate choice here.
Status ApplyStrategicMergePatch(json::Document& target, const json::Value& patch,
                                const PatchSchema& schema, std::string_view kind);

}  // namespace cluster::api
