// Helpers shared by the store's unit tests: temp dirs, opening stores, polling, watch reads.
#pragma once

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite_store.h"
#include "store/store.h"

namespace cluster::store::testing {

using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    const char* base = getenv("TMPDIR");  // e.g. /dev/shm to take the disk out of a benchmark
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/store_test_XXXXXX";
    char* p = mkdtemp(tmpl.data());
    REQUIRE(p != nullptr);
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Db() const { return path_ + "/server/db/state.db"; }
  std::string Url() const { return "sqlite://" + Db(); }

 private:
  std::string path_;
};

inline std::unique_ptr<Store> MustOpen(const TempDir& dir, StoreOptions opts = {}) {
  auto r = OpenStore(dir.Url(), opts);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return std::move(r).value();
}

// Polls `cond` until it holds or `timeout` passes.
template <typename Cond>
bool Eventually(Cond cond, std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// Reads events until `n` arrived, the stream ended, or `timeout` passed.
inline std::vector<Event> ReadEvents(WatchStream& w, size_t n,
                                     std::chrono::milliseconds timeout = 10s) {
  std::vector<Event> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
    if (!w.Next(&out, 100ms)) break;
  }
  return out;
}

inline int64_t MustPut(Store& s, const std::string& key, const std::string& value,
                       int64_t lease = 0) {
  PutRequest req;
  req.key = key;
  req.value = value;
  req.lease = lease;
  auto r = s.Put(req);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return r->revision;
}

inline RangeRequest KeyRange(const std::string& key, const std::string& end = "") {
  RangeRequest r;
  r.key = key;
  r.range_end = end;
  return r;
}

inline WatchRequest KeyWatch(const std::string& key, const std::string& end = "") {
  WatchRequest r;
  r.key = key;
  r.range_end = end;
  return r;
}

inline Compare Cmp(const std::string& key, Compare::Target target, Compare::Op op,
                   int64_t number, const std::string& value = "",
                   const std::string& range_end = "") {
  Compare c;
  c.key = key;
  c.range_end = range_end;
  c.target = target;
  c.op = op;
  c.number = number;
  c.value = value;
  return c;
}

// Restores working syncs when a test that breaks them ends (also on failure).
struct SyncFailureGuard {
  SyncFailureGuard() { SyncHooksForTest::SetFailSyncs(true); }
  ~SyncFailureGuard() { SyncHooksForTest::SetFailSyncs(false); }
};

}  // namespace cluster::store::testing
