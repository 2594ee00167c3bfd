// Watches: live events, filters, resumes from the ring and from disk, compaction, slow
// watchers, and the no-gap/no-duplicate guarantee under concurrent writes.
#include <atomic>

#include "store_test_util.h"

namespace cluster::store {
namespace {

using namespace testing;

WatchRequest PrefixWatch(const std::string& prefix, int64_t start = 0, bool prev = false) {
  WatchRequest req;
  req.key = prefix;
  req.range_end = PrefixEnd(prefix);
  req.start_revision = start;
  req.prev_kv = prev;
  return req;
}

std::unique_ptr<WatchStream> MustWatch(Store& s, const WatchRequest& req) {
  auto w = s.Watch(req);
  REQUIRE(w.ok());
  return std::move(w).value();
}

TEST_CASE("watch delivers live events for its range", "[store][watch]") {
  TempDir dir;
  auto s = MustOpen(dir);
  MustPut(*s, "/w/before", "x");
  auto w = MustWatch(*s, PrefixWatch("/w/", 0, true));
  MustPut(*s, "/other", "x");
  int64_t r1 = MustPut(*s, "/w/a", "1");
  MustPut(*s, "/w/a", "2");
  REQUIRE(s->DeleteKey("/w/a").ok());

  auto events = ReadEvents(*w, 3);
  REQUIRE(events.size() == 3);
  CHECK(events[0].type == Event::Type::kPut);
  CHECK(events[0].kv.key == "/w/a");
  CHECK(events[0].kv.mod_revision == r1);
  CHECK_FALSE(events[0].prev_kv);
  CHECK(events[1].prev_kv->value == "1");
  CHECK(events[2].type == Event::Type::kDelete);
  CHECK(events[2].kv.mod_revision == r1 + 2);
  CHECK(events[2].prev_kv->value == "2");
  CHECK(Eventually([&] {
    std::vector<Event> none;
    w->Next(&none, 10ms);
    return w->ProgressRevision() == s->CurrentRevision();
  }));

  w->Cancel();
  std::vector<Event> after;
  CHECK_FALSE(w->Next(&after, 10ms));
  CHECK(w->status().ok());
}

TEST_CASE("watch on a single key ignores its neighbours", "[store][watch]") {
  TempDir dir;
  auto s = MustOpen(dir);
  WatchRequest req;
  req.key = "/k";
  auto w = MustWatch(*s, req);
  MustPut(*s, "/k2", "x");
  MustPut(*s, "/k", "x");
  auto events = ReadEvents(*w, 1);
  REQUIRE(events.size() == 1);
  CHECK(events[0].kv.key == "/k");
}

void CheckResume(Store& s, int64_t start, int64_t last, const std::string& prefix) {
  auto w = MustWatch(s, PrefixWatch(prefix, start, true));
  auto events = ReadEvents(*w, static_cast<size_t>(last - start + 1));
  REQUIRE(events.size() == static_cast<size_t>(last - start + 1));
  for (size_t i = 0; i < events.size(); ++i) {
    CHECK(events[i].kv.mod_revision == start + static_cast<int64_t>(i));
  }
  // Live events follow the history without a gap.
  int64_t next = MustPut(s, prefix + "live", "x");
  auto live = ReadEvents(*w, 1);
  REQUIRE(live.size() == 1);
  CHECK(live[0].kv.mod_revision == next);
}

TEST_CASE("watch resumes from an old revision, from the ring or from disk", "[store][watch]") {
  TempDir dir;
  StoreOptions opts;
  opts.event_ring = 10;
  auto s = MustOpen(dir, opts);
  for (int i = 0; i < 50; ++i) MustPut(*s, "/res/" + std::to_string(i % 7), std::to_string(i));
  int64_t last = s->CurrentRevision();

  SECTION("in the ring") { CheckResume(*s, last - 5, last, "/res/"); }
  SECTION("beyond the ring, from disk") { CheckResume(*s, 3, last, "/res/"); }
  SECTION("from disk, with prev values") {
    auto w = MustWatch(*s, PrefixWatch("/res/", 8, true));
    auto events = ReadEvents(*w, 1);
    REQUIRE_FALSE(events.empty());
    CHECK(events[0].kv.value == "7");
    REQUIRE(events[0].prev_kv);
    CHECK(events[0].prev_kv->value == "0");
    CHECK(events[0].prev_kv->mod_revision == 1);
  }
}

TEST_CASE("watch from disk sees deletes with their previous values", "[store][watch]") {
  TempDir dir;
  StoreOptions opts;
  opts.event_ring = 1;
  auto s = MustOpen(dir, opts);
  int64_t r1 = MustPut(*s, "/del/a", "v");
  REQUIRE(s->DeleteKey("/del/a").ok());
  for (int i = 0; i < 5; ++i) MustPut(*s, "/other", "x");
  auto w = MustWatch(*s, PrefixWatch("/del/", r1, true));
  auto events = ReadEvents(*w, 2);
  REQUIRE(events.size() == 2);
  CHECK(events[1].type == Event::Type::kDelete);
  CHECK(events[1].kv.mod_revision == r1 + 1);
  REQUIRE(events[1].prev_kv);
  CHECK(events[1].prev_kv->value == "v");
  CHECK(events[1].prev_kv->mod_revision == r1);
}

TEST_CASE("watch from a compacted revision ends with Gone", "[store][watch]") {
  TempDir dir;
  auto s = MustOpen(dir);
  for (int i = 0; i < 10; ++i) MustPut(*s, "/g", std::to_string(i));
  REQUIRE(s->Compact(5).ok());
  auto w = MustWatch(*s, PrefixWatch("/g", 3));
  std::vector<Event> out;
  CHECK_FALSE(w->Next(&out, 100ms));
  CHECK(w->status().code() == Code::kGone);
  auto ok = MustWatch(*s, PrefixWatch("/g", 6));
  CHECK(ReadEvents(*ok, 5).size() == 5);
}

TEST_CASE("a slow watcher is dropped and the writer carries on", "[store][watch]") {
  TempDir dir;
  StoreOptions opts;
  opts.watch_buffer = 5;
  auto s = MustOpen(dir, opts);
  auto slow = MustWatch(*s, PrefixWatch("/s/"));
  auto fast = MustWatch(*s, PrefixWatch("/s/"));
  std::vector<Event> fast_events;
  for (int i = 0; i < 20; ++i) {
    MustPut(*s, "/s/k", std::to_string(i));
    REQUIRE(fast->Next(&fast_events, 1s));  // keeps up
  }
  CHECK(fast_events.size() == 20);
  std::vector<Event> out;
  CHECK_FALSE(slow->Next(&out, 100ms));
  CHECK(slow->status().code() == Code::kTooManyRequests);
}

TEST_CASE("closing the store ends watches with Unavailable", "[store][watch]") {
  TempDir dir;
  auto s = MustOpen(dir);
  auto w = MustWatch(*s, PrefixWatch("/"));
  std::atomic<bool> ended{false};
  std::thread reader([&] {
    std::vector<Event> out;
    while (w->Next(&out, 50ms)) {
    }
    ended = true;
  });
  s->Close();
  reader.join();
  CHECK(ended);
  CHECK(w->status().code() == Code::kUnavailable);
}

TEST_CASE("watches started during writes see every revision exactly once", "[store][watch]") {
  TempDir dir;
  StoreOptions opts;
  opts.event_ring = 16;  // most resumes need the disk
  auto s = MustOpen(dir, opts);
  constexpr int kWrites = 600;
  std::thread writer([&] {
    for (int i = 0; i < kWrites; ++i) s->Put(PutRequest{"/race/" + std::to_string(i % 13), "v"});
  });
  std::vector<std::pair<int64_t, std::unique_ptr<WatchStream>>> watches;
  for (int i = 0; i < 10; ++i) {
    REQUIRE(Eventually([&] { return s->CurrentRevision() >= (i + 1) * kWrites / 12; }));
    int64_t start = std::max<int64_t>(1, s->CurrentRevision() - 20 * i);
    watches.emplace_back(start, MustWatch(*s, PrefixWatch("/race/", start)));
  }
  writer.join();
  for (auto& [start, w] : watches) {
    auto events = ReadEvents(*w, static_cast<size_t>(kWrites - start + 1));
    REQUIRE(events.size() == static_cast<size_t>(kWrites - start + 1));
    for (size_t i = 0; i < events.size(); ++i) {
      REQUIRE(events[i].kv.mod_revision == start + static_cast<int64_t>(i));
    }
  }
}

}  // namespace
}  // namespace cluster::store
