// Durability: group commit, syncs behind every acknowledged write, refused writes on sync
// failure, and corrupt files detected at open.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <set>

#include "store_test_util.h"

namespace cluster::store {
namespace {

using namespace testing;

TEST_CASE("an acknowledged put has been synced", "[store][durability]") {
  TempDir dir;
  auto s = MustOpen(dir);
  int64_t before = SyncHooksForTest::SyncCount();
  MustPut(*s, "/a", "1");
  CHECK(SyncHooksForTest::SyncCount() - before >= 1);
}

TEST_CASE("concurrent writes are committed in groups", "[store][durability]") {
  TempDir dir;
  auto s = MustOpen(dir);
  constexpr int kThreads = 32, kPuts = 200;
  std::vector<std::vector<int64_t>> revs(kThreads);
  std::atomic<int> failures{0};
  int64_t syncs_before = SyncHooksForTest::SyncCount();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPuts; ++i) {
        auto r = s->Put(PutRequest{"/g/" + std::to_string(t) + "/" + std::to_string(i), "v"});
        if (r.ok()) {
          revs[t].push_back(r->revision);
        } else {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  int64_t syncs = SyncHooksForTest::SyncCount() - syncs_before;
  CHECK(failures == 0);
  std::set<int64_t> unique;
  for (auto& v : revs) unique.insert(v.begin(), v.end());
  CHECK(unique.size() == static_cast<size_t>(kThreads * kPuts));
  CHECK(*unique.rbegin() == s->CurrentRevision());
  CHECK(syncs < kThreads * kPuts);
  INFO("syncs for " << kThreads * kPuts << " puts: " << syncs);
  RangeRequest all = KeyRange("/g/", PrefixEnd("/g/"));
  all.count_only = true;
  CHECK(s->Range(all)->count == kThreads * kPuts);
}

TEST_CASE("writes are refused when syncs fail, and nothing of them survives", "[store][durability]") {
  TempDir dir;
  bool close_while_failing = GENERATE(false, true);
  {
    auto s = MustOpen(dir);
    MustPut(*s, "/ok/1", "1");
    auto watch = s->Watch(KeyWatch("/", PrefixEnd("/")));
    REQUIRE(watch.ok());
    {
      SyncFailureGuard failing;
      auto r = s->Put(PutRequest{"/refused", "x"});
      CHECK(r.status().code() == Code::kUnavailable);
      CHECK(s->Create("/refused2", "x").status().code() == Code::kUnavailable);
      CHECK(s->Get("/refused").status().code() == Code::kNotFound);
      CHECK(s->CurrentRevision() == 1);
      if (close_while_failing) s->Close();
    }
    if (!close_while_failing) {
      CHECK(MustPut(*s, "/ok/2", "2") == 2);  // revisions were not burned
      auto events = ReadEvents(**watch, 1);
      REQUIRE(events.size() == 1);
      CHECK(events[0].kv.key == "/ok/2");  // the refused writes were never published
    }
  }
  auto s = MustOpen(dir);
  CHECK(s->Get("/refused").status().code() == Code::kNotFound);
  CHECK(s->Get("/refused2").status().code() == Code::kNotFound);
  CHECK(s->Get("/ok/1").ok());
  CHECK(s->Get("/ok/2").ok() == !close_while_failing);
  CHECK(MustPut(*s, "/ok/3", "3") == (close_while_failing ? 2 : 3));
}

void FillAndClose(const TempDir& dir) {
  auto s = MustOpen(dir);
  std::string value(1500, 'v');
  for (int i = 0; i < 400; ++i) MustPut(*s, "/fill/" + std::to_string(i), value);
  s->Close();
}

TEST_CASE("a corrupt database is refused at open", "[store][durability]") {
  TempDir dir;
  FillAndClose(dir);
  off_t size = static_cast<off_t>(std::filesystem::file_size(dir.Db()));
  REQUIRE(size > 64 * 1024);

  SECTION("garbage in the middle") {
    int fd = open(dir.Db().c_str(), O_WRONLY);
    REQUIRE(fd >= 0);
    std::string garbage(16384, '\0');
    for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 131 + 7) % 251);
    off_t at = (size / 2) & ~static_cast<off_t>(4095);
    REQUIRE(pwrite(fd, garbage.data(), garbage.size(), at) == static_cast<ssize_t>(garbage.size()));
    close(fd);
  }
  SECTION("truncated") { REQUIRE(truncate(dir.Db().c_str(), size / 2) == 0); }
  SECTION("garbage header") {
    int fd = open(dir.Db().c_str(), O_WRONLY);
    REQUIRE(fd >= 0);
    REQUIRE(pwrite(fd, "not a database at all", 21, 0) == 21);
    close(fd);
  }

  auto r = OpenStore(dir.Url());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInternal);
  CHECK(r.status().message().find(dir.Db()) != std::string::npos);
}

TEST_CASE("put throughput with 64 threads", "[.bench]") {
  TempDir dir;
  auto s = MustOpen(dir);
  constexpr int kThreads = 64, kPuts = 2000;
  auto start = std::chrono::steady_clock::now();
  int64_t syncs_before = SyncHooksForTest::SyncCount();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string key = "/registry/pods/default/pod-" + std::to_string(t) + "-";
      for (int i = 0; i < kPuts; ++i) s->Put(PutRequest{key + std::to_string(i), "small value"});
    });
  }
  for (auto& th : threads) th.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN(kThreads * kPuts << " puts in " << secs << " s = " << kThreads * kPuts / secs
                        << " puts/s, " << SyncHooksForTest::SyncCount() - syncs_before
                        << " syncs");
}

}  // namespace
}  // namespace cluster::store
