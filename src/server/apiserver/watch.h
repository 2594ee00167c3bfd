// Watches of the REST engine: a store watch on a resource's key prefix turned into
// newline-delimited watch events ({"type":"ADDED","object":{...}}) as kube-apiserver streams
// them, with label/field selector filtering (objects leaving the selection are sent as
// DELETED, entering ones as ADDED), bookmarks, Table rows when asked, and timeouts.
//
// WatchRegistry tracks live watches so shutdown can end them. Thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "common/json.h"
#include "server/apiserver/types.h"
#include "store/store.h"

namespace cluster::server {

struct WatchOptions {
  // Encodes one object for the wire (JSON object, Table row or enveloped protobuf); empty
  // string: skip.
  std::function<std::string(const json::Value& obj)> encode;
  // Events are protobuf WatchEvent frames (media.h) instead of JSON lines.
  bool protobuf = false;
  // Whether an object is selected by the request's label/field selectors.
  std::function<bool(const json::Value& obj)> selected;
  // Stored shape → API shape (events.k8s.io), when they differ.
  std::function<void(json::Document& obj)> from_storage;
  std::deque<std::string> initial;  // chunks sent before live events (ADDED for RV=0)
  bool bookmarks = false;
  std::string bookmark_kind;         // "Pod"
  std::string bookmark_api_version;  // "v1"
  std::chrono::steady_clock::time_point deadline;
  std::chrono::seconds bookmark_interval{15};
  // Identifies `encode` (API group-version, JSON or Table, includeObject) so that watches with
  // the same encoding share one encoded event; empty: no sharing.
  std::string encode_tag;
};

class WatchRegistry;

class ApiWatch : public ResponseStream {
 public:
  ApiWatch(std::unique_ptr<store::WatchStream> stream, WatchOptions opts, WatchRegistry* reg);
  ~ApiWatch() override;
  bool Next(std::string* chunk, std::chrono::milliseconds timeout) override;
  void Cancel() override;

 private:
  void Convert(const store::Event& ev);
  std::string Bookmark(int64_t rev) const;

  std::unique_ptr<store::WatchStream> stream_;
  WatchOptions opts_;
  WatchRegistry* registry_;
  std::deque<std::string> pending_;
  bool ended_ = false;
  std::chrono::steady_clock::time_point last_sent_;
};

class WatchRegistry {
 public:
  void Add(ApiWatch* w);
  void Remove(ApiWatch* w);
  void CancelAll();
  size_t Count() const;

  // Every watch sees the same store events; these share the work between them: one parse per
  // stored value (as stored, before from_storage) and one encoding per (event, encoding).
  // Null when the value does not decode.
  std::shared_ptr<const json::Document> Decoded(const store::KeyValue& kv, int64_t rev);
  std::shared_ptr<const std::string> Encoded(const std::string& key,
                                             const std::function<std::string()>& make);

 private:
  mutable std::mutex mu_;
  std::set<ApiWatch*> live_;  // guarded by mu_

  // Small FIFO caches of recent events (the fan-out of one event happens within moments).
  static constexpr size_t kCacheEntries = 1024;
  std::mutex cache_mu_;
  std::map<std::string, std::shared_ptr<const json::Document>> decoded_;  // guarded by cache_mu_
  std::deque<std::string> decoded_order_;                                 // guarded by cache_mu_
  std::map<std::string, std::shared_ptr<const std::string>> encoded_;     // guarded by cache_mu_
  std::deque<std::string> encoded_order_;                                 // guarded by cache_mu_
};

// The ERROR event kube-apiserver sends for a resourceVersion older than the compacted one.
std::string GoneEvent(bool protobuf, const std::string& message);

}  // namespace cluster::server
