// The in-memory side of leases: TTLs, expiry deadlines and the keys attached to each lease.
// Grants and revokes are decided on the writer thread (they are persisted in the `leases`
// table with the write group that made them) and applied here after the group commits.
// Expiry deadlines are not persisted: after a restart every lease expires at now + ttl, as
// etcd does. Thread-safe: every member is guarded by mu_.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/keyspace.h"
#include "store/store.h"

namespace cluster::store {

// A lease grant (ttl > 0) or revoke staged by a write group.
struct LeaseChange {
  int64_t id = 0;
  int64_t ttl = 0;
  bool grant = false;
};

class LeaseTable {
 public:
  using Clock = std::chrono::steady_clock;

  // Loads persisted leases (id, ttl) and attaches the live keys that name them.
  void Load(const std::vector<std::pair<int64_t, int64_t>>& leases, const KeyMap& live);
  // Applies a committed group: lease changes in order, then key attachments from its events.
  void Apply(const std::vector<LeaseChange>& changes, const std::vector<Event>& events);

  bool Exists(int64_t id) const;
  // Keys attached to the lease (empty when unknown).
  std::vector<std::string> Keys(int64_t id) const;
  // Resets the expiry to now + ttl; returns the ttl. kNotFound when absent.
  Result<int64_t> KeepAlive(int64_t id);
  Result<LeaseInfo> Info(int64_t id, bool with_keys) const;
  std::vector<LeaseInfo> List() const;
  // Leases whose deadline has passed.
  std::vector<int64_t> Expired(Clock::time_point now) const;

 private:
  struct Lease {
    int64_t ttl = 0;
    Clock::time_point expiry;
    std::set<std::string> keys;
  };
  LeaseInfo InfoLocked(int64_t id, const Lease& l, bool with_keys) const;

  mutable std::mutex mu_;
  std::map<int64_t, Lease> leases_;  // guarded by mu_
};

Status LeaseNotFound();

}  // namespace cluster::store
