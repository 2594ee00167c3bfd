// The one informer everything watches through (DESIGN.md): for one resource (optionally one
// namespace and label/field selectors) it lists, then watches from the list's resourceVersion,
// keeps a local cache with indexes, re-lists on 410 Gone, and calls event handlers.
//
// Cache objects are shared, immutable documents: a handler or a query may keep an ObjectPtr as
// long as it likes; a later event replaces the pointer in the cache, never the document.
//
// Handlers run on the informer's thread, one event at a time, in the order the cache changed.
// They must be quick (hand a key to a WorkQueue) and must not call Stop(). A re-list (first sync,
// or after 410 Gone or an error) emits the difference from the old cache: adds, updates for
// objects whose resourceVersion changed, deletes for objects that are gone.
//
// Thread safety: all methods may be called from any thread. Queries see a consistent cache.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "client/client.h"

namespace cluster::client {

using ObjectPtr = std::shared_ptr<const json::Document>;

struct EventHandler {
  std::function<void(const ObjectPtr& obj)> on_add;
  std::function<void(const ObjectPtr& old_obj, const ObjectPtr& new_obj)> on_update;
  // The object as last seen (from the DELETED event, or from the cache when a re-list finds it
  // gone).
  std::function<void(const ObjectPtr& obj)> on_delete;
};

// Index values of an object ("default", "app=web", an owner UID, ...). Must be pure.
using IndexFunc = std::function<std::vector<std::string>(const json::Value& obj)>;

// Built-in indexes.
inline constexpr const char* kIndexNamespace = "namespace";  // metadata.namespace
inline constexpr const char* kIndexLabel = "label";          // "key=value" per label
inline constexpr const char* kIndexOwner = "owner";          // metadata.ownerReferences[].uid

struct InformerOptions {
  ResourceRef resource;
  std::string ns;  // empty: all namespaces (or a cluster-scoped resource)
  std::string label_selector;
  std::string field_selector;
  int64_t page_size = 500;
  // PartialObjectMetadata only: cached objects have kind PartialObjectMetadata, apiVersion
  // meta.k8s.io/v1 and their metadata (see ListOptions::metadata_only).
  bool metadata_only = false;
  // Retry delays after errors: doubled per consecutive failure, capped.
  std::chrono::milliseconds min_backoff{200};
  std::chrono::milliseconds max_backoff{30000};
  // Each watch asks the server to end it after a random time in [watch_timeout, 2*watch_timeout)
  // (as client-go), so long-lived watches are renewed and spread out.
  std::chrono::seconds watch_timeout{300};
};

class Informer {
 public:
  Informer(Client client, InformerOptions opts);
  ~Informer();  // Stop()s
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // May be called at any time; when objects are cached already, the new handler first gets an
  // add for each of them (and nothing else interleaves). Returns an id for RemoveHandler.
  uint64_t AddHandler(EventHandler handler);
  // After it returns, the handler is not running and will not be called again (so its owner may
  // be destroyed). Must not be called from a handler.
  void RemoveHandler(uint64_t id);
  // Registers an index; existing objects are indexed at once. kAlreadyExists for a taken name.
  Status AddIndexer(const std::string& name, IndexFunc fn);

  // Starts the list/watch thread (once; later calls do nothing).
  void Start();
  // Stops the thread and waits for it. The cache stays readable.
  void Stop();

  // True once the first list has been applied to the cache.
  bool HasSynced() const;
  bool WaitForSync(std::chrono::steady_clock::time_point deadline) const;

  // Key "ns/name", or "name" for cluster-scoped objects.
  static std::string KeyOf(const json::Value& obj);
  ObjectPtr Get(const std::string& key) const;  // null when absent
  std::vector<ObjectPtr> List() const;
  std::vector<ObjectPtr> ByNamespace(const std::string& ns) const;
  // Objects whose index `name` yields `value`; empty for an unknown index.
  std::vector<ObjectPtr> ByIndex(const std::string& name, const std::string& value) const;
  // The resourceVersion the informer is current to (list, events and bookmarks).
  std::string LastResourceVersion() const;

  const InformerOptions& options() const { return opts_; }

 private:
  struct Change {
    ObjectPtr old_obj;  // null: added
    ObjectPtr new_obj;  // null: deleted
  };

  void Run();
  Status ListAndReplace();
  Result<std::unordered_map<std::string, ObjectPtr>> ListAll(std::string* resource_version);
  Status WatchOnce();
  Status ApplyEvent(WatchEvent* event);
  // Cache writes; return what changed. Caller holds dispatch_mu_.
  std::vector<Change> Replace(std::unordered_map<std::string, ObjectPtr> items,
                              const std::string& resource_version);
  Change Upsert(const std::string& key, ObjectPtr obj);
  Change Remove(const std::string& key, ObjectPtr last_seen);
  void IndexLocked(const std::string& key, const json::Value& obj, bool add);
  void Dispatch(const std::vector<Change>& changes);
  // Waits `d` or until Stop(); false when stopping.
  bool SleepFor(std::chrono::milliseconds d);
  bool stopping() const { return stopping_.load(); }

  Client client_;
  const InformerOptions opts_;

  // Held while the cache changes and its handlers run, so handlers see events in cache order
  // and AddHandler's replay cannot interleave with live events. Taken before cache_mu_.
  std::mutex dispatch_mu_;
  std::vector<std::pair<uint64_t, EventHandler>> handlers_;  // GUARDED_BY(dispatch_mu_)
  uint64_t next_handler_id_ = 1;                             // GUARDED_BY(dispatch_mu_)

  mutable std::shared_mutex cache_mu_;
  std::unordered_map<std::string, ObjectPtr> items_;  // GUARDED_BY(cache_mu_)
  std::map<std::string, IndexFunc> indexers_;         // GUARDED_BY(cache_mu_)
  // index name → value → keys
  std::map<std::string, std::unordered_map<std::string, std::set<std::string>>>
      indexes_;                   // GUARDED_BY(cache_mu_)
  std::string resource_version_;  // GUARDED_BY(cache_mu_)

  mutable std::mutex state_mu_;
  mutable std::condition_variable state_cv_;
  bool synced_ = false;           // GUARDED_BY(state_mu_)
  bool started_ = false;          // GUARDED_BY(state_mu_)
  WatchStream* watch_ = nullptr;  // GUARDED_BY(state_mu_): to cancel in Stop()
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Hands out one informer per (resource, namespace, selectors), so components share watches.
// Informers made after Start() are started at once. Thread-safe.
class SharedInformerFactory {
 public:
  explicit SharedInformerFactory(Client client) : client_(std::move(client)) {}
  ~SharedInformerFactory();  // Stop()s

  std::shared_ptr<Informer> For(const ResourceRef& resource, const std::string& ns = "",
                                const std::string& label_selector = "",
                                const std::string& field_selector = "");
  // Full options; page size and timings apply only when this call creates the informer.
  std::shared_ptr<Informer> For(const InformerOptions& opts);

  void Start();
  // True when every informer handed out so far has synced before the deadline.
  bool WaitForSync(std::chrono::steady_clock::time_point deadline) const;
  void Stop();

 private:
  Client client_;
  mutable std::mutex mu_;
  bool started_ = false;                                        // GUARDED_BY(mu_)
  std::map<std::string, std::shared_ptr<Informer>> informers_;  // GUARDED_BY(mu_)
};

}  // namespace cluster::client
