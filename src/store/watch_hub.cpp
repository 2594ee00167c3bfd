#include "store/watch_hub.h"

#include <algorithm>
#include <condition_variable>
#include <string>

namespace cluster::store {

// One watch's state, shared by the hub (producer) and its stream (consumer).
struct Watcher {
  Watcher(const WatchRequest& req, size_t cap)
      : key(req.key), range_end(req.range_end), prev_kv(req.prev_kv), capacity(cap) {
    bounds = KeyBounds::Of(key, range_end);  // views key/range_end: Watcher never moves
  }
  bool Wants(const Event& e) const {
    return e.kv.mod_revision >= start && bounds.Contains(e.kv.key);
  }
  // Ends the watch (first reason wins) and drops what it had not delivered.
  void End(Status why) {
    std::lock_guard<std::mutex> l(mu);
    if (ended) return;
    ended = true;
    status = std::move(why);
    pending.clear();
    cv.notify_all();
  }

  const std::string key, range_end;
  KeyBounds bounds;
  const bool prev_kv;
  const size_t capacity;
  int64_t start = 0;  // first revision wanted; set before the watcher is shared

  mutable std::mutex mu;
  std::condition_variable cv;
  std::deque<EventPtr> pending;  // guarded by mu
  int64_t disk_next = 1;         // guarded by mu; history [disk_next, disk_end] still unread
  int64_t disk_end = 0;          // guarded by mu
  int64_t known = 0;             // guarded by mu; last revision published to this watcher
  int64_t progress = 0;          // guarded by mu; revision delivered up to
  bool ended = false;            // guarded by mu
  Status status;                 // guarded by mu
};

namespace {

constexpr int64_t kDiskChunkRevisions = 1000;

Event Deliverable(const Event& e, bool with_prev) {
  Event out;
  out.type = e.type;
  out.kv = e.kv;
  if (with_prev) out.prev_kv = e.prev_kv;
  return out;
}

class HubStream : public WatchStream {
 public:
  HubStream(std::shared_ptr<WatchHub> hub, std::shared_ptr<Watcher> w,
            std::shared_ptr<HistoryReader> history)
      : hub_(std::move(hub)), w_(std::move(w)), history_(std::move(history)) {}
  ~HubStream() override { Cancel(); }

  bool Next(std::vector<Event>* out, std::chrono::milliseconds timeout) override;
  Status status() const override {
    std::lock_guard<std::mutex> l(w_->mu);
    return w_->status;
  }
  int64_t ProgressRevision() const override {
    std::lock_guard<std::mutex> l(w_->mu);
    return w_->progress;
  }
  void Cancel() override {
    w_->End(Status::Ok());
    if (hub_) hub_->Remove(w_.get());
  }

 private:
  // Reads the next window of history; false when the stream ended on an error.
  bool ReadDiskChunk(std::unique_lock<std::mutex>& l, std::vector<Event>* out);

