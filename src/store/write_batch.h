// A write group being evaluated on the writer thread: the committed keyspace seen through an
// overlay of staged changes, the events (one per written key) to persist and publish, and
// staged lease grants/revokes. Requests are evaluated in order, each seeing the ones before
// it; a request that fails leaves no trace (its staged changes are undone).
//
// Not thread-safe: owned by the writer thread. Reads the committed KeyMap without its lock,
// which is sound because only the writer thread ever modifies that map.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/keyspace.h"
#include "store/lease_table.h"
#include "store/store.h"

namespace cluster::store {

class WriteBatch {
 public:
  // A key's staged state: its new value, or nullopt once deleted, and the revision that did it.
  struct Staged {
    std::optional<KeyValue> kv;
    int64_t revision = 0;
  };
  using Overlay = std::map<std::string, Staged, std::less<>>;

  WriteBatch(const KeyMap& live, const LeaseTable& leases, int64_t committed_revision)
      : live_(live), leases_(leases), revision_(committed_revision) {}

  // Brackets each request: End(false) undoes everything the request staged.
  void BeginRequest();
  void EndRequest(bool keep);

  // The latest revision, including this group's staged writes.
  int64_t revision() const { return revision_; }
  bool HasChanges() const { return !events_.empty() || !lease_changes_.empty(); }

  // The value of `key` as of the staged state (nullptr when absent).
  const KeyValue* Find(std::string_view key) const;
  // Calls fn(const KeyValue&) for each live key in bounds, in key order, while fn is true.
  template <typename Fn>
  void ForEach(const KeyBounds& b, Fn&& fn) const;

  RangeResponse Range(const RangeRequest& req) const;
  Status Put(const PutRequest& req, PutResponse* out);
  Status Delete(const DeleteRequest& req, DeleteResponse* out);

  bool LeaseExists(int64_t id) const;
  Status LeaseGrant(int64_t id, int64_t ttl);
  // Deletes the keys attached to the lease (one revision when there are any) and the lease.
  Status LeaseRevoke(int64_t id);

  const std::vector<Event>& events() const { return events_; }
  const std::vector<LeaseChange>& lease_changes() const { return lease_changes_; }
  // For publishing after the commit, which consumes them.
  Overlay& overlay() { return overlay_; }
  std::vector<Event>& mutable_events() { return events_; }

 private:
  struct Undo {
    Overlay::iterator it;
    bool inserted;
    Staged prev;
  };
  // The current request's revision, allocated at its first write.
  int64_t WriteRevision();
  bool WrittenByThisRequest(std::string_view key) const;
  void Stage(const std::string& key, std::optional<KeyValue> kv, int64_t revision);
  void StageDelete(const KeyValue& kv, int64_t revision);

  const KeyMap& live_;
  const LeaseTable& leases_;
  int64_t revision_;
  Overlay overlay_;
  std::vector<Event> events_;
  std::vector<LeaseChange> lease_changes_;

  // Undo state of the current request.
  int64_t request_revision_ = 0;  // 0 until the request writes
  int64_t mark_revision_ = 0;
  size_t mark_events_ = 0;
  size_t mark_leases_ = 0;
  std::vector<Undo> undo_;
};

template <typename Fn>
void WriteBatch::ForEach(const KeyBounds& b, Fn&& fn) const {
  if (b.single) {
    if (const KeyValue* kv = Find(b.lo)) fn(*kv);
    return;
  }
  // Merge the committed map and the overlay; the overlay wins on equal keys.
  auto li = live_.lower_bound(b.lo);
  auto oi = overlay_.lower_bound(b.lo);
  while (true) {
    bool l_ok = li != live_.end() && !b.Past(li->first);
    bool o_ok = oi != overlay_.end() && !b.Past(oi->first);
    if (!l_ok && !o_ok) return;
    if (o_ok && (!l_ok || oi->first <= li->first)) {
      if (l_ok && li->first == oi->first) ++li;
      const Staged& s = oi->second;
      ++oi;
      if (s.kv && !fn(*s.kv)) return;
    } else {
      if (!fn(li->second)) return;
      ++li;
    }
  }
}

// Evaluates a transaction (compares, then the chosen branch's ops in order) on the batch.
Status ExecuteTxn(WriteBatch& batch, const TxnRequest& req, TxnResponse* out);

}  // namespace cluster::store
