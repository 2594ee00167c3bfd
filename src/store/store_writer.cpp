// The writer thread (group commit) and the maintenance thread of SqliteStore.
#include <exception>

#include "common/log.h"
#include "store/sqlite_store_impl.h"

namespace cluster::store {
namespace {

constexpr auto kMaintenanceTick = std::chrono::milliseconds(500);

Status StoreClosed() { return Unavailable("store is closed"); }

}  // namespace

Status SqliteStore::Submit(const WriteFn& fn) {
  Request r;
  r.write = &fn;
  return Enqueue(&r);
}

Status SqliteStore::SubmitExclusive(const LogFn& fn) {
  Request r;
  r.exclusive = &fn;
  return Enqueue(&r);
}

Status SqliteStore::Enqueue(Request* r) {
  {
    std::lock_guard<std::mutex> l(queue_mu_);
    if (stopping_) return StoreClosed();
    queue_.push_back(r);
    if (queue_.size() == 1) queue_cv_.notify_one();
  }
  while (sem_wait(&r->done) != 0) {
    // EINTR: keep waiting; the writer always posts
  }
  return r->status;
}

void SqliteStore::WriterLoop() {
  std::vector<Request*> drained;
  while (true) {
    {
      std::unique_lock<std::mutex> l(queue_mu_);
      queue_cv_.wait(l, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued request was served
      drained.swap(queue_);
    }
    // Consecutive ordinary writes form one group; exclusive work runs alone between groups.
    size_t i = 0;
    while (i < drained.size()) {
      if (drained[i]->exclusive) {
        RunExclusive(drained[i]);
        ++i;
        continue;
      }
      size_t j = i;
      while (j < drained.size() && !drained[j]->exclusive) ++j;
      RunGroup(drained.data() + i, drained.data() + j);
      i = j;
    }
    drained.clear();
  }
}

void SqliteStore::RunGroup(Request* const* begin, Request* const* end) {
  WriteBatch batch(live_, leases_, revision_.load());
  for (auto r = begin; r != end; ++r) {
    batch.BeginRequest();
    try {
      (*r)->status = (*(*r)->write)(batch);
    } catch (const std::exception& e) {
      (*r)->status = Internal(std::string("store write failed: ") + e.what());
    }
    batch.EndRequest((*r)->status.ok());
  }
  if (batch.HasChanges()) {
    Status st = log_->Commit(batch.events(), batch.lease_changes());
    if (!st.ok()) {
      // Nothing of the group becomes visible: the batch (overlay, revisions) is dropped.
      LOG_ERROR("store") << st.message() << "; refusing " << (end - begin) << " write(s)";
      for (auto r = begin; r != end; ++r) (*r)->status = st;
      Finish(begin, end);
      return;
    }
    Publish(batch);
  }
  Finish(begin, end);
}

void SqliteStore::RunExclusive(Request* r) {
  try {
    r->status = (*r->exclusive)(*log_);
  } catch (const std::exception& e) {
    r->status = Internal(std::string("store maintenance failed: ") + e.what());
  }
  Finish(&r, &r + 1);
}

void SqliteStore::Publish(WriteBatch& batch) {
  {
    std::unique_lock<std::shared_mutex> l(state_mu_);
    auto& overlay = batch.overlay();
    for (auto it = overlay.begin(); it != overlay.end();) {
      auto node = overlay.extract(it++);
      std::optional<KeyValue>& kv = node.mapped().kv;
      if (!kv) {
        live_.erase(node.key());
        continue;
      }
      auto pos = live_.lower_bound(node.key());
      if (pos != live_.end() && pos->first == node.key()) {
        pos->second = std::move(*kv);
      } else {
        live_.emplace_hint(pos, std::move(node.key()), std::move(*kv));
      }
    }
    revision_.store(batch.revision());
  }
  leases_.Apply(batch.lease_changes(), batch.events());
  std::vector<EventPtr> events;
  events.reserve(batch.events().size());
  for (Event& e : batch.mutable_events()) events.push_back(std::make_shared<const Event>(std::move(e)));
  hub_->Publish(std::move(events), batch.revision());
}

void SqliteStore::Finish(Request* const* begin, Request* const* end) {
  for (auto r = begin; r != end; ++r) sem_post(&(*r)->done);
}

void SqliteStore::MaintenanceLoop() {
  auto next_compact = std::chrono::steady_clock::now() + opts_.compact_interval;
  std::unique_lock<std::mutex> l(maint_mu_);
  while (!maint_cv_.wait_for(l, kMaintenanceTick, [this] { return maint_stop_; })) {
    l.unlock();
    try {
      auto now = std::chrono::steady_clock::now();
      ExpireLeases();
      int64_t rev = revision_.load();
      if (samples_.empty() || samples_.back().second != rev) samples_.emplace_back(now, rev);
      if (opts_.compact_window.count() > 0 && now >= next_compact) {
        next_compact = now + opts_.compact_interval;
        AutoCompact(now);
      }
    } catch (const std::exception& e) {
      LOG_ERROR("store") << "maintenance: " << e.what();
    }
    l.lock();
  }
}

void SqliteStore::ExpireLeases() {
  for (int64_t id : leases_.Expired(std::chrono::steady_clock::now())) {
    Status st = LeaseRevoke(id);
    if (st.ok()) {
      LOG_V(1, "store") << "lease " << id << " expired";
    } else if (st.code() != Code::kNotFound) {
      LOG_WARN("store") << "revoking expired lease " << id << ": " << st.message();
    }
  }
}

// Compacts to the newest revision that is both older than the window and at least
// compact_keep_revisions behind the current one.
void SqliteStore::AutoCompact(std::chrono::steady_clock::time_point now) {
  auto cutoff = now - opts_.compact_window;
  int64_t old_rev = 0;
  while (!samples_.empty() && samples_.front().first <= cutoff) {
    old_rev = samples_.front().second;
    samples_.pop_front();
  }
  if (old_rev == 0) return;
  samples_.emplace_front(cutoff, old_rev);  // still the revision current at the cutoff
  int64_t target = std::min(old_rev, revision_.load() - opts_.compact_keep_revisions);
  if (target <= compact_revision_.load()) return;
  Status st = Compact(target);
  if (st.ok()) {
    LOG_INFO("store") << "compacted history up to revision " << target;
  } else if (st.code() != Code::kGone) {
    LOG_WARN("store") << "automatic compaction to " << target << ": " << st.message();
  }
}

Status SqliteStore::Compact(int64_t revision) {
  if (closed_.load()) return StoreClosed();
  LogFn fn = [this, revision](KvLog&) { return CompactTo(revision); };
  return SubmitExclusive(fn);
}

// Runs on the writer thread, between groups.
Status SqliteStore::CompactTo(int64_t revision) {
  if (revision <= compact_revision_.load()) return CompactedError();
  if (revision > revision_.load()) {
    return BadRequest("mvcc: required revision is a future revision");
  }
  RETURN_IF_ERROR(log_->Compact(revision));
  compact_revision_.store(revision);
  Status st = log_->Checkpoint();
  if (!st.ok()) LOG_WARN("store") << "after compaction: " << st.message();
  return Status::Ok();
}

void SqliteStore::Start() {
  writer_ = std::thread([this] { WriterLoop(); });
  maintenance_ = std::thread([this] { MaintenanceLoop(); });
}

}  // namespace cluster::store
