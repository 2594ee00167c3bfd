// Server-side printing: meta.k8s.io/v1 Table answers (Accept: application/json;as=Table;...)
// with the same columns as kube-apiserver 1.32 for the kinds kubectl users look at, and the
// default "Name, Created At" table for the rest. Wide-only columns carry priority 1; kubectl
// picks them for -o wide. Pure; thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "api/resources.h"
#include "common/json.h"

namespace cluster::api {

enum class IncludeObject { kNone, kMetadata, kObject };

IncludeObject ParseIncludeObject(const std::string& s);  // "" → kMetadata

// A whole Table (list or single get). `list_rv` / `continue_token` fill the Table's metadata.
std::string BuildTable(const ResourceInfo& info, const std::vector<const json::Value*>& objs,
                       IncludeObject include, const std::string& list_rv,
                       const std::string& continue_token);

// The same from items as JSON text (list pages), parsing one at a time; unparsable items are
// skipped.
std::string BuildTableFromJson(const ResourceInfo& info, const std::vector<std::string>& items,
                               IncludeObject include, const std::string& list_rv,
                               const std::string& continue_token);

// upstream duration.HumanDuration ("5m", "3h12m", "2d").
std::string HumanDuration(std::chrono::seconds d);

}  // namespace cluster::api
