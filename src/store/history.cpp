#include "store/history.h"

namespace cluster::store {
namespace {

// Upper bounds are bound as BLOBs; the open-ended variants leave the bound out.
constexpr const char* kRangeBounded =
    "SELECT key, MAX(revision), create_revision, version, lease, value, deleted FROM kv "
    "WHERE key >= ?1 AND key < ?2 AND revision <= ?3 GROUP BY key ORDER BY key";
constexpr const char* kRangeOpen =
    "SELECT key, MAX(revision), create_revision, version, lease, value, deleted FROM kv "
    "WHERE key >= ?1 AND revision <= ?3 GROUP BY key ORDER BY key";
constexpr const char* kEventsBounded =
    "SELECT revision, key, create_revision, prev_revision, version, lease, value, old_value, "
    "deleted FROM kv WHERE revision >= ?1 AND revision <= ?2 AND key >= ?3 AND key < ?4 "
    "ORDER BY revision, id";
constexpr const char* kEventsOpen =
    "SELECT revision, key, create_revision, prev_revision, version, lease, value, old_value, "
    "deleted FROM kv WHERE revision >= ?1 AND revision <= ?2 AND key >= ?3 ORDER BY revision, id";

// The exclusive upper bound of a single-key range: the key followed by a zero byte.
std::string SingleKeyEnd(std::string_view key) {
  std::string end(key);
  end.push_back('\0');
  return end;
}

Event RowToEvent(const Stmt& q) {
  Event e;
  e.kv.mod_revision = q.ColInt(0);
  e.kv.key = q.ColBlob(1);
  int64_t create = q.ColInt(2), prev_rev = q.ColInt(3), version = q.ColInt(4), lease = q.ColInt(5);
  bool deleted = q.ColInt(8) != 0;
  if (prev_rev > 0 || deleted) {
    KeyValue prev;
    prev.key = e.kv.key;
    prev.value = q.ColBlob(7);
    prev.create_revision = create;
    prev.mod_revision = prev_rev;
    prev.version = deleted ? version : version - 1;
    prev.lease = lease;  // for puts, the lease before the write is not recorded
    e.prev_kv = std::move(prev);
  }
  if (deleted) {
    e.type = Event::Type::kDelete;
    return e;
  }
  e.type = Event::Type::kPut;
  e.kv.value = q.ColBlob(6);
  e.kv.create_revision = create;
  e.kv.version = version;
  e.kv.lease = lease;
  return e;
}

}  // namespace

Status CompactedError() { return Gone("mvcc: required revision has been compacted"); }

Result<std::shared_ptr<HistoryReader>> HistoryReader::Open(const std::string& path) {
  ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, false));
  return std::shared_ptr<HistoryReader>(new HistoryReader(std::move(db)));
}

void HistoryReader::Close() {
  std::lock_guard<std::mutex> l(mu_);
  db_.reset();
}

Status HistoryReader::BeginAt(int64_t revision) {
  if (!db_) return Unavailable("store is closed");
  sqlite3_stmt* begin = db_->Prepare("BEGIN");
  sqlite3_stmt* compact = db_->Prepare("SELECT value FROM meta WHERE name = 'compact_revision'");
  if (!begin || !compact) return db_->Error(Code::kInternal, "prepare read on");
  {
    Stmt b(begin);
    if (b.Step() != SQLITE_DONE) return db_->Error(Code::kUnavailable, "begin read on");
  }
  Stmt c(compact);
  if (c.Step() != SQLITE_ROW) {
    Status st = db_->Error(Code::kUnavailable, "read compact revision from");
    End();
    return st;
  }
  if (revision <= c.ColInt(0)) {
    End();
    return CompactedError();
  }
  return Status::Ok();
}

void HistoryReader::End() {
  if (db_ && !db_->autocommit()) db_->Exec("COMMIT");
}

Result<RangeResponse> HistoryReader::Range(const RangeRequest& req, int64_t revision) {
  std::lock_guard<std::mutex> l(mu_);
  RETURN_IF_ERROR(BeginAt(revision));
  RangeResponse out;
  Status st = ScanRange(req, revision, &out);
  End();
  if (!st.ok()) return st;
  return out;
}

Status HistoryReader::ScanRange(const RangeRequest& req, int64_t revision, RangeResponse* out) {
  KeyBounds b = KeyBounds::Of(req.key, req.range_end);
  std::string single_end = b.single ? SingleKeyEnd(b.lo) : std::string();
  sqlite3_stmt* s = db_->Prepare(b.open ? kRangeOpen : kRangeBounded);
  if (!s) return db_->Error(Code::kInternal, "prepare range on");
  Stmt q(s);
  q.Blob(1, b.lo).Int(3, revision);
  if (!b.open) q.Blob(2, b.single ? std::string_view(single_end) : b.hi);
  out->revision = revision;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    if (q.ColInt(6) != 0) continue;  // deleted as of `revision`
    ++out->count;
    if (req.count_only) continue;
    if (req.limit > 0 && static_cast<int64_t>(out->kvs.size()) >= req.limit) {
      out->more = true;
      continue;
    }
    KeyValue kv;
    kv.key = q.ColBlob(0);
    kv.mod_revision = q.ColInt(1);
    kv.create_revision = q.ColInt(2);
    kv.version = q.ColInt(3);
    kv.lease = q.ColInt(4);
    if (!req.keys_only) kv.value = q.ColBlob(5);
    out->kvs.push_back(std::move(kv));
  }
  if (rc != SQLITE_DONE) return db_->Error(Code::kInternal, "range read on");
  return Status::Ok();
}

Status HistoryReader::Events(int64_t from, int64_t to, const KeyBounds& b,
                             std::vector<Event>* out) {
  std::lock_guard<std::mutex> l(mu_);
  RETURN_IF_ERROR(BeginAt(from));
  Status st = ScanEvents(from, to, b, out);
  End();
  return st;
}

Status HistoryReader::ScanEvents(int64_t from, int64_t to, const KeyBounds& b,
                                 std::vector<Event>* out) {
  std::string single_end = b.single ? SingleKeyEnd(b.lo) : std::string();
  sqlite3_stmt* s = db_->Prepare(b.open ? kEventsOpen : kEventsBounded);
  if (!s) return db_->Error(Code::kInternal, "prepare history read on");
  Stmt q(s);
  q.Int(1, from).Int(2, to).Blob(3, b.lo);
  if (!b.open) q.Blob(4, b.single ? std::string_view(single_end) : b.hi);
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) out->push_back(RowToEvent(q));
  if (rc != SQLITE_DONE) return db_->Error(Code::kInternal, "history read on");
  return Status::Ok();
}

Status HistoryReader::Sizes(int64_t* in_use) {
  std::lock_guard<std::mutex> l(mu_);
  if (!db_) return Unavailable("store is closed");
  sqlite3_stmt* s = db_->Prepare(
      "SELECT (SELECT page_count FROM pragma_page_count()) - "
      "(SELECT freelist_count FROM pragma_freelist_count()), "
      "(SELECT page_size FROM pragma_page_size())");
  if (!s) return db_->Error(Code::kInternal, "prepare size query on");
  Stmt q(s);
  if (q.Step() != SQLITE_ROW) return db_->Error(Code::kInternal, "size query on");
  *in_use = q.ColInt(0) * q.ColInt(1);
  return Status::Ok();
}

}  // namespace cluster::store
