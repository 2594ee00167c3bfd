// Response media types (content negotiation of the Accept header), as kube-apiserver does it:
// the first listed type the server can produce wins. JSON is the default and the only form of
// Tables and discovery; objects, lists and Status can also be answered in protobuf
// (application/vnd.kubernetes.protobuf, the "k8s\0" + runtime.Unknown envelope), and watches
// as length-prefixed protobuf WatchEvent frames.
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"
#include "server/apiserver/types.h"

namespace cluster::server {

inline constexpr char kProtobufMediaType[] = "application/vnd.kubernetes.protobuf";

struct AcceptedMedia {
  bool protobuf = false;  // protobuf is the preferred answer
  bool json = true;       // JSON is acceptable (as preferred type or as a fallback)
};

// Parses an Accept header. Media ranges with an `as=` parameter (Tables, discovery) count as
// JSON; an empty header, "*/*" and "application/*" accept JSON.
AcceptedMedia NegotiateAccept(std::string_view accept);

// 406: none of the accepted types can be produced.
Status NotAcceptable();

// Re-encodes a JSON object answer (object, list or Status) as protobuf when `accepted` prefers
// it. Leaves streams, non-JSON and Table bodies alone; answers 406 when protobuf was the only
// acceptable type and the body has no protobuf form.
void EncodeResponseBody(const AcceptedMedia& accepted, ApiResponse* resp);

// One watch event: {"type":…,"object":…}\n for JSON (`object` is the JSON text) or a 4-byte
// big-endian length + metav1.WatchEvent{1: type, 2: RawExtension{1: object}} for protobuf
// (`object` is the enveloped protobuf object).
std::string WatchEventBytes(bool protobuf, std::string_view type, std::string_view object);

// A watch event built from JSON text (bookmarks, ERROR Status events): encoded as `protobuf`
// says. Empty when the JSON has no protobuf form.
std::string WatchEventFromJson(bool protobuf, std::string_view type, std::string_view json);

}  // namespace cluster::server
