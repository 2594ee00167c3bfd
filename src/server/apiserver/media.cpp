#include "server/apiserver/media.h"

#include "api/protobuf.h"
#include "api/protobuf_wire.h"
#include "server/apiserver/errors.h"

namespace cluster::server {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

AcceptedMedia NegotiateAccept(std::string_view accept) {
  AcceptedMedia out;
  if (Trim(accept).empty()) return out;
  bool first = true;
  bool any_json = false;
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    std::string_view range = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    size_t semi = range.find(';');
    std::string_view type = Trim(range.substr(0, semi));
    std::string_view params = semi == std::string_view::npos ? "" : range.substr(semi);
    bool is_pb = type == kProtobufMediaType && params.find("as=") == std::string_view::npos;
    bool is_json = type == "application/json" || type == "application/yaml" || type == "*/*" ||
                   type == "application/*" || (type == kProtobufMediaType && !is_pb);
    if (is_pb && first) out.protobuf = true;
    if (is_json) any_json = true;
    if (is_pb || is_json) first = false;
  }
  out.json = any_json;
  return out;
}

Status NotAcceptable() {
  return Status(Code::kNotAcceptable,
                "only the following media types are accepted: application/json, "
                "application/yaml, application/vnd.kubernetes.protobuf");
}

void EncodeResponseBody(const AcceptedMedia& m, ApiResponse* resp) {
  if (resp->stream || resp->body.empty() || resp->content_type != "application/json") return;
  if (!m.protobuf) return;
  auto doc = json::Parse(resp->body);
  if (doc.ok()) {
    auto pb = api::EncodeProtobufObject(*doc);
    if (pb.ok()) {
      resp->body = std::move(pb).value();
      resp->content_type = kProtobufMediaType;
      return;
    }
  }
  if (m.json) return;
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
