#include "common/memory_trim.h"

#include <malloc.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace cluster {
namespace {

using Clock = std::chrono::steady_clock;

struct State {
  std::mutex mu;
  std::condition_variable cv;
  std::thread thread;
  bool running = false;
  bool pending = false;          // a large body since the last trim (guarded by mu)
  Clock::time_point last_large;  // guarded by mu
  std::atomic<size_t> trims{0};
  bool tuned = false;  // mallopt took our thresholds (guarded by mu)
};

State& S() {
  static State* s = new State;  // never destroyed: Note() may run during static teardown
  return *s;
}

void Loop() {
  State& s = S();
  std::unique_lock<std::mutex> lock(s.mu);
  while (s.running) {
    if (!s.pending) {
      s.cv.wait(lock);
      continue;
    }
    auto due = s.last_large + std::chrono::seconds(1);
    if (Clock::now() < due) {
      s.cv.wait_until(lock, due);
      continue;
    }
    s.pending = false;
    lock.unlock();
    malloc_trim(0);
    s.trims++;
    lock.lock();
  }
}

}  // namespace

void MemoryTrimmer::Start() {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.running) return;
  // While busy, keep freed memory for the next request: glibc would otherwise hand big blocks
  // back to the OS on every free (and mmap bodies above its threshold afresh), so each large
  // list paid its page faults again (a 10k-pod list 5x slower). The trim below returns it when
  // things are quiet instead.
  // 32 MiB is glibc's largest mmap threshold on 64-bit (larger values are refused).
  if (mallopt(M_MMAP_THRESHOLD, 32 << 20) != 1 || mallopt(M_TRIM_THRESHOLD, 512 << 20) != 1)
    s.tuned = false;
  else
    s.tuned = true;
  s.running = true;
  s.thread = std::thread(Loop);
}

void MemoryTrimmer::Stop() {
  State& s = S();
  std::thread t;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (!s.running) return;
    s.running = false;
    t = std::move(s.thread);
  }
  s.cv.notify_all();
  t.join();
}

void MemoryTrimmer::Note(size_t bytes) {
  if (bytes < kLargeBytes) return;
  State& s = S();
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.pending = true;
    s.last_large = Clock::now();
  }
  s.cv.notify_all();
}

size_t MemoryTrimmer::Trims() { return S().trims.load(); }

bool MemoryTrimmer::Tuned() {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mu);
  return s.tuned;
}

}  // namespace cluster
