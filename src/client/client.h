// The client every component uses to talk to the apiserver.
//
// One virtual seam, Transport, carries a Kubernetes REST request and its answer. Two transports
// implement it: in-process (src/server: calls the apiserver's REST engine directly, still through
// authentication, authorization, admission and validation, as a named internal user; no HTTP,
// no TLS) and HTTPS (https_transport.h: libcurl, for remote agents and tools). Client adds the
// typed verbs (get/list/watch/create/update/patch/delete) on top of any transport, so the
// scheduler, controllers and kubelet never know which one they use.
//
// Thread safety: Transports and Clients are safe for concurrent use. A WatchStream is used by
// one thread at a time; Cancel() may be called from any thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/json.h"
#include "common/status.h"

namespace cluster::client {

struct Request {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string path;    // "/api/v1/namespaces/default/pods"
  std::map<std::string, std::string> query;
  std::string body;
  std::string content_type;  // of the body
  std::string accept;        // empty: application/json
};

struct Response {
  int code = 0;  // HTTP status code
  std::string content_type;
  std::string body;
  std::vector<std::string> warnings;
};

// A streamed response (watch): newline-delimited JSON documents.
class Stream {
 public:
  virtual ~Stream() = default;
  // Waits up to `timeout` for the next line. Returns true and sets *line (possibly empty when
  // the timeout passed first), or false once the stream ended; status() then says why (ok when
  // the server closed it normally).
  virtual bool Next(std::string* line, std::chrono::milliseconds timeout) = 0;
  virtual Status status() const = 0;
  virtual void Cancel() = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Network failures come back as a Status (kUnavailable); HTTP errors as a Response whose code
  // is >= 400 with the server's metav1.Status body.
  virtual Result<Response> Do(const Request& req) = 0;
  // For watch requests: a response stream when the server answered 200, else the error Status
  // decoded from the answer.
  virtual Result<std::unique_ptr<Stream>> OpenStream(const Request& req) = 0;
};

// Which resource a call addresses.
struct ResourceRef {
  std::string group;     // "" for core
  std::string version;   // "v1"
  std::string resource;  // plural: "pods"
  std::string subresource;
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t limit = 0;
  std::string continue_token;
  std::string resource_version;
  std::string resource_version_match;
  int64_t timeout_seconds = 0;
  bool allow_watch_bookmarks = false;
  // Ask for PartialObjectMetadata(List): items carry only kind/apiVersion (meta.k8s.io/v1) and
  // metadata (the garbage collector's view; a fraction of the memory of whole objects).
  bool metadata_only = false;
};

struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted, kBookmark, kError };
  Type type = Type::kAdded;
  json::Document object;
};

class WatchStream {
 public:
  explicit WatchStream(std::unique_ptr<Stream> stream) : stream_(std::move(stream)) {}
  // As Stream::Next, decoding each line into *event. A line that does not decode ends the
  // stream with kInternal. returns true with has_event=false on timeout.
  bool Next(WatchEvent* event, bool* has_event, std::chrono::milliseconds timeout);
  Status status() const { return status_.ok() ? stream_->status() : status_; }
  void Cancel() { stream_->Cancel(); }

 private:
  std::unique_ptr<Stream> stream_;
  Status status_;
};

// The path of a collection or object: "/apis/apps/v1/namespaces/ns/deployments/name/scale".
std::string ResourcePath(const ResourceRef& ref, const std::string& ns, const std::string& name);
// Decodes a metav1.Status error body into a Status (code from its reason/code, its message).
Status StatusFromResponse(const Response& resp);
// Decodes a metav1.Status object (an error body, or the object of a watch ERROR event) into a
// Status: code from its reason, else its "code" field, else http_code.
Status StatusFromObject(const json::Value& status, int http_code);

class Client {
 public:
  explicit Client(std::shared_ptr<Transport> transport) : transport_(std::move(transport)) {}

  Result<json::Document> Get(const ResourceRef& ref, const std::string& ns,
                             const std::string& name);
  Result<json::Document> List(const ResourceRef& ref, const std::string& ns,
                              const ListOptions& opts = {});
  Result<std::unique_ptr<WatchStream>> Watch(const ResourceRef& ref, const std::string& ns,
                                             const ListOptions& opts);
  Result<json::Document> Create(const ResourceRef& ref, const std::string& ns,
                                const json::Value& obj);
  Result<json::Document> Update(const ResourceRef& ref, const std::string& ns,
                                const json::Value& obj);
  // patch_type: "application/merge-patch+json", "application/strategic-merge-patch+json",
  // "application/json-patch+json", "application/apply-patch+yaml".
  Result<json::Document> Patch(const ResourceRef& ref, const std::string& ns,
                               const std::string& name, const std::string& patch_type,
                               const std::string& patch);
  // Returns the deleted object (or the object with deletionTimestamp set when finalizers
  // remain). delete_options is a DeleteOptions JSON body or empty.
  Result<json::Document> Delete(const ResourceRef& ref, const std::string& ns,
                                const std::string& name, const std::string& delete_options = "");

  Transport* transport() const { return transport_.get(); }

 private:
  Result<json::Document> DoJson(const Request& req);
  std::shared_ptr<Transport> transport_;
};

}  // namespace cluster::client
