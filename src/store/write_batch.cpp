#include "store/write_batch.h"

#include <algorithm>

namespace cluster::store {
namespace {

Status DuplicateKey() { return BadRequest("etcdserver: duplicate key given in txn request"); }

}  // namespace

void WriteBatch::BeginRequest() {
  request_revision_ = 0;
  mark_revision_ = revision_;
  mark_events_ = events_.size();
  mark_leases_ = lease_changes_.size();
  undo_.clear();
}

void WriteBatch::EndRequest(bool keep) {
  if (!keep) {
    for (auto u = undo_.rbegin(); u != undo_.rend(); ++u) {
      if (u->inserted) {
        overlay_.erase(u->it);
      } else {
        u->it->second = std::move(u->prev);
      }
    }
    revision_ = mark_revision_;
    events_.resize(mark_events_);
    lease_changes_.resize(mark_leases_);
  }
  undo_.clear();
  request_revision_ = 0;
}

int64_t WriteBatch::WriteRevision() {
  if (request_revision_ == 0) request_revision_ = ++revision_;
  return request_revision_;
}

bool WriteBatch::WrittenByThisRequest(std::string_view key) const {
  if (request_revision_ == 0) return false;
  auto it = overlay_.find(key);
  return it != overlay_.end() && it->second.revision == request_revision_;
}

const KeyValue* WriteBatch::Find(std::string_view key) const {
  auto oi = overlay_.find(key);
  if (oi != overlay_.end()) return oi->second.kv ? &*oi->second.kv : nullptr;
  auto li = live_.find(key);
  return li != live_.end() ? &li->second : nullptr;
}

void WriteBatch::Stage(const std::string& key, std::optional<KeyValue> kv, int64_t revision) {
  auto it = overlay_.lower_bound(key);
  bool inserted = it == overlay_.end() || it->first != key;
  if (inserted) {
    it = overlay_.emplace_hint(it, key, Staged{});
    undo_.push_back(Undo{it, true, Staged{}});
  } else {
    undo_.push_back(Undo{it, false, std::move(it->second)});
  }
  it->second.kv = std::move(kv);
  it->second.revision = revision;
}

RangeResponse WriteBatch::Range(const RangeRequest& req) const {
  return RangeOver(*this, req, revision_);
}

Status WriteBatch::Put(const PutRequest& req, PutResponse* out) {
  if (req.key.empty()) return BadRequest("etcdserver: key is not provided");
  if (WrittenByThisRequest(req.key)) return DuplicateKey();
  const KeyValue* cur = Find(req.key);
  if ((req.ignore_value || req.ignore_lease) && !cur) {
    return NotFound("etcdserver: key not found");
  }
  int64_t lease = req.ignore_lease ? cur->lease : req.lease;
  if (lease != 0 && !LeaseExists(lease)) return LeaseNotFound();

  int64_t rev = WriteRevision();
  Event ev;
  ev.type = Event::Type::kPut;
  ev.kv.key = req.key;
  ev.kv.value = req.ignore_value ? cur->value : req.value;
  ev.kv.create_revision = cur ? cur->create_revision : rev;
  ev.kv.mod_revision = rev;
  ev.kv.version = cur ? cur->version + 1 : 1;
  ev.kv.lease = lease;
  if (cur) ev.prev_kv = *cur;
  if (out) {
    out->revision = rev;
    if (req.prev_kv && cur) out->prev_kv = *cur;
  }
  KeyValue staged = ev.kv;
  events_.push_back(std::move(ev));
  Stage(req.key, std::move(staged), rev);
  return Status::Ok();
}

void WriteBatch::StageDelete(const KeyValue& kv, int64_t rev) {
  Event ev;
  ev.type = Event::Type::kDelete;
  ev.kv.key = kv.key;
  ev.kv.mod_revision = rev;
  ev.prev_kv = kv;
  events_.push_back(std::move(ev));
  Stage(kv.key, std::nullopt, rev);
}

Status WriteBatch::Delete(const DeleteRequest& req, DeleteResponse* out) {
  if (req.key.empty()) return BadRequest("etcdserver: key is not provided");
  std::vector<KeyValue> doomed;
  ForEach(KeyBounds::Of(req.key, req.range_end), [&](const KeyValue& kv) {
    doomed.push_back(kv);
    return true;
  });
  for (const KeyValue& kv : doomed) {
    if (WrittenByThisRequest(kv.key)) return DuplicateKey();
  }
  out->revision = revision_;
  out->deleted = static_cast<int64_t>(doomed.size());
  if (doomed.empty()) return Status::Ok();  // nothing changes: no new revision
  int64_t rev = WriteRevision();
  out->revision = rev;
  for (const KeyValue& kv : doomed) StageDelete(kv, rev);
  if (req.prev_kv) out->prev_kvs = std::move(doomed);
  return Status::Ok();
}

bool WriteBatch::LeaseExists(int64_t id) const {
  for (auto c = lease_changes_.rbegin(); c != lease_changes_.rend(); ++c) {
    if (c->id == id) return c->grant;
  }
  return leases_.Exists(id);
}

Status WriteBatch::LeaseGrant(int64_t id, int64_t ttl) {
  if (LeaseExists(id)) return AlreadyExists("etcdserver: lease already exists");
  lease_changes_.push_back(LeaseChange{id, ttl, true});
  return Status::Ok();
}

Status WriteBatch::LeaseRevoke(int64_t id) {
  if (!LeaseExists(id)) return LeaseNotFound();
  // Candidates: keys attached at the last commit, plus keys this group attached since.
  std::vector<std::string> keys = leases_.Keys(id);
  for (const auto& [key, staged] : overlay_) {
    if (staged.kv && staged.kv->lease == id) keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::vector<KeyValue> doomed;
  for (const std::string& key : keys) {
    const KeyValue* kv = Find(key);
    if (kv && kv->lease == id) doomed.push_back(*kv);
  }
  if (!doomed.empty()) {
    int64_t rev = WriteRevision();
    for (const KeyValue& kv : doomed) StageDelete(kv, rev);
  }
  lease_changes_.push_back(LeaseChange{id, 0, false});
  return Status::Ok();
}

}  // namespace cluster::store
