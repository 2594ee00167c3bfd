// Leases: grant, keepalive, time-to-live, revoke, expiry, persistence across restart.
#include "store_test_util.h"

namespace cluster::store {
namespace {

using namespace testing;

TEST_CASE("lease grant, keepalive, time to live and revoke", "[store][lease]") {
  TempDir dir;
  auto s = MustOpen(dir);
  auto id = s->LeaseGrant(60);
  REQUIRE(id.ok());
  CHECK(*id > 0);
  CHECK(s->LeaseGrant(60, *id).status().code() == Code::kAlreadyExists);
  auto fixed = s->LeaseGrant(30, 42);
  REQUIRE(fixed.ok());
  CHECK(*fixed == 42);

  MustPut(*s, "/l/a", "1", *id);
  MustPut(*s, "/l/b", "1", *id);
  MustPut(*s, "/l/c", "1");
  auto ttl = s->LeaseTimeToLive(*id, true);
  REQUIRE(ttl.ok());
  CHECK(ttl->granted_ttl == 60);
  CHECK(ttl->ttl > 55);
  CHECK(ttl->keys == std::vector<std::string>{"/l/a", "/l/b"});
  CHECK(*s->LeaseKeepAlive(*id) == 60);
  CHECK(s->Leases().size() == 2);
  CHECK(s->LeaseKeepAlive(7).status().code() == Code::kNotFound);
  CHECK(s->Put(PutRequest{"/l/d", "1", 7}).status().code() == Code::kNotFound);

  WatchRequest wr = KeyWatch("/l/", PrefixEnd("/l/"));
  auto w = s->Watch(wr);
  REQUIRE(w.ok());
  int64_t before = s->CurrentRevision();
  REQUIRE(s->LeaseRevoke(*id).ok());
  CHECK(s->CurrentRevision() == before + 1);  // both deletes in one revision
  CHECK(s->Get("/l/a").status().code() == Code::kNotFound);
  CHECK(s->Get("/l/c").ok());
  CHECK(s->LeaseTimeToLive(*id, false).status().code() == Code::kNotFound);
  CHECK(s->LeaseRevoke(*id).code() == Code::kNotFound);
  auto events = ReadEvents(**w, 2);
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == Event::Type::kDelete);
  CHECK(events[1].type == Event::Type::kDelete);
  CHECK(events[0].kv.mod_revision == before + 1);

  // Moving a key to another lease detaches it from the first.
  MustPut(*s, "/l/m", "1", 42);
  MustPut(*s, "/l/m", "2");
  CHECK(s->LeaseTimeToLive(42, true)->keys.empty());
  REQUIRE(s->LeaseRevoke(42).ok());
  CHECK(s->Get("/l/m")->value == "2");
}

TEST_CASE("an expired lease deletes its keys and watchers see it", "[store][lease]") {
  TempDir dir;
  auto s = MustOpen(dir);
  auto id = s->LeaseGrant(1);
  REQUIRE(id.ok());
  MustPut(*s, "/e/a", "1", *id);
  auto w = s->Watch(KeyWatch("/e/a"));
  REQUIRE(w.ok());
  CHECK(Eventually([&] { return s->Get("/e/a").status().code() == Code::kNotFound; }));
  auto events = ReadEvents(**w, 1);
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == Event::Type::kDelete);
  CHECK(s->LeaseTimeToLive(*id, false).status().code() == Code::kNotFound);
}

TEST_CASE("keepalive holds off expiry", "[store][lease]") {
  TempDir dir;
  auto s = MustOpen(dir);
  auto id = s->LeaseGrant(2);
  REQUIRE(id.ok());
  MustPut(*s, "/ka", "1", *id);
  auto until = std::chrono::steady_clock::now() + 3s;
  bool alive = true;
  while (std::chrono::steady_clock::now() < until && alive) {
    alive = s->LeaseKeepAlive(*id).ok() && s->Get("/ka").ok();
    std::this_thread::sleep_for(100ms);  // paces the keepalives; not a wait for a condition
  }
  CHECK(alive);
}

TEST_CASE("leases survive a restart", "[store][lease]") {
  TempDir dir;
  int64_t id;
  {
    auto s = MustOpen(dir);
    auto granted = s->LeaseGrant(100);
    REQUIRE(granted.ok());
    id = *granted;
    MustPut(*s, "/p/a", "1", id);
  }
  auto s = MustOpen(dir);
  auto ttl = s->LeaseTimeToLive(id, true);
  REQUIRE(ttl.ok());
  CHECK(ttl->granted_ttl == 100);
  CHECK(ttl->keys == std::vector<std::string>{"/p/a"});
  REQUIRE(s->LeaseRevoke(id).ok());
  CHECK(s->Get("/p/a").status().code() == Code::kNotFound);
  s->Close();
  auto again = MustOpen(dir);
  CHECK(again->LeaseTimeToLive(id, false).status().code() == Code::kNotFound);
  CHECK(again->Get("/p/a").status().code() == Code::kNotFound);
}

TEST_CASE("automatic compaction keeps the window and the newest revisions", "[store][compact]") {
  TempDir dir;
  StoreOptions opts;
  opts.compact_window = 1s;
  opts.compact_interval = 1s;
  opts.compact_keep_revisions = 5;
  auto s = MustOpen(dir, opts);
  for (int i = 0; i < 30; ++i) MustPut(*s, "/ac", std::to_string(i));
  REQUIRE(Eventually([&] { return s->CompactRevision() > 0; }, 20s));
  CHECK(s->CompactRevision() <= s->CurrentRevision() - 5);
  CHECK(s->Get("/ac")->value == "29");
}

}  // namespace
}  // namespace cluster::store
