// The resource table: one row per served resource drives REST paths, discovery, scope,
// short names, categories, subresources and the per-kind hooks (defaulting, validation, table
// columns, selectable fields). The apiserver is generic over these rows; a resource is never a
// copied handler.
//
// The table is built once at start and immutable afterwards, so reads need no lock.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/schema.h"
#include "common/json.h"
#include "common/status.h"

namespace cluster::api {

// Field causes of an Invalid status ("spec.containers[0].name": "Required value").
struct FieldCause {
  std::string reason;   // FieldValueRequired, FieldValueInvalid, FieldValueDuplicate, ...
  std::string field;    // spec.containers[0].name
  std::string message;  // Required value: ...
};

using FieldCauses = std::vector<FieldCause>;

// Settings defaulting needs from the server's configuration.
struct DefaultingContext {
  int64_t not_ready_toleration_seconds = 300;
  int64_t unreachable_toleration_seconds = 300;
};

struct ResourceInfo {
  std::string group;  // "" for core
  std::string version;
  std::string kind;
  std::string plural;
  std::string singular;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  bool namespaced = true;
  std::vector<std::string> verbs;
  // Subresources served for this resource: "status", "scale", "binding", "eviction", "log",
  // "finalize".
  std::vector<std::string> subresources;
  // True when writes to the main resource ignore .status and status writes only change .status.
  bool has_status = false;
  // The list kind ("PodList").
  std::string ListKind() const { return kind + "List"; }
  std::string GroupVersion() const { return group.empty() ? version : group + "/" + version; }
  // Store key prefix: "/registry/pods/".
  std::string StorePrefix() const;

  // Fills defaults in a new or updated object (may be null: none).
  std::function<void(json::Document& obj, const DefaultingContext& ctx)> defaulter;
  // Validates kind-specific fields; `old` is null on create.
  std::function<void(const json::Value& obj, const json::Value* old, FieldCauses* causes)>
      validator;
  // Value of a selectable field ("spec.nodeName") for field selectors; nullopt = unsupported
  // field (metadata.name and metadata.namespace are always supported).
  std::function<std::optional<std::string>(const json::Value& obj, std::string_view field)>
      field_getter;
  // Set when the stored shape differs from this API's shape (events.k8s.io/v1 Events are
  // stored as core/v1 Events): applied before writing and after reading.
  std::function<void(json::Document& obj)> to_storage;
  std::function<void(json::Document& obj)> from_storage;
  // Whether a change between old and new objects bumps metadata.generation (spec changes).
  bool tracks_generation = false;
  // The kind's root type in the schema table (null for kinds it lacks), resolved once.
  const schema::Type* schema_type = nullptr;
};

class ResourceTable {
 public:
  // The built-in resources of Kubernetes 1.32 that this server serves.
  static const ResourceTable& BuiltIn();

  const std::vector<ResourceInfo>& All() const { return rows_; }
  // By group, version and plural; nullptr when not served.
  const ResourceInfo* Find(std::string_view group, std::string_view version,
                           std::string_view plural) const;
  // By group and kind (any served version).
  const ResourceInfo* FindKind(std::string_view group, std::string_view kind) const;
  // Group versions in discovery order ("" group first).
  std::vector<std::string> Groups() const;
  std::vector<std::string> Versions(std::string_view group) const;

  void Add(ResourceInfo info) { rows_.push_back(std::move(info)); }

 private:
  std::vector<ResourceInfo> rows_;
};

// Splits "apps/v1" into group and version ("v1" → core).
void SplitApiVersion(std::string_view api_version, std::string* group, std::string* version);

}  // namespace cluster::api
