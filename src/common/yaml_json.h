// YAML documents as JSON (RapidJSON), with YAML 1.2 core-schema typing of plain scalars
// (true/false, null/~, integers, floats; quoted scalars stay strings). Never throws.
#pragma once

#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace cluster {

// kBadRequest with the parser's reason for malformed YAML or nesting past max_depth.
Result<json::Document> YamlToJson(std::string_view text, int max_depth = 100);

}  // namespace cluster
