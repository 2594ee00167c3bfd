// The built-in API types as data: one table of messages and fields (JSON name, protobuf number and
// wire type, Go JSON semantics, list/patch markers, description), parsed from the *.schema files
// that the build embeds (format: src/api/schema/README.md).
//
// Schema::Get() parses the embedded text on first use and is then immutable: safe for concurrent
// use from any thread without locking. Pointers it hands out live as long as the process.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cluster::api::schema {

// What one value of a field is (for repeated fields and maps: one element / one map value).
enum class Scalar {
  kString,
  kInt32,
  kInt64,
  kBool,
  kDouble,
  kBytes,
  kMessage,       // Field::message says which
  kIntOrString,   // JSON number or string
  kQuantity,      // JSON string
  kTime,          // RFC 3339, whole seconds
  kMicroTime,     // RFC 3339, microseconds
  kDuration,      // Go duration string ("1h2m3s")
  kRawExtension,  // embedded JSON
  kFieldsV1,      // embedded JSON
};

enum class Shape { kSingle, kRepeated, kMap };  // map keys are always strings

// Protobuf wire types.
enum WireType : int { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

struct Type;

struct Field {
  std::string json_name;  // for inline fields: the protobuf name (the JSON members are the child's)
  int number = 0;
  Shape shape = Shape::kSingle;
  Scalar scalar = Scalar::kString;
  std::string type_name;  // as written: "meta.v1.ObjectMeta", "[]string", "map<string,bytes>"
  const Type* message = nullptr;  // set when scalar == kMessage
  bool pointer = false;           // Go pointer: absent and zero are different
  bool omitempty = false;         // Go JSON omitempty
  bool inline_json = false;       // members are written into the parent JSON object
  bool required = false;
  std::string list_type;                   // "", "atomic", "set", "map"
  std::vector<std::string> list_map_keys;  // for list_type == "map"
  std::string map_type;                    // "", "atomic", "granular"
  std::string patch_strategy;              // "", "merge", "replace", "retainKeys", ...
  std::string patch_merge_key;
  std::string description;

  // Wire type of one element as Go writes it (repeated scalars are written unpacked).
  WireType wire_type() const;
};

struct Type {
  std::string name;        // qualified: "core.v1.Pod", "meta.v1.ObjectMeta"
  std::string package;     // "core.v1"
  std::string short_name;  // "Pod"
  std::string group;       // of the package: "" for core, "apps", "meta.k8s.io", ...
  std::string version;
  bool is_kind = false;     // a top-level kind of group/version
  bool wrapper = false;     // JSON form is the array in field 1 (a Go slice type)
  std::string struct_type;  // "", "atomic", "granular"
  std::string description;
  std::vector<Field> fields;            // Go declaration order (JSON member order)
  std::vector<const Field*> by_number;  // sorted by protobuf number (encoding order)

  const Field* FieldByNumber(int number) const;
  // Searches inline children too; *owner (if given) receives the type that declares the field.
  const Field* FieldByJsonName(std::string_view name, const Type** owner = nullptr) const;
};

class Schema {
 public:
  // The table compiled into the binary. Aborts at startup if the embedded text is malformed
  // (a build defect, covered by the unit tests).
  static const Schema& Get();

  // Parses schema text (one or more files concatenated); kBadRequest with the line on error,
  // including references to undefined types.
  static Result<std::unique_ptr<Schema>> Parse(std::string_view text);

  // By qualified name ("core.v1.Pod").
  const Type* FindType(std::string_view name) const;
  // Root type of a kind; group "" is core. Status and DeleteOptions (meta.v1) are found under
  // any group-version, as every group serves them.
  const Type* FindKind(std::string_view group, std::string_view version,
                       std::string_view kind) const;
  // Splits "apps/v1" or "v1" and calls FindKind.
  const Type* FindKindByApiVersion(std::string_view api_version, std::string_view kind) const;
  const std::vector<const Type*>& kinds() const { return kinds_; }
  const std::map<std::string, std::unique_ptr<Type>, std::less<>>& types() const { return types_; }

 private:
  std::map<std::string, std::unique_ptr<Type>, std::less<>> types_;
  std::vector<const Type*> kinds_;
};

// The text compiled into the binary (generated/schema_data.cpp).
std::string_view EmbeddedSchemaText();

}  // namespace cluster::api::schema