  std::shared_ptr<WatchHub> hub_;
  std::shared_ptr<Watcher> w_;
  std::shared_ptr<HistoryReader> history_;
};

bool HubStream::ReadDiskChunk(std::unique_lock<std::mutex>& l, std::vector<Event>* out) {
  int64_t from = w_->disk_next;
  int64_t to = std::min(w_->disk_end, from + kDiskChunkRevisions - 1);
  l.unlock();
  std::vector<Event> events;
  Status st = history_->Events(from, to, w_->bounds, &events);
  l.lock();
  if (!st.ok()) {
    l.unlock();
    w_->End(st);
    l.lock();
    return false;
  }
  if (w_->ended) return false;
  w_->disk_next = to + 1;
  w_->progress = to;
  for (Event& e : events) {
    if (!w_->prev_kv) e.prev_kv.reset();
    out->push_back(std::move(e));
  }
  return true;
}

bool HubStream::Next(std::vector<Event>* out, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> l(w_->mu);
  while (true) {
    if (w_->ended) return false;
    if (w_->disk_next <= w_->disk_end) {
      size_t before = out->size();
      if (!ReadDiskChunk(l, out)) return false;
      if (out->size() > before) return true;
      continue;
    }
    if (!w_->pending.empty()) {
      for (const EventPtr& e : w_->pending) out->push_back(Deliverable(*e, w_->prev_kv));
      w_->pending.clear();
      w_->progress = w_->known;
      return true;
    }
    w_->progress = w_->known;
    if (w_->cv.wait_until(l, deadline) == std::cv_status::timeout) {
      if (w_->ended) return false;
      if (w_->pending.empty()) return true;
    }
  }
}

}  // namespace

WatchHub::WatchHub(size_t ring_capacity, size_t watch_buffer, int64_t revision,
                   std::shared_ptr<HistoryReader> history)
    : ring_capacity_(ring_capacity),
      watch_buffer_(watch_buffer),
      history_(std::move(history)),
      ring_first_(revision + 1),
      published_(revision) {}

void WatchHub::Publish(std::vector<EventPtr> events, int64_t revision) {
  std::lock_guard<std::mutex> l(mu_);
  for (EventPtr& e : events) ring_.push_back(e);
  // Evict whole revisions, so the ring always holds every event of the revisions it covers.
  while (ring_.size() > ring_capacity_ && !ring_.empty()) {
    int64_t rev = ring_.front()->kv.mod_revision;
    while (!ring_.empty() && ring_.front()->kv.mod_revision == rev) ring_.pop_front();
    ring_first_ = rev + 1;
  }
  published_ = revision;
  auto dropped = std::remove_if(watchers_.begin(), watchers_.end(), [&](const auto& w) {
    std::lock_guard<std::mutex> wl(w->mu);
    if (w->ended) return true;
    size_t before = w->pending.size();
    for (const EventPtr& e : events) {
      if (w->Wants(*e)) w->pending.push_back(e);
    }
    w->known = revision;
    if (w->pending.size() > w->capacity) {
      w->ended = true;
      w->status = Status(Code::kTooManyRequests, "watcher fell too far behind and was dropped");
      w->pending.clear();
      w->cv.notify_all();
      return true;
    }
    if (w->pending.size() > before) w->cv.notify_all();
    return false;
  });
  watchers_.erase(dropped, watchers_.end());
}

void WatchHub::FillFromRing(Watcher* w, int64_t start) {
  auto first = std::lower_bound(ring_.begin(), ring_.end(), start,
                                [](const EventPtr& e, int64_t rev) { return e->kv.mod_revision < rev; });
  for (auto it = first; it != ring_.end(); ++it) {
    if (w->Wants(**it)) w->pending.push_back(*it);
  }
}

std::unique_ptr<WatchStream> WatchHub::Watch(const WatchRequest& req, int64_t compact_revision) {
  auto w = std::make_shared<Watcher>(req, watch_buffer_);
  auto stream = std::make_unique<HubStream>(shared_from_this(), w, history_);
  if (req.start_revision > 0 && req.start_revision <= compact_revision) {
    w->End(CompactedError());
    return stream;
  }
  std::lock_guard<std::mutex> l(mu_);
  if (!closed_.ok()) {
    w->End(closed_);
    return stream;
  }
  std::lock_guard<std::mutex> wl(w->mu);
  w->start = req.start_revision > 0 ? req.start_revision : published_ + 1;
  w->known = published_;
  w->progress = std::min(w->start - 1, published_);
  if (w->start <= published_) {
    if (w->start >= ring_first_) {
      FillFromRing(w.get(), w->start);
    } else {
      w->disk_next = w->start;
      w->disk_end = published_;
    }
  }
  watchers_.push_back(w);
  return stream;
}

void WatchHub::CloseAll(const Status& why) {
  std::vector<std::shared_ptr<Watcher>> all;
  {
    std::lock_guard<std::mutex> l(mu_);
    closed_ = why;
    all.swap(watchers_);
  }
  for (auto& w : all) w->End(why);
}

void WatchHub::Remove(const Watcher* w) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = std::find_if(watchers_.begin(), watchers_.end(),
                         [&](const auto& p) { return p.get() == w; });
  if (it != watchers_.end()) watchers_.erase(it);
}

}  // namespace cluster::store
