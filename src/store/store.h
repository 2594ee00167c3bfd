// The key-value store contract: an etcd-like, revisioned, watchable KV space.
//
// Every write (put, delete, txn with writes, lease expiry) is assigned the next store revision
// (int64, starting at 1). A key's mod_revision is the revision of its last write;
// create_revision the revision that created it; version counts writes since creation.
// A write returns only after it is durable: a crash at any point loses no acknowledged write.
//
// Thread safety: a Store is safe for concurrent use from any number of threads without
// external synchronization. WatchStreams are owned by their caller and used by one thread.
//
// Errors: kNotFound (absent key where one was required), kAlreadyExists (Create on a live key),
// kConflict (compare-and-swap lost), kGone (revision compacted), kInvalid/kBadRequest (bad
// arguments), kUnavailable (store closed or a disk failure refused the write).
//
// Nothing outside src/store knows which backend implements this: use OpenStore(url).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"

namespace cluster::store {

struct KeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;
  int64_t mod_revision = 0;
  int64_t version = 0;
  int64_t lease = 0;
};

// The smallest key greater than every key with this prefix ("" when none: whole keyspace).
std::string PrefixEnd(const std::string& prefix);

// A key range as etcd defines it: [key, range_end); empty range_end means the single key;
// range_end "\0" means every key >= key.
struct RangeRequest {
  std::string key;
  std::string range_end;
  int64_t limit = 0;       // 0 = no limit
  int64_t revision = 0;    // 0 = latest; otherwise read as of that revision
  bool keys_only = false;  // values left empty
  bool count_only = false; // kvs left empty, count filled
};

struct RangeResponse {
  int64_t revision = 0;  // store revision the read was served at
  std::vector<KeyValue> kvs;
  bool more = false;  // more keys in range beyond limit
  int64_t count = 0;  // number of keys in range (ignores limit)
};

struct PutRequest {
  std::string key;
  std::string value;
  int64_t lease = 0;
  bool prev_kv = false;
  bool ignore_value = false;  // keep the current value, update only the lease
  bool ignore_lease = false;  // keep the current lease
};

struct PutResponse {
  int64_t revision = 0;
  std::optional<KeyValue> prev_kv;
};

struct DeleteRequest {
  std::string key;
  std::string range_end;
  bool prev_kv = false;
};

struct DeleteResponse {
  int64_t revision = 0;
  int64_t deleted = 0;
  std::vector<KeyValue> prev_kvs;
};

struct Compare {
  enum class Target { kVersion, kCreate, kMod, kValue, kLease };
  enum class Op { kEqual, kGreater, kLess, kNotEqual };
  std::string key;
  std::string range_end;  // compare every key in range (all must hold)
  Target target = Target::kMod;
  Op op = Op::kEqual;
  int64_t number = 0;  // for version/create/mod/lease
  std::string value;   // for kValue
};

struct TxnRequest;
struct TxnResponse;
using RequestOp = std::variant<RangeRequest, PutRequest, DeleteRequest, std::shared_ptr<TxnRequest>>;
using ResponseOp =
    std::variant<RangeResponse, PutResponse, DeleteResponse, std::shared_ptr<TxnResponse>>;

struct TxnRequest {
  std::vector<Compare> compare;
  std::vector<RequestOp> success;
  std::vector<RequestOp> failure;
};

struct TxnResponse {
  int64_t revision = 0;
  bool succeeded = false;
  std::vector<ResponseOp> responses;
};

struct Event {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  KeyValue kv;  // for deletes: key, mod_revision = the delete's revision, empty value
  std::optional<KeyValue> prev_kv;  // the value before this write, when there was one
};

struct WatchRequest {
  std::string key;
  std::string range_end;
  int64_t start_revision = 0;  // 0 = only events after the current revision
  bool prev_kv = false;
};

