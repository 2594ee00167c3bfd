// Watch fan-out. The writer thread publishes each committed group's events here, in revision
// order; the hub keeps a ring of recent events for resumes and pushes matching events into
// each watcher's bounded buffer. Publishing never blocks on a watcher: one whose buffer would
// overflow is dropped (its stream ends with kTooManyRequests).
//
// A watch starting in the past is registered under mu_ together with the revision published
// so far (R): events after R arrive live, events up to R come from the ring when it still
// holds them (copied under the same lock), otherwise from disk, read lazily by the stream's
// own thread in Next(). So there are no gaps and no duplicates.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "store/history.h"
#include "store/store.h"

namespace cluster::store {

using EventPtr = std::shared_ptr<const Event>;
struct Watcher;

class WatchHub : public std::enable_shared_from_this<WatchHub> {
 public:
  WatchHub(size_t ring_capacity, size_t watch_buffer, int64_t revision,
           std::shared_ptr<HistoryReader> history);

  // Called by the writer thread after a group committed at `revision`.
  void Publish(std::vector<EventPtr> events, int64_t revision);
  // Starts a watch; `compact_revision` is the store's at the time of the call.
  std::unique_ptr<WatchStream> Watch(const WatchRequest& req, int64_t compact_revision);
  // Ends every watch with `why`; later watches end at once with it too.
  void CloseAll(const Status& why);
  void Remove(const Watcher* w);

 private:
  void FillFromRing(Watcher* w, int64_t start);

  const size_t ring_capacity_;
  const size_t watch_buffer_;
  const std::shared_ptr<HistoryReader> history_;

  std::mutex mu_;
  std::deque<EventPtr> ring_;  // guarded by mu_; in revision order
  int64_t ring_first_;         // guarded by mu_; ring_ holds every event in [ring_first_, published_]
  int64_t published_;          // guarded by mu_
  std::vector<std::shared_ptr<Watcher>> watchers_;  // guarded by mu_
  Status closed_;              // guarded by mu_; not ok once closed
};

}  // namespace cluster::store
