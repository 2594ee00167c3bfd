// The store's key-value operations: ranges, writes, compare-and-swap, txns, history, restart.
#include "store_test_util.h"

namespace cluster::store {
namespace {

using namespace testing;

std::vector<std::string> Keys(const RangeResponse& r) {
  std::vector<std::string> keys;
  for (const auto& kv : r.kvs) keys.push_back(kv.key);
  return keys;
}

RangeRequest Prefix(const std::string& prefix, int64_t limit = 0) {
  RangeRequest req;
  req.key = prefix;
  req.range_end = PrefixEnd(prefix);
  req.limit = limit;
  return req;
}

TEST_CASE("put and get track revisions and versions", "[store]") {
  TempDir dir;
  auto s = MustOpen(dir);
  REQUIRE(s->CurrentRevision() == 0);
  int64_t r1 = MustPut(*s, "/a", "1");
  int64_t r2 = MustPut(*s, "/a", "2");
  REQUIRE(r1 == 1);
  REQUIRE(r2 == 2);
  auto kv = s->Get("/a");
  REQUIRE(kv.ok());
  CHECK(kv->value == "2");
  CHECK(kv->create_revision == 1);
  CHECK(kv->mod_revision == 2);
  CHECK(kv->version == 2);
  CHECK(s->Get("/missing").status().code() == Code::kNotFound);

  PutRequest put{"/a", "3"};
  put.prev_kv = true;
  auto resp = s->Put(put);
  REQUIRE(resp.ok());
  REQUIRE(resp->prev_kv);
  CHECK(resp->prev_kv->value == "2");
  CHECK(s->Put(PutRequest{"", "x"}).status().code() == Code::kBadRequest);
}

TEST_CASE("range with limit, count, keys_only and continuation", "[store]") {
  TempDir dir;
  auto s = MustOpen(dir);
  for (int i = 0; i < 10; ++i) MustPut(*s, "/pods/p" + std::to_string(i), "v" + std::to_string(i));
  MustPut(*s, "/pods", "not in prefix");
  MustPut(*s, "/podsz", "not in prefix");

  auto all = s->Range(Prefix("/pods/"));
  REQUIRE(all.ok());
  CHECK(all->count == 10);
  CHECK(all->kvs.size() == 10);
  CHECK_FALSE(all->more);
  CHECK(all->revision == s->CurrentRevision());

  // Pages of 4, each continuing from the last key + "\0".
  std::vector<std::string> seen;
  RangeRequest page = Prefix("/pods/", 4);
  while (true) {
    auto r = s->Range(page);
    REQUIRE(r.ok());
    for (auto& k : Keys(*r)) seen.push_back(k);
    if (!r->more) break;
    CHECK(r->kvs.size() == 4);
    page.key = r->kvs.back().key + std::string(1, '\0');
  }
  CHECK(seen == Keys(*all));

  RangeRequest counted = Prefix("/pods/", 3);
  counted.count_only = true;
  auto c = s->Range(counted);
  REQUIRE(c.ok());
  CHECK(c->count == 10);
  CHECK(c->kvs.empty());

  RangeRequest keys_only = Prefix("/pods/");
  keys_only.keys_only = true;
  auto k = s->Range(keys_only);
  REQUIRE(k.ok());
  REQUIRE(k->kvs.size() == 10);
  CHECK(k->kvs[0].value.empty());
  CHECK(k->kvs[0].mod_revision == 1);

  RangeRequest from = KeyRange("/pods/p8", std::string(1, '\0'));
  auto open = s->Range(from);
  REQUIRE(open.ok());
  CHECK(Keys(*open) == std::vector<std::string>{"/pods/p8", "/pods/p9", "/podsz"});

  RangeRequest single = KeyRange("/pods/p3");
  auto one = s->Range(single);
  REQUIRE(one.ok());
  CHECK(Keys(*one) == std::vector<std::string>{"/pods/p3"});
}

TEST_CASE("create, update and delete_key compare-and-swap", "[store]") {
  TempDir dir;
  auto s = MustOpen(dir);
  auto created = s->Create("/k", "v1");
  REQUIRE(created.ok());
  CHECK(s->Create("/k", "again").status().code() == Code::kAlreadyExists);

  CHECK(s->Update("/nope", "x", 0).status().code() == Code::kNotFound);
  CHECK(s->Update("/k", "x", *created + 100).status().code() == Code::kConflict);
  auto updated = s->Update("/k", "v2", *created);
  REQUIRE(updated.ok());
  CHECK(*updated == *created + 1);
  CHECK(s->Update("/k", "v3", *created).status().code() == Code::kConflict);  // stale
  CHECK(s->Update("/k", "v3", 0).ok());                                       // unconditional

  int64_t mod = s->Get("/k")->mod_revision;
  CHECK(s->DeleteKey("/k", mod - 1).status().code() == Code::kConflict);
  auto deleted = s->DeleteKey("/k", mod);
  REQUIRE(deleted.ok());
  CHECK(deleted->value == "v3");
  CHECK(deleted->mod_revision == mod + 1);
  CHECK(s->DeleteKey("/k").status().code() == Code::kNotFound);
  CHECK(s->Get("/k").status().code() == Code::kNotFound);

  // Re-created keys start over.
  auto again = s->Create("/k", "new");
  REQUIRE(again.ok());
  CHECK(s->Get("/k")->version == 1);
  CHECK(s->Get("/k")->create_revision == *again);
}

TEST_CASE("delete range is one revision", "[store]") {
  TempDir dir;
  auto s = MustOpen(dir);
  for (int i = 0; i < 5; ++i) MustPut(*s, "/d/" + std::to_string(i), "x");
  DeleteRequest del{"/d/", PrefixEnd("/d/"), true};
  auto r = s->Delete(del);
  REQUIRE(r.ok());
  CHECK(r->deleted == 5);
  CHECK(r->prev_kvs.size() == 5);
  CHECK(r->revision == 6);
  CHECK(s->CurrentRevision() == 6);
  auto none = s->Delete(del);
  REQUIRE(none.ok());
  CHECK(none->deleted == 0);
  CHECK(s->CurrentRevision() == 6);  // nothing deleted: no new revision
}

TEST_CASE("txn compares choose a branch and write atomically", "[store]") {
  TempDir dir;
  auto s = MustOpen(dir);
  int64_t rev = MustPut(*s, "/x", "1");

  TxnRequest txn;
  txn.compare.push_back(Cmp("/x", Compare::Target::kMod, Compare::Op::kEqual, rev));
  txn.compare.push_back(Cmp("/x", Compare::Target::kValue, Compare::Op::kEqual, 0, "1"));
  txn.success.push_back(PutRequest{"/x", "2"});
  txn.success.push_back(PutRequest{"/y", "2"});
  txn.success.push_back(KeyRange("/x"));
  txn.failure.push_back(KeyRange("/x"));
  auto ok = s->Txn(txn);
  REQUIRE(ok.ok());
  CHECK(ok->succeeded);
  CHECK(ok->revision == rev + 1);
  REQUIRE(ok->responses.size() == 3);
  CHECK(std::get<RangeResponse>(ok->responses[2]).kvs.at(0).value == "2");  // sees own write
  CHECK(s->Get("/x")->mod_revision == rev + 1);
  CHECK(s->Get("/y")->mod_revision == rev + 1);  // one revision for the whole txn

  auto failed = s->Txn(txn);  // mod changed: failure branch, read-only
  REQUIRE(failed.ok());
  CHECK_FALSE(failed->succeeded);
  CHECK(failed->revision == rev + 1);
  CHECK(s->CurrentRevision() == rev + 1);

  // Missing key: version compares as 0, value compares fail.
  TxnRequest absent;
  absent.compare.push_back(Cmp("/new", Compare::Target::kVersion, Compare::Op::kEqual, 0));
  absent.success.push_back(PutRequest{"/new", "v"});
  CHECK(s->Txn(absent)->succeeded);
  CHECK_FALSE(s->Txn(absent)->succeeded);

  // Range compare: all keys must hold.
  TxnRequest range;
  range.compare.push_back(Cmp("/", Compare::Target::kVersion, Compare::Op::kGreater, 0, "",
                                      PrefixEnd("/")));
  CHECK(s->Txn(range)->succeeded);
  range.compare[0].op = Compare::Op::kGreater;
  range.compare[0].number = 1;
  CHECK_FALSE(s->Txn(range)->succeeded);
}

TEST_CASE("a failing txn op leaves no trace", "[store]") {
  TempDir dir;
  auto s = MustOpen(dir);
  MustPut(*s, "/a", "1");
  TxnRequest txn;
  txn.success.push_back(PutRequest{"/b", "1"});
  txn.success.push_back(PutRequest{"/c", "1", 12345});  // no such lease
  auto r = s->Txn(txn);
  CHECK(r.status().code() == Code::kNotFound);
  CHECK(s->Get("/b").status().code() == Code::kNotFound);
  CHECK(s->CurrentRevision() == 1);

  TxnRequest dup;
  dup.success.push_back(PutRequest{"/b", "1"});
  dup.success.push_back(PutRequest{"/b", "2"});
  CHECK(s->Txn(dup).status().code() == Code::kBadRequest);
  CHECK(s->CurrentRevision() == 1);

  // Nested txn: inner compares see the state before the outer txn.
  auto inner = std::make_shared<TxnRequest>();
  inner->compare.push_back(Cmp("/a", Compare::Target::kValue, Compare::Op::kEqual, 0, "1"));
  inner->success.push_back(PutRequest{"/inner", "yes"});
  TxnRequest outer;
  outer.success.push_back(PutRequest{"/a", "2"});
  outer.success.push_back(inner);
  auto nested = s->Txn(outer);
  REQUIRE(nested.ok());
  CHECK(std::get<std::shared_ptr<TxnResponse>>(nested->responses[1])->succeeded);
  CHECK(s->Get("/inner")->value == "yes");
  CHECK(s->Get("/inner")->mod_revision == s->Get("/a")->mod_revision);
}

TEST_CASE("reads at past revisions come from history", "[store]") {
  TempDir dir;
  auto s = MustOpen(dir);
  int64_t r1 = MustPut(*s, "/h/a", "a1");
  int64_t r2 = MustPut(*s, "/h/b", "b1");
  MustPut(*s, "/h/a", "a2");
  auto del = s->DeleteKey("/h/b");
  REQUIRE(del.ok());

  auto old = s->Get("/h/a", r1);
  REQUIRE(old.ok());
  CHECK(old->value == "a1");
  CHECK(old->mod_revision == r1);
  CHECK(s->Get("/h/b", r2)->value == "b1");
  CHECK(s->Get("/h/b", del->mod_revision).status().code() == Code::kNotFound);

  RangeRequest at = Prefix("/h/");
  at.revision = r2;
  auto range = s->Range(at);
  REQUIRE(range.ok());
  CHECK(Keys(*range) == std::vector<std::string>{"/h/a", "/h/b"});
  CHECK(range->kvs[0].value == "a1");
  at.limit = 1;
  range = s->Range(at);
  CHECK(range->count == 2);
  CHECK(range->more);

  at.revision = s->CurrentRevision() + 1;
  CHECK(s->Range(at).status().code() == Code::kBadRequest);

  REQUIRE(s->Compact(r2).ok());
  CHECK(s->Get("/h/a", r1).status().code() == Code::kGone);
  CHECK(s->Get("/h/b", r2).status().code() == Code::kGone);
  CHECK(s->Get("/h/a", r2 + 1)->value == "a2");
  CHECK(s->Compact(r2).code() == Code::kGone);
  CHECK(s->Compact(r1).code() == Code::kGone);
  CHECK(s->Compact(s->CurrentRevision() + 1).code() == Code::kBadRequest);
  CHECK(s->CompactRevision() == r2);
}

TEST_CASE("compaction keeps each key's value as of the compact revision", "[store]") {
  TempDir dir;
  auto s = MustOpen(dir);
  MustPut(*s, "/c/a", "1");
  MustPut(*s, "/c/a", "2");
  int64_t r3 = MustPut(*s, "/c/b", "1");
  MustPut(*s, "/c/a", "3");
  REQUIRE(s->Compact(r3).ok());
  RangeRequest at = Prefix("/c/");
  at.revision = r3 + 1;
  auto r = s->Range(at);
  REQUIRE(r.ok());
  REQUIRE(r->kvs.size() == 2);
  CHECK(r->kvs[0].value == "3");
  CHECK(r->kvs[1].value == "1");
  s->Close();
  auto reopened = MustOpen(dir);
  CHECK(reopened->Get("/c/a")->value == "3");
  CHECK(reopened->Get("/c/a")->version == 3);
  CHECK(reopened->CompactRevision() == r3);
}

TEST_CASE("revisions continue across restart, also after compaction removed the newest rows",
          "[store]") {
  TempDir dir;
  int64_t last;
  {
    auto s = MustOpen(dir);
    MustPut(*s, "/r/a", "1");
    MustPut(*s, "/r/b", "1");
    auto del = s->DeleteKey("/r/b");
    REQUIRE(del.ok());
    last = del->mod_revision;
    s->Close();
  }
  {
    auto s = MustOpen(dir);
    CHECK(s->CurrentRevision() == last);
    CHECK(s->Get("/r/a")->value == "1");
    CHECK(s->Get("/r/b").status().code() == Code::kNotFound);
    // The newest row is a tombstone: compaction at the current revision removes it.
    REQUIRE(s->Compact(last).ok());
  }
  {
    auto s = MustOpen(dir);
    CHECK(s->CurrentRevision() == last);
    CHECK(s->CompactRevision() == last);
    CHECK(MustPut(*s, "/r/c", "1") == last + 1);
    CHECK(s->GetStatus().keys == 2);
  }
}

TEST_CASE("a database is opened by one store at a time", "[store]") {
  TempDir dir;
  auto s = MustOpen(dir);
  auto second = OpenStore(dir.Url());
  CHECK_FALSE(second.ok());
  CHECK(second.status().code() == Code::kUnavailable);
  s->Close();
  CHECK(OpenStore(dir.Url()).ok());
  CHECK(OpenStore("mysql://x").status().code() == Code::kBadRequest);
}

TEST_CASE("a closed store refuses work", "[store]") {
  TempDir dir;
  auto s = MustOpen(dir);
  s->Close();
  s->Close();
  CHECK(s->Put(PutRequest{"/a", "1"}).status().code() == Code::kUnavailable);
  CHECK(s->Range(KeyRange("/a")).status().code() == Code::kUnavailable);
  CHECK(s->Watch(KeyWatch("/a")).status().code() == Code::kUnavailable);
}

}  // namespace
}  // namespace cluster::store
