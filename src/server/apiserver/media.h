// Response media types (content negotiation of the Accept header), as kube-apiserver does it,
// in one place for every endpoint: each endpoint says what it can produce (MediaOffer), the
// negotiation picks the first acceptable clause. JSON is the default and the only form of
// Tables, PartialObjectMetadata and discovery; objects, lists and Status can also be answered in
// YAML and protobuf (application/vnd.kubernetes.protobuf, the "k8s\0" + runtime.Unknown
// envelope), and watches as length-prefixed protobuf WatchEvent frames.
#pragma once

#include <string>
#include <string_view>

#include "common/json.h"
#include "server/apiserver/types.h"

namespace cluster::server {

inline constexpr char kProtobufMediaType[] = "application/vnd.kubernetes.protobuf";

enum class MediaFormat { kJson, kYaml, kProtobuf };

// What the answer is converted to: the Accept header's as/g/v parameters.
enum class MediaTarget {
  kPlain,                // the object or list itself
  kTable,                // meta.k8s.io Table (v1 or v1beta1)
  kPartialMetadata,      // meta.k8s.io PartialObjectMetadata[List] (v1 or v1beta1)
  kAggregatedDiscovery,  // apidiscovery.k8s.io APIGroupDiscoveryList (v2 or v2beta1)
};

// What one endpoint can answer. Resource reads offer everything but discovery; writes offer
// plain objects; discovery roots offer plain and aggregated discovery.
struct MediaOffer {
  bool protobuf = true;
  bool yaml = true;
  bool plain = true;
  bool table = false;
  bool partial_metadata = false;
  bool partial_metadata_list = false;  // lists: PartialObjectMetadataList, else the singular
  bool aggregated_discovery = false;
};

struct MediaChoice {
  MediaFormat format = MediaFormat::kJson;
  MediaTarget target = MediaTarget::kPlain;
  std::string version;  // the target's version: "v1", "v1beta1", "v2", "v2beta1"
  // A later clause also accepts plain JSON (used when the body has no protobuf form).
  bool json_fallback = false;
  // The exact Content-Type of an answer in this form (`list` picks PartialObjectMetadataList).
  std::string ContentType(bool list = false) const;
  std::string TargetApiVersion() const;  // "meta.k8s.io/v1", "apidiscovery.k8s.io/v2beta1"
};

// Content negotiation as kube-apiserver does it: the Accept header's clauses ordered by q
// (stable for equal q), more specific before wildcards; the first clause whose media type and
// as/g/v parameters the endpoint can produce wins ("pretty", "stream" and "charset" parameters
// are allowed, any other one rules the clause out). An empty header is plain JSON. kNotAcceptable
// (NotAcceptable()) when nothing matches.
Result<MediaChoice> NegotiateMedia(std::string_view accept, const MediaOffer& offer);

// 406: none of the accepted types can be produced.
Status NotAcceptable();

// Re-encodes a plain JSON answer (object, list or Status) as `choice` asks: protobuf or YAML.
// Leaves streams and converted bodies (Tables, PartialObjectMetadata) alone; answers 406 when
// protobuf was chosen, the body has no protobuf form and no JSON fallback was acceptable.
void EncodeResponseBody(const MediaChoice& choice, ApiResponse* resp);

// One watch event: {"type":…,"object":…}\n for JSON (`object` is the JSON text) or a 4-byte
// big-endian length + metav1.WatchEvent{1: type, 2: RawExtension{1: object}} for protobuf
// (`object` is the enveloped protobuf object).
std::string WatchEventBytes(bool protobuf, std::string_view type, std::string_view object);

// A watch event built from JSON text (bookmarks, ERROR Status events): encoded as `protobuf`
// says. Empty when the JSON has no protobuf form.
std::string WatchEventFromJson(bool protobuf, std::string_view type, std::string_view json);

}  // namespace cluster::server
