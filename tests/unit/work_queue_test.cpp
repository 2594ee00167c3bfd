#include "client/work_queue.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <thread>

using cluster::client::RateLimiter;
using cluster::client::RateLimiterOptions;
using cluster::client::WorkQueue;
using namespace std::chrono_literals;

TEST_CASE("work queue hands out a key once however often it is added") {
  WorkQueue q;
  q.Add("a");
  q.Add("b");
  q.Add("a");
  CHECK(q.Len() == 2);
  std::string key;
  REQUIRE(q.Get(&key, 0ms));
  CHECK(key == "a");
  REQUIRE(q.Get(&key, 0ms));
  CHECK(key == "b");
  CHECK_FALSE(q.Get(&key, 0ms));
  CHECK_FALSE(q.ShuttingDown());
}

TEST_CASE("a key added while being processed is queued again only after Done") {
  WorkQueue q;
  q.Add("a");
  std::string key;
  REQUIRE(q.Get(&key, 0ms));
  q.Add("a");
  q.Add("a");
  CHECK(q.Len() == 0);  // never two workers on one key
  std::string other;
  CHECK_FALSE(q.Get(&other, 10ms));
  q.Done("a");
  CHECK(q.Len() == 1);
  REQUIRE(q.Get(&key, 0ms));
  CHECK(key == "a");
  q.Done("a");
  CHECK(q.Len() == 0);
}

TEST_CASE("AddAfter delivers the key once its delay has passed") {
  WorkQueue q;
  auto start = std::chrono::steady_clock::now();
  q.AddAfter("late", 50ms);
  q.AddAfter("late", 5s);  // the earlier pending delay wins
  CHECK(q.Len() == 0);
  std::string key;
  REQUIRE(q.Get(&key, 5s));
  CHECK(key == "late");
  CHECK(std::chrono::steady_clock::now() - start >= 50ms);
  q.Done("late");
  CHECK_FALSE(q.Get(&key, 100ms));  // the 5s duplicate was dropped
}

TEST_CASE("rate limiter backs off per key exponentially and forgets") {
  RateLimiter rl;
  CHECK(rl.When("a") == 5ms);
  CHECK(rl.When("a") == 10ms);
  CHECK(rl.When("a") == 20ms);
  CHECK(rl.When("b") == 5ms);
  CHECK(rl.NumRequeues("a") == 3);
  for (int i = 0; i < 40; ++i) rl.When("c");
  CHECK(rl.When("c") <= std::chrono::nanoseconds(1000s));
  rl.Forget("a");
  CHECK(rl.NumRequeues("a") == 0);
  // The overall bucket (burst 100) is spent by now: further retries wait for tokens at 10 qps.
  for (int i = 0; i < 100; ++i) rl.When("d" + std::to_string(i));
  CHECK(rl.When("fresh") > 50ms);
}

TEST_CASE("AddRateLimited retries a failing key later each time") {
  RateLimiterOptions opts;
  opts.base_delay = 20ms;
  WorkQueue q(opts);
  std::string key;
  std::vector<std::chrono::steady_clock::duration> waits;
  for (int i = 0; i < 3; ++i) {
    auto start = std::chrono::steady_clock::now();
    q.AddRateLimited("k");
    REQUIRE(q.Get(&key, 5s));
    waits.push_back(std::chrono::steady_clock::now() - start);
    q.Done("k");
  }
  CHECK(q.NumRequeues("k") == 3);
  CHECK(waits[0] >= 20ms);
  CHECK(waits[1] >= 40ms);
  CHECK(waits[2] >= 80ms);
  q.Forget("k");
  CHECK(q.NumRequeues("k") == 0);
}

TEST_CASE("ShutDown wakes blocked workers after the queue drains") {
  WorkQueue q;
  std::atomic<int> exited{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < 3; ++i) {
    workers.emplace_back([&] {
      std::string key;
      while (q.Get(&key, 1h)) q.Done(key);
      exited++;
    });
  }
  q.Add("x");
  q.AddAfter("never", 1h);
  q.ShutDown();
  for (auto& w : workers) w.join();
  CHECK(exited == 3);
  CHECK(q.ShuttingDown());
  q.Add("ignored");
  CHECK(q.Len() == 0);
}

TEST_CASE("concurrent adds and workers process every key") {
  WorkQueue q;
  std::mutex mu;
  std::set<std::string> seen;
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&] {
      std::string key;
      while (q.Get(&key, 1h)) {
        {
          std::lock_guard<std::mutex> lock(mu);
          seen.insert(key);
        }
        q.Done(key);
      }
    });
  }
  for (int i = 0; i < 1000; ++i) q.Add("k" + std::to_string(i % 250));
  auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (seen.size() == 250 || std::chrono::steady_clock::now() > deadline) break;
    }
    std::this_thread::sleep_for(1ms);
  }
  q.ShutDown();
  for (auto& w : workers) w.join();
  CHECK(seen.size() == 250);
}
