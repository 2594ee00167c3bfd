// Field ownership for server-side apply (upstream structured-merge-diff, simplified): sets of
// field paths in the metadata.managedFields[].fieldsV1 format, computed from objects with the
// schema table, and the merge/prune/compare operations apply needs.
//
// fieldsV1 format: a JSON object whose keys are path elements — "f:<field>" (struct field or map
// key), "k:<json object of the list-map keys>" (associative list item), "v:<json value>" (set
// list item), "i:<index>" — and whose values are the subtrees; "." : {} marks a node that is
// itself a member besides having children; an empty object is a member leaf. Example:
//   {"f:metadata":{"f:labels":{"f:app":{}}},
//    "f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{}}}}}
//
// All functions are pure (no shared state): safe from any thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "api/schema.h"
#include "common/json.h"
#include "common/status.h"

namespace cluster::api {

struct FieldSet {
  bool member = false;                       // this node itself is in the set
  std::map<std::string, FieldSet> children;  // by path element ("f:spec", "k:{...}", ...)

  bool empty() const { return !member && children.empty(); }
  bool operator==(const FieldSet&) const = default;
};

// fieldsV1 JSON <-> FieldSet. FromJson: kBadRequest when `v` is not in the format.
Result<FieldSet> FieldSetFromJson(const json::Value& v);
json::Value FieldSetToJson(const FieldSet& s, json::Allocator& a);
std::string FieldSetToString(const FieldSet& s);

FieldSet Union(const FieldSet& a, const FieldSet& b);
FieldSet Difference(const FieldSet& a, const FieldSet& b);  // members of a not in b
FieldSet Intersection(const FieldSet& a, const FieldSet& b);
// Member paths as upstream prints them (sorted): ".spec.replicas",
// `.spec.template.spec.containers[name="c"].image`, `.metadata.finalizers[="x"]`.
std::vector<std::string> MemberPaths(const FieldSet& s);

// The fields of `obj`, an object of root type `kind` (nullptr: unknown kind, the shape is
// deduced: objects are maps, lists and scalars leaves). Leaves, list items, atomic values, map
// entries, nulls and empty objects are members; struct nodes with fields are not.
FieldSet FieldSetOf(const json::Value& obj, const schema::Type* kind);
// Removes what the system owns rather than clients: apiVersion, kind, metadata name, namespace,
// uid, resourceVersion, generation, creationTimestamp, selfLink, managedFields; and `status` when
// `drop_status` (the main resource of a kind with a status subresource).
void StripSystemFields(FieldSet* s, bool drop_status);

// Merges an applied configuration into `live`: set fields are replaced, structs and maps merged
// recursively, associative lists merged item by item by key, set lists unioned.
void MergeInto(json::Value& live, const json::Value& config, const schema::Type* kind,
               json::Allocator& a);
// Removes from `obj` every node of `last` that no path of `keep` is in or below (what a manager
// applied before and no manager owns now).
void Prune(json::Value& obj, const FieldSet& last, const FieldSet& keep, const schema::Type* kind);

// What changed from `old_obj` to `new_obj`: *changed gets leaves whose value differs plus paths
// only in the new object, *removed paths only in the old one.
void Compare(const json::Value& old_obj, const json::Value& new_obj, const schema::Type* kind,
             FieldSet* changed, FieldSet* removed);

// One metadata.managedFields entry. Identity: (manager, operation, subresource).
struct ManagedFieldsEntry {
  std::string manager;
  std::string operation;  // "Apply" or "Update"
  std::string api_version;
  std::string time;  // RFC 3339
  std::string subresource;
  FieldSet fields;
};
// Entries of obj.metadata.managedFields; malformed entries are skipped.
std::vector<ManagedFieldsEntry> ReadManagedFields(const json::Value& obj);
// Replaces obj.metadata.managedFields (removes it when `entries` is empty).
void WriteManagedFields(json::Value& obj, const std::vector<ManagedFieldsEntry>& entries,
                        json::Allocator& a);

// Records a non-apply write (operation Update) by `manager`: the changed fields become its own
// and leave other managers' sets; removed fields leave every set. `old_obj` nullptr: a create.
// Leaves managedFields untouched when nothing changed. A `new_obj` without managedFields (or with
// null) inherits those of `old_obj`; a client that sends a list, even empty, replaces them.
void RecordUpdate(const json::Value* old_obj, json::Document& new_obj, const schema::Type* kind,
                  const std::string& manager, const std::string& api_version,
                  const std::string& subresource, bool drop_status, const std::string& now);

}  // namespace cluster::api
