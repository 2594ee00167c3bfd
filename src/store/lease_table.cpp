#include "store/lease_table.h"

namespace cluster::store {

Status LeaseNotFound() { return NotFound("etcdserver: requested lease not found"); }

void LeaseTable::Load(const std::vector<std::pair<int64_t, int64_t>>& leases, const KeyMap& live) {
  std::lock_guard<std::mutex> l(mu_);
  auto now = Clock::now();
  for (const auto& [id, ttl] : leases) {
    Lease& lease = leases_[id];
    lease.ttl = ttl;
    lease.expiry = now + std::chrono::seconds(ttl);
  }
  for (const auto& [key, kv] : live) {
    if (kv.lease == 0) continue;
    auto it = leases_.find(kv.lease);
    if (it != leases_.end()) it->second.keys.insert(key);
  }
}

void LeaseTable::Apply(const std::vector<LeaseChange>& changes, const std::vector<Event>& events) {
  std::lock_guard<std::mutex> l(mu_);
  auto now = Clock::now();
  for (const LeaseChange& c : changes) {
    if (!c.grant) {
      leases_.erase(c.id);
      continue;
    }
    Lease& lease = leases_[c.id];
    lease.ttl = c.ttl;
    lease.expiry = now + std::chrono::seconds(c.ttl);
    lease.keys.clear();
  }
  for (const Event& e : events) {
    int64_t old_lease = e.prev_kv ? e.prev_kv->lease : 0;
    int64_t new_lease = e.type == Event::Type::kPut ? e.kv.lease : 0;
    if (old_lease == new_lease) continue;
    if (old_lease != 0) {
      auto it = leases_.find(old_lease);
      if (it != leases_.end()) it->second.keys.erase(e.kv.key);
    }
    if (new_lease != 0) {
      auto it = leases_.find(new_lease);
      if (it != leases_.end()) it->second.keys.insert(e.kv.key);
    }
  }
}

bool LeaseTable::Exists(int64_t id) const {
  std::lock_guard<std::mutex> l(mu_);
  return leases_.count(id) != 0;
}

std::vector<std::string> LeaseTable::Keys(int64_t id) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = leases_.find(id);
  if (it == leases_.end()) return {};
  return {it->second.keys.begin(), it->second.keys.end()};
}

Result<int64_t> LeaseTable::KeepAlive(int64_t id) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = leases_.find(id);
  if (it == leases_.end()) return LeaseNotFound();
  it->second.expiry = Clock::now() + std::chrono::seconds(it->second.ttl);
  return it->second.ttl;
}

LeaseInfo LeaseTable::InfoLocked(int64_t id, const Lease& lease, bool with_keys) const {
  LeaseInfo info;
  info.id = id;
  info.granted_ttl = lease.ttl;
  auto left = lease.expiry - Clock::now();
  if (left <= Clock::duration::zero()) {
    info.ttl = -1;
  } else {
    // Round up, so a lease just renewed reports its full ttl.
    info.ttl = std::chrono::ceil<std::chrono::seconds>(left).count();
  }
  if (with_keys) info.keys.assign(lease.keys.begin(), lease.keys.end());
  return info;
}

Result<LeaseInfo> LeaseTable::Info(int64_t id, bool with_keys) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = leases_.find(id);
  if (it == leases_.end()) return LeaseNotFound();
  return InfoLocked(id, it->second, with_keys);
}

std::vector<LeaseInfo> LeaseTable::List() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<LeaseInfo> out;
  out.reserve(leases_.size());
  for (const auto& [id, lease] : leases_) out.push_back(InfoLocked(id, lease, false));
  return out;
}

std::vector<int64_t> LeaseTable::Expired(Clock::time_point now) const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<int64_t> out;
  for (const auto& [id, lease] : leases_) {
    if (lease.expiry <= now) out.push_back(id);
  }
  return out;
}

}  // namespace cluster::store
