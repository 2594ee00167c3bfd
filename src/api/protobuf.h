// Kubernetes protobuf bodies (Content-Type application/vnd.kubernetes.protobuf) to and from the
// JSON objects the apiserver works on, driven by the schema table (api/schema.h).
//
// Wire format: the 4 bytes "k8s\0", then a runtime.Unknown message
//   {1: TypeMeta{1: apiVersion, 2: kind}, 2: raw (the object's own message),
//    3: contentEncoding, 4: contentType}.
// Inside raw, k8s types use proto2: int32/int64/bool as plain varints (no zigzag), double as
// fixed64, strings/bytes/messages length-delimited, repeated fields one tag per element (packed
// input is accepted too), maps as repeated {1: key, 2: value} entries. Special messages:
// IntOrString {1: type, 2: intVal, 3: strVal}, Quantity {1: string}, Time and MicroTime
// {1: seconds, 2: nanos}, RawExtension and FieldsV1 {1: raw JSON bytes}.
//
// Decoding produces the JSON that kube-apiserver would produce for the same object (Go's
// encoding/json of the decoded struct): see NormalizeAsGo. Encoding writes the fields present
// (and non-null) in the JSON, in field-number order; fields the table does not know are ignored.
//
// Bad input (truncated varints, wrong wire types, lengths past the end, nesting deeper than
// kMaxProtobufDepth, invalid values) gives kBadRequest naming the field; it never crashes and
// never reads outside the input. All functions are thread-safe (no shared mutable state).
#pragma once

#include <string>
#include <string_view>

#include "api/schema.h"
#include "common/json.h"
#include "common/status.h"

namespace cluster::api {

inline constexpr std::string_view kProtobufMagic{"k8s\0", 4};
inline constexpr int kMaxProtobufDepth = 100;

// Magic + runtime.Unknown envelope → JSON object with apiVersion and kind first.
// Unknown kinds and non-empty contentEncoding give kBadRequest.
Result<json::Document> DecodeProtobufObject(std::string_view body);
// JSON object with apiVersion and kind → magic + envelope. kBadRequest if the kind is not in the
// table or a value has the wrong JSON type for its field.
Result<std::string> EncodeProtobufObject(const json::Value& obj);

// Magic + runtime.Unknown envelope around `raw`, the message of kind `kind` (e.g. a list built
// item by item).
std::string WrapProtobufEnvelope(std::string_view api_version, std::string_view kind,
                                 std::string_view raw);

// One message of `type` without envelope or magic (e.g. a DeleteOptions body).
Result<json::Document> DecodeProtobufMessage(const schema::Type& type, std::string_view bytes);
Result<std::string> EncodeProtobufMessage(const schema::Type& type, const json::Value& obj);

// Rewrites `obj` (a JSON object of `type`) the way a JSON round trip through the Go struct
// would: members in Go declaration order, zero values of non-pointer fields filled in (empty
// structs as {}, zero Time as null), zero omitempty values and empty omitempty lists/maps
// dropped, null pointers dropped. Members the table does not know are kept, after the known
// ones. Values of the wrong JSON type are left as they are (the encoder or validation reports
// them). Nesting deeper than kMaxProtobufDepth is left unnormalized.
void NormalizeAsGo(const schema::Type& type, json::Value& obj, json::Allocator& alloc);

// RFC 3339 helpers used for Time/MicroTime (exposed for tests and other modules).
// Formats UTC seconds (+ micros when micro=true, always 6 digits) like Go's time.Format.
Result<std::string> FormatRfc3339(int64_t seconds, int32_t nanos, bool micro);
// Parses "2006-01-02T15:04:05[.frac](Z|±hh:mm)" into UTC seconds and nanoseconds.
Status ParseRfc3339(std::string_view text, int64_t* seconds, int32_t* nanos);

}  // namespace cluster::api
