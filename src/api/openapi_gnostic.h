// Swagger 2.0 JSON → the protobuf form client-go asks /openapi/v2 for
// (Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf): the message
// openapi.v2.Document of github.com/google/gnostic (OpenAPIv2.proto).
//
// The conversion is generic over the Swagger keys our documents use (and the rest of the common
// Swagger vocabulary): maps become repeated (name, value) pairs in document order, "x-…" keys
// become vendor extensions whose value is YAML text (we write JSON, which is YAML), `default`,
// `enum` and `example` become Any{yaml}. Unknown keys are skipped.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "common/status.h"

namespace cluster::api::openapi {

// `doc` must be a JSON object (a Swagger document); anything else is an InvalidArgument.
Result<std::string> SwaggerToGnostic(const rapidjson::Value& doc);

}  // namespace cluster::api::openapi
