// A rate-limited work queue of string keys ("ns/name"), as client-go's workqueue: controllers'
// informer handlers Add keys, worker threads Get, reconcile and call Done, and on failure
// AddRateLimited to retry with per-key exponential backoff.
//
// Guarantees:
//  - A key is queued at most once however often it is added before a worker takes it.
//  - A key is never processed by two workers at once: adding a key that is being processed marks
//    it dirty and it is queued again only when the worker calls Done.
//  - AddAfter/AddRateLimited keep the earliest of several pending delays for one key.
//  - After ShutDown, adds are ignored, delayed keys are dropped, and Get returns false once the
//    queue is drained (workers finish what is queued, then exit).
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace cluster::client {

struct RateLimiterOptions {
  // Per-key exponential backoff: base_delay * 2^failures, capped at max_delay.
  std::chrono::milliseconds base_delay{5};
  std::chrono::milliseconds max_delay{1000 * 1000};
  // Overall token bucket shared by all keys.
  double qps = 10;
  int burst = 100;
};

// client-go's DefaultControllerRateLimiter: the larger of a per-key exponential backoff and an
// overall token bucket. Thread-safe.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateLimiter(RateLimiterOptions opts = {});
  // Records a failure of `key` and returns how long to wait before retrying it.
  std::chrono::nanoseconds When(const std::string& key);
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;

 private:
  RateLimiterOptions opts_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, int> failures_;  // GUARDED_BY(mu_)
  double tokens_;                                  // GUARDED_BY(mu_); negative: reserved ahead
  Clock::time_point last_refill_;                  // GUARDED_BY(mu_)
};

class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;
  explicit WorkQueue(RateLimiterOptions opts = {});
  ~WorkQueue();

  void Add(const std::string& key);
  // Adds `key` once `delay` has passed (at once when delay <= 0).
  void AddAfter(const std::string& key, std::chrono::nanoseconds delay);
  // AddAfter with the rate limiter's delay for this key (which counts as one more failure).
  void AddRateLimited(const std::string& key);
  // Clears the key's failure count (call after a successful reconcile).
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;

  // Waits up to `timeout` for a key. Returns false on timeout, or when shut down and drained
  // (ShuttingDown() tells which). The caller must call Done(*key) when finished with it.
  bool Get(std::string* key, std::chrono::milliseconds timeout);
  void Done(const std::string& key);

  void ShutDown();
  bool ShuttingDown() const;
  // Keys ready to be handed out (not counting delayed or in-process ones).
  size_t Len() const;

 private:
  void AddLocked(const std::string& key);
  // Moves delayed keys whose time has come into the queue; returns the next due time (or max).
  Clock::time_point PromoteDueLocked(Clock::time_point now);

  RateLimiter limiter_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;                          // GUARDED_BY(mu_)
  std::unordered_set<std::string> dirty_;                  // GUARDED_BY(mu_) queued or re-added
  std::unordered_set<std::string> processing_;             // GUARDED_BY(mu_)
  std::multimap<Clock::time_point, std::string> delayed_;  // GUARDED_BY(mu_)
  std::unordered_map<std::string, Clock::time_point> delayed_at_;  // GUARDED_BY(mu_)
  bool shutting_down_ = false;                                     // GUARDED_BY(mu_)
};

}  // namespace cluster::client
