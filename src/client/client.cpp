#include "client/client.h"

#include <string_view>
#include <utility>

namespace cluster::client {
namespace {

constexpr const char* kJson = "application/json";

struct ReasonCode {
  std::string_view reason;
  Code code;
};

// Kubernetes metav1.StatusReason → Code. Reasons we have no code for fall back on the HTTP code.
constexpr ReasonCode kReasons[] = {
    {"BadRequest", Code::kBadRequest},
    {"Unauthorized", Code::kUnauthorized},
    {"Forbidden", Code::kForbidden},
    {"NotFound", Code::kNotFound},
    {"MethodNotAllowed", Code::kMethodNotAllowed},
    {"NotAcceptable", Code::kNotAcceptable},
    {"AlreadyExists", Code::kAlreadyExists},
    {"Conflict", Code::kConflict},
    {"Gone", Code::kGone},
    {"Expired", Code::kGone},
    {"RequestEntityTooLarge", Code::kTooLarge},
    {"UnsupportedMediaType", Code::kUnsupportedMedia},
    {"Invalid", Code::kInvalid},
    {"TooManyRequests", Code::kTooManyRequests},
    {"InternalError", Code::kInternal},
    {"ServiceUnavailable", Code::kUnavailable},
    {"Timeout", Code::kTimeout},
    {"ServerTimeout", Code::kTimeout},
};

Code CodeFromHttp(int http) {
  switch (http) {
    case 400:
      return Code::kBadRequest;
    case 401:
      return Code::kUnauthorized;
    case 403:
      return Code::kForbidden;
    case 404:
      return Code::kNotFound;
    case 405:
      return Code::kMethodNotAllowed;
    case 406:
      return Code::kNotAcceptable;
    case 409:
      return Code::kConflict;
    case 410:
      return Code::kGone;
    case 413:
      return Code::kTooLarge;
    case 415:
      return Code::kUnsupportedMedia;
    case 422:
      return Code::kInvalid;
    case 429:
      return Code::kTooManyRequests;
    case 503:
      return Code::kUnavailable;
    case 504:
      return Code::kTimeout;
    default:
      break;
  }
  if (http >= 400 && http < 500) return Code::kBadRequest;
  return Code::kInternal;
}

void AddListQuery(const ListOptions& opts, std::map<std::string, std::string>* q) {
  if (!opts.label_selector.empty()) (*q)["labelSelector"] = opts.label_selector;
  if (!opts.field_selector.empty()) (*q)["fieldSelector"] = opts.field_selector;
  if (opts.limit > 0) (*q)["limit"] = std::to_string(opts.limit);
  if (!opts.continue_token.empty()) (*q)["continue"] = opts.continue_token;
  if (!opts.resource_version.empty()) (*q)["resourceVersion"] = opts.resource_version;
  if (!opts.resource_version_match.empty()) {
    (*q)["resourceVersionMatch"] = opts.resource_version_match;
  }
  if (opts.timeout_seconds > 0) (*q)["timeoutSeconds"] = std::to_string(opts.timeout_seconds);
  if (opts.allow_watch_bookmarks) (*q)["allowWatchBookmarks"] = "true";
}

Request JsonRequest(std::string method, std::string path, std::string body) {
  Request req;
  req.method = std::move(method);
  req.path = std::move(path);
  if (!body.empty()) {
    req.body = std::move(body);
    req.content_type = kJson;
  }
  req.accept = kJson;
  return req;
}

bool ParseEventType(std::string_view s, WatchEvent::Type* type) {
  using T = WatchEvent::Type;
  if (s == "ADDED")
    *type = T::kAdded;
  else if (s == "MODIFIED")
    *type = T::kModified;
  else if (s == "DELETED")
    *type = T::kDeleted;
  else if (s == "BOOKMARK")
    *type = T::kBookmark;
  else if (s == "ERROR")
    *type = T::kError;
  else
    return false;
  return true;
}

}  // namespace

std::string ResourcePath(const ResourceRef& ref, const std::string& ns, const std::string& name) {
  std::string p =
      ref.group.empty() ? "/api/" + ref.version : "/apis/" + ref.group + "/" + ref.version;
  if (!ns.empty()) p += "/namespaces/" + ns;
  p += "/" + ref.resource;
  if (!name.empty()) {
    p += "/" + name;
    if (!ref.subresource.empty()) p += "/" + ref.subresource;
  }
  return p;
}

Status StatusFromObject(const json::Value& status, int http_code) {
  Code code = Code::kOk;
  std::string reason = json::GetString(status, {"reason"});
  for (const auto& rc : kReasons) {
    if (rc.reason == reason) code = rc.code;
  }
  if (code == Code::kOk) {
    int embedded = static_cast<int>(json::GetInt(status, {"code"}, 0));
    code = CodeFromHttp(embedded >= 400 ? embedded : http_code);
  }
  std::string message = json::GetString(status, {"message"});
  if (message.empty()) message = reason.empty() ? "HTTP " + std::to_string(http_code) : reason;
  return Status(code, std::move(message));
}

Status StatusFromResponse(const Response& resp) {
  if (resp.code < 400) return Status::Ok();
  auto doc = json::Parse(resp.body);
  if (doc.ok() && doc->IsObject() && json::GetString(*doc, {"kind"}) == "Status") {
    return StatusFromObject(*doc, resp.code);
  }
  // Not a metav1.Status (a proxy, or a plain-text error): keep a bounded piece of the body.
  std::string message = "HTTP " + std::to_string(resp.code);
  if (!resp.body.empty()) message += ": " + resp.body.substr(0, 512);
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) {
    message.pop_back();
  }
  return Status(CodeFromHttp(resp.code), std::move(message));
}

