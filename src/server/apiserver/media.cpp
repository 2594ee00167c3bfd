#include "server/apiserver/media.h"

#include <cctype>
#include <cstdlib>
#include <map>
#include <vector>

#include "api/protobuf.h"
#include "api/protobuf_wire.h"
#include "common/yaml_json.h"
#include "server/apiserver/errors.h"

namespace cluster::server {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

namespace {

struct Clause {
  std::string type, subtype;
  double q = 1;
  std::map<std::string, std::string> params;  // keys lowercased; q removed
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// One media range ("type/subtype;k=v"), as Go's mime.ParseMediaType reads it; false when
// malformed (the clause is skipped, as goautoneg does).
bool ParseClause(std::string_view range, Clause* out) {
  size_t semi = range.find(';');
  std::string mt = Lower(Trim(range.substr(0, semi)));
  if (mt == "*") mt = "*/*";
  size_t slash = mt.find('/');
  if (mt.empty() || slash == std::string::npos || slash == 0 || slash + 1 == mt.size())
    return false;
  out->type = mt.substr(0, slash);
  out->subtype = mt.substr(slash + 1);
  std::string_view rest = semi == std::string_view::npos ? "" : range.substr(semi + 1);
  while (!rest.empty()) {
    size_t next = rest.find(';');
    std::string_view kv = Trim(rest.substr(0, next));
    rest = next == std::string_view::npos ? "" : rest.substr(next + 1);
    if (kv.empty()) continue;
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos || eq == 0) return false;
    std::string key = Lower(Trim(kv.substr(0, eq)));
    std::string_view value = Trim(kv.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (key == "q") {
      char* end = nullptr;
      std::string v(value);
      double q = std::strtod(v.c_str(), &end);
      if (end == v.c_str()) return false;
      out->q = q;
      continue;
    }
    out->params[key] = std::string(value);
  }
  return true;
}

// goautoneg's order: higher q first, then specific types before wildcards; Go sorts this
// short slice by insertion, so equal clauses keep the client's order.
bool Before(const Clause& a, const Clause& b) {
  if (a.q > b.q) return true;
  if (a.type != "*" && b.type == "*") return true;
  if (a.subtype != "*" && b.subtype == "*") return true;
  return false;
}

std::vector<Clause> ParseAccept(std::string_view header) {
  std::vector<Clause> out;
  while (!header.empty()) {
    size_t comma = header.find(',');
    Clause c;
    if (ParseClause(header.substr(0, comma), &c) && c.q > 0) out.push_back(std::move(c));
    header = comma == std::string_view::npos ? "" : header.substr(comma + 1);
  }
  for (size_t i = 1; i < out.size(); ++i)
    for (size_t j = i; j > 0 && Before(out[j], out[j - 1]); --j) std::swap(out[j], out[j - 1]);
  return out;
}

struct Format {
  MediaFormat format;
  const char* type;
  const char* subtype;
};
constexpr Format kFormats[] = {{MediaFormat::kJson, "application", "json"},
                               {MediaFormat::kYaml, "application", "yaml"},
                               {MediaFormat::kProtobuf, "application", "vnd.kubernetes.protobuf"}};

// Whether `clause` asks for something the endpoint produces in `f`; fills *out.
bool Accepts(const Clause& clause, const Format& f, const MediaOffer& offer, MediaChoice* out) {
  bool type_ok =
      (clause.type == f.type && (clause.subtype == f.subtype || clause.subtype == "*")) ||
      (clause.type == "*" && clause.subtype == "*");
  if (!type_ok) return false;
  auto param = [&](const char* k) -> const std::string* {
    auto it = clause.params.find(k);
    return it == clause.params.end() ? nullptr : &it->second;
  };
  if (const std::string* stream = param("stream"); stream && !stream->empty() && *stream != "watch")
    return false;
  if (const std::string* sv = param("sv"); sv && !sv->empty()) return false;
  const std::string* as = param("as");
  const std::string* g = param("g");
  const std::string* v = param("v");
  MediaChoice c;
  c.format = f.format;
  if (as == nullptr && g == nullptr && v == nullptr) {
    if (!offer.plain) return false;
    if (f.format == MediaFormat::kProtobuf && !offer.protobuf) return false;
    if (f.format == MediaFormat::kYaml && !offer.yaml) return false;
    *out = c;
    return true;
  }
  // A conversion: only into JSON here (Tables, metadata and discovery have no other form yet).
  if (as == nullptr || g == nullptr || v == nullptr || f.format != MediaFormat::kJson) return false;
  const bool meta_version = *g == "meta.k8s.io" && (*v == "v1" || *v == "v1beta1");
  if (*as == "Table" && offer.table && meta_version) {
    c.target = MediaTarget::kTable;
  } else if (offer.partial_metadata && meta_version &&
             *as == (offer.partial_metadata_list ? "PartialObjectMetadataList"
                                                 : "PartialObjectMetadata")) {
    c.target = MediaTarget::kPartialMetadata;
  } else if (*as == "APIGroupDiscoveryList" && offer.aggregated_discovery &&
             *g == "apidiscovery.k8s.io" && (*v == "v2" || *v == "v2beta1")) {
    c.target = MediaTarget::kAggregatedDiscovery;
  } else {
    return false;
  }
  c.version = *v;
  *out = c;
  return true;
}

}  // namespace

std::string MediaChoice::TargetApiVersion() const {
  if (target == MediaTarget::kAggregatedDiscovery) return "apidiscovery.k8s.io/" + version;
  return "meta.k8s.io/" + version;
}

std::string MediaChoice::ContentType(bool list) const {
  switch (target) {
    case MediaTarget::kTable:
      return "application/json;as=Table;v=" + version + ";g=meta.k8s.io";
    case MediaTarget::kPartialMetadata:
      return std::string("application/json;as=") +
             (list ? "PartialObjectMetadataList" : "PartialObjectMetadata") + ";v=" + version +
             ";g=meta.k8s.io";
    case MediaTarget::kAggregatedDiscovery:
      return "application/json;g=apidiscovery.k8s.io;v=" + version + ";as=APIGroupDiscoveryList";
    case MediaTarget::kPlain:
      break;
  }
  if (format == MediaFormat::kProtobuf) return kProtobufMediaType;
  if (format == MediaFormat::kYaml) return "application/yaml";
  return "application/json";
}

Result<MediaChoice> NegotiateMedia(std::string_view accept, const MediaOffer& offer) {
  if (Trim(accept).empty()) {
    if (!offer.plain) return NotAcceptable();
    return MediaChoice{};
  }
  std::vector<Clause> clauses = ParseAccept(accept);
  for (size_t i = 0; i < clauses.size(); ++i) {
    for (const Format& f : kFormats) {
      MediaChoice c;
      if (!Accepts(clauses[i], f, offer, &c)) continue;
      if (c.format == MediaFormat::kProtobuf) {
        for (size_t j = i + 1; j < clauses.size() && !c.json_fallback; ++j) {
          MediaChoice later;
          if (Accepts(clauses[j], kFormats[0], offer, &later) &&
              later.target == MediaTarget::kPlain)
            c.json_fallback = true;
        }
      }
      return c;
    }
  }
  return NotAcceptable();
}

Status NotAcceptable() {
  return Status(Code::kNotAcceptable,
                "only the following media types are accepted: application/json, "
                "application/yaml, application/vnd.kubernetes.protobuf");
}

void EncodeResponseBody(const MediaChoice& m, ApiResponse* resp) {
  if (resp->stream || resp->body.empty() || resp->content_type != "application/json") return;
  if (m.target != MediaTarget::kPlain || m.format == MediaFormat::kJson) return;
  auto doc = json::Parse(resp->body);
  if (m.format == MediaFormat::kYaml) {
    if (!doc.ok()) return;
    resp->body = JsonToYaml(*doc);
    resp->content_type = "application/yaml";
    return;
  }
  if (doc.ok()) {
    auto pb = api::EncodeProtobufObject(*doc);
    if (pb.ok()) {
      resp->body = std::move(pb).value();
      resp->content_type = kProtobufMediaType;
      return;
    }
  }
  if (m.json_fallback) return;
  ApiResponse refused = ErrorResponse(NotAcceptable());
  refused.warnings = std::move(resp->warnings);
  *resp = std::move(refused);
}

std::string WatchEventBytes(bool protobuf, std::string_view type, std::string_view object) {
  if (!protobuf) {
    std::string line;
    line.reserve(object.size() + 32);
    line += "{\"type\":\"";
    line += type;
    line += "\",\"object\":";
    line += object;
    line += "}\n";
    return line;
  }
  api::wire::Writer raw;
  raw.BytesField(1, object);
  api::wire::Writer ev;
  ev.BytesField(1, type);
  ev.BytesField(2, raw.str());
  const std::string& msg = ev.str();
  uint32_t n = static_cast<uint32_t>(msg.size());
  std::string frame;
  frame.reserve(msg.size() + 4);
  frame.push_back(static_cast<char>(n >> 24));
  frame.push_back(static_cast<char>(n >> 16));
  frame.push_back(static_cast<char>(n >> 8));
  frame.push_back(static_cast<char>(n));
  frame += msg;
  return frame;
}

std::string WatchEventFromJson(bool protobuf, std::string_view type, std::string_view json) {
  if (!protobuf) return WatchEventBytes(false, type, json);
  auto doc = json::Parse(json);
  if (!doc.ok()) return {};
  auto pb = api::EncodeProtobufObject(*doc);
  if (!pb.ok()) return {};
  return WatchEventBytes(true, type, *pb);
}

}  // namespace cluster::server
