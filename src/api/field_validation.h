// Server-side field validation (the fieldValidation query parameter): finds the fields of a JSON
// object that its kind's schema does not know, and duplicate keys, as upstream's strict decoder
// reports them.
//
// Pure functions over the immutable schema table: safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/schema.h"
#include "common/json.h"

namespace cluster::api {

enum class FieldValidation { kIgnore, kWarn, kStrict };

// Parses the query parameter ("Strict", "Warn", "Ignore"; "" → kWarn, the server default of
// kube-apiserver). False on other values.
bool ParseFieldValidation(std::string_view param, FieldValidation* out);

// Problems in upstream's words: `unknown field "spec.containers[0].imagee"`,
// `duplicate field "metadata.name"`, in document order.
//
// `obj` is checked against `kind` (a top-level kind: apiVersion and kind are known too).
// Keys starting with "$" (strategic-merge-patch directives) are skipped when `patch` is set,
// as are null values (deletions). Members under RawExtension and FieldsV1 values are not
// checked (they hold arbitrary JSON), nor values whose JSON type does not match the schema
// (other validation reports those).
std::vector<std::string> FindFieldProblems(const json::Value& obj, const schema::Type& kind,
                                           bool patch = false);

// FindFieldProblems, and removes what it reports from `obj` (unknown fields; all but the last
// of duplicate keys), as upstream's decoder drops them under Warn and Ignore.
std::vector<std::string> PruneUnknownFields(json::Value& obj, const schema::Type& kind,
                                            bool patch = false);

// The first value whose JSON type the Go struct cannot take, in the words of Go's decoder (as
// kube-apiserver answers, 400): `json: cannot unmarshal string into Go struct field
// DeploymentSpec.spec.replicas of type int32`. Empty when every known field has a fitting type
// (null always fits; unknown members are not checked). Integers must be whole and in range.
std::string FindTypeError(const json::Value& obj, const schema::Type& kind);

// Only the duplicate keys, for documents without a schema (JSON patches).
std::vector<std::string> FindDuplicateFields(const json::Value& obj);

}  // namespace cluster::api
