// YAML documents as JSON (RapidJSON) and back, typing plain scalars as the apiserver's decoder
// (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1) does: true/false/yes/no/on/off/y/n, null/~,
// integers (decimal, 0x, 0o/0 octal, 0b, '_' separators), floats; quoted scalars stay strings;
// numbers too large for int64/float64 stay strings. Never throws.
//
// Hostile input is bounded: nesting past max_depth is refused before yaml-cpp's recursive parser
// sees it, and alias expansion stops at a node budget proportional to the text ("yaml: document
// contains excessive aliasing"), so a few hundred bytes cannot become gigabytes.
#pragma once

#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace cluster {

// kBadRequest with the parser's reason for malformed YAML or nesting past max_depth.
Result<json::Document> YamlToJson(std::string_view text, int max_depth = 100);

// YAML text for a JSON value: keys sorted, strings quoted where they would read back as another
// type.
std::string JsonToYaml(const json::Value& v);

}  // namespace cluster
