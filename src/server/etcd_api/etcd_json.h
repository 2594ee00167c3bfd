// The etcd 3.4 grpc-gateway JSON wire format, shared by the etcd API handlers (internal to
// src/server/etcd_api).
//
// Requests: a JSON object (an empty body counts as {}); unknown fields are ignored and null
// means "absent", as the gateway does. bytes fields are padded standard base64; int64 fields
// accept a JSON integer or a string holding one; enums accept their name or number.
// Responses: etcd's proto field names, int64 as strings, bytes as base64, zero values left out
// (grpc-gateway's EmitDefaults=false). Errors: {"error":M,"message":M,"code":GRPC_CODE} with the
// gateway's HTTP status for that gRPC code.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace cluster::server::etcd {

// gRPC status codes that appear in error bodies.
enum class Grpc {
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
};

// etcd's error texts that clients match on.
inline constexpr const char* kErrCompacted =
    "etcdserver: mvcc: required revision has been compacted";
inline constexpr const char* kErrFutureRev =
    "etcdserver: mvcc: required revision is a future revision";
inline constexpr const char* kErrNoKey = "etcdserver: key is not provided";
inline constexpr const char* kErrLeaseNotFound = "etcdserver: requested lease not found";

// Identity reported in every header. Fixed: there is one member and no raft.
inline constexpr uint64_t kClusterId = 0x636c757374657200ULL;  // "cluster\0"
inline constexpr uint64_t kMemberId = 0x6d656d6265723031ULL;   // "member01"
inline constexpr int64_t kRaftTerm = 1;
inline constexpr const char* kVersion = "3.4.23";

struct Reply {
  int http_status = 200;
  std::string body;
};

int HttpStatusFor(Grpc code);
Reply ErrorReply(Grpc code, const std::string& message);
// Maps a store Status onto the gateway's error (kGone → OutOfRange "compacted", ...).
Reply StoreErrorReply(const Status& st);

// ---- Reading requests. Each getter leaves *out untouched when the field is absent or null
// and returns kBadRequest naming the field when it has the wrong type.
using JsonValue = rapidjson::Value;

// Parses a request body that must be a JSON object.
Result<rapidjson::Document> ParseRequest(std::string_view body);
// Streaming endpoints take concatenated request objects: the length of the first JSON value
// in `text` (leading whitespace included), or 0 when it is malformed or incomplete.
size_t FirstValueLength(std::string_view text);
Status GetBytes(const JsonValue& obj, const char* name, std::string* out);
Status GetInt64(const JsonValue& obj, const char* name, int64_t* out);
Status GetBool(const JsonValue& obj, const char* name, bool* out);
// An enum given by name (index in `names`) or by number.
Status GetEnum(const JsonValue& obj, const char* name, std::initializer_list<const char*> names,
               int* out);
// The member `name` when it is an object; nullptr when absent/null; error for other types.
Result<const JsonValue*> GetObject(const JsonValue& obj, const char* name);
Result<const JsonValue*> GetArray(const JsonValue& obj, const char* name);

// ---- Writing responses.
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void WriteInt(JsonWriter& w, const char* name, int64_t v);             // omitted when 0
void WriteBytes(JsonWriter& w, const char* name, std::string_view v);  // omitted when empty
void WriteBool(JsonWriter& w, const char* name, bool v);               // omitted when false
// "header":{cluster_id, member_id, revision, raft_term}
void WriteHeader(JsonWriter& w, int64_t revision);
// A KeyValue object (without a name).
void WriteKv(JsonWriter& w, const store::KeyValue& kv);
// An mvccpb.Event object.
void WriteEvent(JsonWriter& w, const store::Event& ev);

}  // namespace cluster::server::etcd