// A live watch. Events arrive in revision order with no gaps for the watched range.
class WatchStream {
 public:
  virtual ~WatchStream() = default;
  // Waits up to `timeout` for events. Returns true with events appended to *out (possibly
  // none when the timeout passed), or false once the stream has ended: then status() says
  // why (kGone: start revision compacted; kTooManyRequests: the watcher fell too far behind
  // and was dropped; kUnavailable: store closed; ok: cancelled).
  virtual bool Next(std::vector<Event>* out, std::chrono::milliseconds timeout) = 0;
  virtual Status status() const = 0;
  // The store revision the stream is known to be current to (for progress/bookmarks).
  virtual int64_t ProgressRevision() const = 0;
  // Ends the stream; further Next() calls return false. Safe from any thread.
  virtual void Cancel() = 0;
};

struct LeaseInfo {
  int64_t id = 0;
  int64_t granted_ttl = 0;
  int64_t ttl = 0;  // remaining seconds; -1 when expired or unknown
  std::vector<std::string> keys;
};

struct StoreStatus {
  int64_t revision = 0;
  int64_t compact_revision = 0;
  int64_t db_size = 0;        // bytes on disk (database + WAL)
  int64_t db_size_in_use = 0; // bytes holding live pages
  int64_t keys = 0;           // live keys
};

struct StoreOptions {
  // History kept by automatic compaction: revisions younger than keep_window and the newest
  // keep_revisions revisions are kept. A zero window disables automatic compaction.
  std::chrono::seconds compact_window{300};
  int64_t compact_keep_revisions = 1000;
  std::chrono::seconds compact_interval{60};
  // Events a watcher may have pending before it is dropped.
  size_t watch_buffer = 10000;
  // Recent events kept in memory to serve watch resumes without reading the disk.
  size_t event_ring = 20000;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual Result<RangeResponse> Range(const RangeRequest& req) = 0;
  virtual Result<PutResponse> Put(const PutRequest& req) = 0;
  virtual Result<DeleteResponse> Delete(const DeleteRequest& req) = 0;
  virtual Result<TxnResponse> Txn(const TxnRequest& req) = 0;

  // Conveniences over Txn for the apiserver's shapes.
  // Get: kNotFound when absent.
  virtual Result<KeyValue> Get(const std::string& key, int64_t revision = 0) = 0;
  // Create: fails with kAlreadyExists when the key is live. Returns the new revision.
  virtual Result<int64_t> Create(const std::string& key, const std::string& value,
                                 int64_t lease = 0) = 0;
  // Update: compare-and-swap on mod_revision (0 = unconditional). kNotFound when absent,
  // kConflict when the key's mod_revision differs. Returns the new revision.
  virtual Result<int64_t> Update(const std::string& key, const std::string& value,
                                 int64_t expected_mod_revision, int64_t lease = 0) = 0;
  // DeleteKey: kNotFound when absent, kConflict on a differing expected mod_revision (0 =
  // unconditional). Returns the deleted value with the delete's revision as mod_revision.
  virtual Result<KeyValue> DeleteKey(const std::string& key,
                                     int64_t expected_mod_revision = 0) = 0;

  virtual Result<std::unique_ptr<WatchStream>> Watch(const WatchRequest& req) = 0;

  // Drops history at and below `revision` (kept: each key's value as of that revision).
  virtual Status Compact(int64_t revision) = 0;

  virtual Result<int64_t> LeaseGrant(int64_t ttl_seconds, int64_t id = 0) = 0;
  virtual Status LeaseRevoke(int64_t id) = 0;
  virtual Result<int64_t> LeaseKeepAlive(int64_t id) = 0;  // returns the TTL
  virtual Result<LeaseInfo> LeaseTimeToLive(int64_t id, bool keys) = 0;
  virtual std::vector<LeaseInfo> Leases() = 0;

  virtual int64_t CurrentRevision() const = 0;
  virtual int64_t CompactRevision() const = 0;
  virtual StoreStatus GetStatus() = 0;

  // Stops background work and ends every watch. Idempotent.
  virtual void Close() = 0;
};

// Opens the backend named by the URL scheme ("sqlite:///abs/path/state.db", "sqlite://rel.db").
// kBadRequest for an unknown scheme; kInternal with the reason for a corrupt or unreadable
// database (never silently drops data).
Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const StoreOptions& opts = {});

}  // namespace cluster::store
