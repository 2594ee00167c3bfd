// JSON helpers over RapidJSON. Objects are rapidjson::Document values; these helpers keep the
// common reads short and never throw. Parsing limits depth so hostile input cannot overflow the
// stack.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cluster::json {

using Value = rapidjson::Value;
using Document = rapidjson::Document;
using Allocator = rapidjson::Document::AllocatorType;

// Parses a JSON text; kBadRequest with offset and reason on malformed input or nesting deeper
// than max_depth.
Result<Document> Parse(std::string_view text, int max_depth = 200);
std::string Serialize(const Value& v);
std::string Pretty(const Value& v);

// Member lookup along a path of object keys; nullptr when any step is missing or not an object.
const Value* Find(const Value& v, std::initializer_list<std::string_view> path);
Value* FindMutable(Value& v, std::initializer_list<std::string_view> path);
std::string GetString(const Value& v, std::initializer_list<std::string_view> path,
                      std::string_view fallback = "");
int64_t GetInt(const Value& v, std::initializer_list<std::string_view> path, int64_t fallback = 0);
bool GetBool(const Value& v, std::initializer_list<std::string_view> path, bool fallback = false);

// Returns the object at `path`, creating empty objects on the way (replacing non-objects).
Value& EnsureObject(Value& v, std::initializer_list<std::string_view> path, Allocator& a);
// Sets v[key] = value (copying strings), replacing any existing member.
void Set(Value& obj, std::string_view key, Value value, Allocator& a);
void SetString(Value& obj, std::string_view key, std::string_view s, Allocator& a);
void SetInt(Value& obj, std::string_view key, int64_t n, Allocator& a);
void Remove(Value& obj, std::string_view key);
Value String(std::string_view s, Allocator& a);
Document Copy(const Value& v);

// A shared, immutable copy of `v` in a memory pool sized to fit it. A default Document reserves
// a 64 KiB pool chunk however small it is, so documents that are kept (informer caches, the
// scheduler's and kubelet's views) are stored this way: a 2 KiB pod then costs ~2 KiB.
std::shared_ptr<const Document> SharedCopy(const Value& v);
// Bytes `v` takes in a memory pool when copied into one (its strings, members and elements).
size_t PoolBytes(const Value& v);

}  // namespace cluster::json
