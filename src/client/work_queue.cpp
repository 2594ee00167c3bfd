#include "client/work_queue.h"

#include <algorithm>
#include <cmath>

namespace cluster::client {

RateLimiter::RateLimiter(RateLimiterOptions opts)
    : opts_(opts), tokens_(opts.burst), last_refill_(Clock::now()) {}

std::chrono::nanoseconds RateLimiter::When(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  int failures = failures_[key]++;
  // 2^failures overflows quickly; past 2^40 the cap has long been reached.
  double backoff_ns =
      std::chrono::nanoseconds(opts_.base_delay).count() * std::pow(2.0, std::min(failures, 40));
  double max_ns = static_cast<double>(std::chrono::nanoseconds(opts_.max_delay).count());
  backoff_ns = std::min(backoff_ns, max_ns);

  // Token bucket as golang.org/x/time/rate's Reserve: take a token now, possibly going into
  // debt; the debt says how long this caller must wait.
  auto now = Clock::now();
  double elapsed = std::chrono::duration<double>(now - last_refill_).count();
  last_refill_ = now;
  tokens_ = std::min<double>(opts_.burst, tokens_ + elapsed * opts_.qps);
  tokens_ -= 1;
  double bucket_ns = tokens_ >= 0 || opts_.qps <= 0 ? 0 : -tokens_ / opts_.qps * 1e9;

  return std::chrono::nanoseconds(static_cast<int64_t>(std::max(backoff_ns, bucket_ns)));
}

void RateLimiter::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(key);
}

int RateLimiter::NumRequeues(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

WorkQueue::WorkQueue(RateLimiterOptions opts) : limiter_(opts) {}

WorkQueue::~WorkQueue() { ShutDown(); }

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_ || dirty_.count(key)) return;
  dirty_.insert(key);
  if (processing_.count(key)) return;  // re-queued by Done
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, std::chrono::nanoseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutting_down_) return;
  if (delay <= std::chrono::nanoseconds::zero()) {
    AddLocked(key);
    return;
  }
  auto at = Clock::now() + std::chrono::duration_cast<Clock::duration>(delay);
  auto it = delayed_at_.find(key);
  if (it != delayed_at_.end()) {
    if (it->second <= at) return;  // an earlier wake-up is already pending
    auto range = delayed_.equal_range(it->second);
    for (auto d = range.first; d != range.second; ++d) {
      if (d->second == key) {
        delayed_.erase(d);
        break;
      }
    }
  }
  delayed_at_[key] = at;
  delayed_.emplace(at, key);
  // Waiting workers recompute how long to sleep.
  cv_.notify_all();
}

void WorkQueue::AddRateLimited(const std::string& key) { AddAfter(key, limiter_.When(key)); }

void WorkQueue::Forget(const std::string& key) { limiter_.Forget(key); }

int WorkQueue::NumRequeues(const std::string& key) const { return limiter_.NumRequeues(key); }

WorkQueue::Clock::time_point WorkQueue::PromoteDueLocked(Clock::time_point now) {
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    std::string key = delayed_.begin()->second;
    delayed_.erase(delayed_.begin());
    delayed_at_.erase(key);
    AddLocked(key);
  }
  return delayed_.empty() ? Clock::time_point::max() : delayed_.begin()->first;
}

bool WorkQueue::Get(std::string* key, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  // Bounded so that a "forever" timeout cannot overflow the clock.
  auto deadline =
      Clock::now() + std::min<std::chrono::milliseconds>(timeout, std::chrono::hours(24 * 365));
  for (;;) {
    auto now = Clock::now();
    auto next_due = PromoteDueLocked(now);
    if (!queue_.empty()) break;
    if (shutting_down_ || now >= deadline) return false;
    cv_.wait_until(lock, std::min(deadline, next_due));
  }
  *key = std::move(queue_.front());
  queue_.pop_front();
  processing_.insert(*key);
  dirty_.erase(*key);
  return true;
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  processing_.erase(key);
  if (dirty_.count(key)) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::ShutDown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutting_down_ = true;
  delayed_.clear();
  delayed_at_.clear();
  cv_.notify_all();
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shutting_down_;
}

size_t WorkQueue::Len() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

}  // namespace cluster::client
