// Strategic-merge-patch metadata: for a field reached by a path of JSON field names from an
// object's root, how a strategic merge patch combines it (upstream's `patchStrategy` and
// `patchMergeKey` Go struct tags in k8s.io/api).
//
// Paths name fields only, never list indices: ["spec", "containers", "env"] is the env list of
// any container of a Pod. A PatchSchema is immutable after construction and safe to share
// between threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cluster::api {

struct FieldStrategy {
  enum class Kind {
    kDefault,  // maps merge recursively, lists are replaced whole
    kMerge,    // lists merge: by merge_key for lists of objects, as a set for primitives
    kReplace,  // the value (map or list) is replaced whole
  };
  Kind strategy = Kind::kDefault;
  std::string merge_key;     // for kMerge lists of objects, e.g. "name"
  bool retain_keys = false;  // upstream "retainKeys": the $retainKeys directive is meaningful

  bool operator==(const FieldStrategy&) const = default;
};
using ListStrategy = FieldStrategy;  // the name the first design used

class PatchSchema {
 public:
  virtual ~PatchSchema() = default;
  // True when the kind is a built-in type the schema describes; the apiserver refuses
  // strategic merge patches for other kinds (custom resources) with 415, as upstream.
  virtual bool HasKind(std::string_view kind) const = 0;
  // The strategy of the field at `path` in an object of `kind`; nullopt when the schema does not
  // know the field (callers then use kDefault behaviour).
  virtual std::optional<FieldStrategy> ForPath(std::string_view kind,
                                               const std::vector<std::string>& path) const = 0;
};

// A data-driven schema: a table of (type, field) rows, each giving the field's strategy and the
// type of its value (for lists: of its elements), plus the root type of each kind. Sub-types are
// shared, so PodSpec's rows serve Pod.spec, Deployment.spec.template.spec, CronJob
// .spec.jobTemplate.spec.template.spec, ... The table can be generated from a schema later.
class TablePatchSchema : public PatchSchema {
 public:
  struct Row {
    std::string type;   // owning type, e.g. "PodSpec"
    std::string field;  // JSON field name, e.g. "containers"
    std::string child;  // type of the value or of list elements ("" when not described)
    FieldStrategy strategy;
  };

  TablePatchSchema(std::map<std::string, std::string, std::less<>> kind_roots,
                   std::vector<Row> rows);

  bool HasKind(std::string_view kind) const override;
  std::optional<FieldStrategy> ForPath(std::string_view kind,
                                       const std::vector<std::string>& path) const override;

 private:
  const Row* Find(std::string_view type, std::string_view field) const;

  std::map<std::string, std::string, std::less<>> kind_roots_;
  std::map<std::string, Row, std::less<>> rows_;  // key: type + '\0' + field
};

// The patch metadata of the built-in kinds of k8s.io/api v0.32 (Kubernetes 1.32).
// The strategies of the built-in types, read from the schema table (schema_patch.cpp).
const PatchSchema& BuiltinPatchSchema();
const PatchSchema& SchemaDrivenPatchSchema();
// The earlier hand-written table of the same tags, kept to cross-check the schema table.
const PatchSchema& HandWrittenPatchSchema();

}  // namespace cluster::api