bool WatchStream::Next(WatchEvent* event, bool* has_event, std::chrono::milliseconds timeout) {
  *has_event = false;
  if (!status_.ok()) return false;
  std::string line;
  if (!stream_->Next(&line, timeout)) return false;
  if (line.empty()) return true;
  auto doc = json::Parse(line);
  const json::Value* obj = doc.ok() ? json::Find(*doc, {"object"}) : nullptr;
  std::string type = doc.ok() ? json::GetString(*doc, {"type"}) : "";
  if (obj == nullptr || !obj->IsObject() || !ParseEventType(type, &event->type)) {
    status_ = Internal("malformed watch event: " + line.substr(0, 200));
    stream_->Cancel();
    return false;
  }
  // Make the event's "object" member the document root without copying: both live in the same
  // document's memory pool, which outlives the swapped-out old root (pool memory is freed only
  // with the document).
  json::Value root;
  root.Swap(*json::FindMutable(*doc, {"object"}));
  static_cast<json::Value&>(*doc).Swap(root);
  event->object = std::move(doc).value();
  *has_event = true;
  return true;
}

Result<json::Document> Client::DoJson(const Request& req) {
  ASSIGN_OR_RETURN(Response resp, transport_->Do(req));
  if (resp.code >= 400) return StatusFromResponse(resp);
  if (resp.body.empty()) {
    json::Document d;
    d.SetObject();
    return d;
  }
  return json::Parse(resp.body);
}

Result<json::Document> Client::Get(const ResourceRef& ref, const std::string& ns,
                                   const std::string& name) {
  if (name.empty()) return BadRequest("get: resource name may not be empty");
  return DoJson(JsonRequest("GET", ResourcePath(ref, ns, name), ""));
}

Result<json::Document> Client::List(const ResourceRef& ref, const std::string& ns,
                                    const ListOptions& opts) {
  Request req = JsonRequest("GET", ResourcePath(ref, ns, ""), "");
  AddListQuery(opts, &req.query);
  if (opts.metadata_only)
    req.accept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
  return DoJson(req);
}

Result<std::unique_ptr<WatchStream>> Client::Watch(const ResourceRef& ref, const std::string& ns,
                                                   const ListOptions& opts) {
  Request req = JsonRequest("GET", ResourcePath(ref, ns, ""), "");
  AddListQuery(opts, &req.query);
  req.query["watch"] = "true";
  if (opts.metadata_only)
    req.accept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
  ASSIGN_OR_RETURN(std::unique_ptr<Stream> stream, transport_->OpenStream(req));
  return std::make_unique<WatchStream>(std::move(stream));
}

Result<json::Document> Client::Create(const ResourceRef& ref, const std::string& ns,
                                      const json::Value& obj) {
  // A subresource create (pods/binding, pods/eviction) posts to the parent object, which the
  // body names.
  std::string name = ref.subresource.empty() ? "" : json::GetString(obj, {"metadata", "name"});
  if (!ref.subresource.empty() && name.empty()) {
    return BadRequest("create " + ref.resource + "/" + ref.subresource + ": metadata.name missing");
  }
  return DoJson(JsonRequest("POST", ResourcePath(ref, ns, name), json::Serialize(obj)));
}

Result<json::Document> Client::Update(const ResourceRef& ref, const std::string& ns,
                                      const json::Value& obj) {
  std::string name = json::GetString(obj, {"metadata", "name"});
  if (name.empty()) return BadRequest("update: metadata.name missing");
  return DoJson(JsonRequest("PUT", ResourcePath(ref, ns, name), json::Serialize(obj)));
}

Result<json::Document> Client::Patch(const ResourceRef& ref, const std::string& ns,
                                     const std::string& name, const std::string& patch_type,
                                     const std::string& patch) {
  if (name.empty()) return BadRequest("patch: resource name may not be empty");
  Request req = JsonRequest("PATCH", ResourcePath(ref, ns, name), "");
  req.body = patch;
  req.content_type = patch_type;
  return DoJson(req);
}

Result<json::Document> Client::Delete(const ResourceRef& ref, const std::string& ns,
                                      const std::string& name, const std::string& delete_options) {
  if (name.empty()) return BadRequest("delete: resource name may not be empty");
  return DoJson(JsonRequest("DELETE", ResourcePath(ref, ns, name), delete_options));
}

}  // namespace cluster::client
