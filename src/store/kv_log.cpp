#include "store/kv_log.h"

#include <algorithm>
#include <filesystem>

#include "common/log.h"

namespace cluster::store {
namespace {

constexpr const char* kSchema = R"sql(
BEGIN;
CREATE TABLE IF NOT EXISTS kv(
  id INTEGER PRIMARY KEY,
  revision INTEGER NOT NULL,
  key BLOB NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  version INTEGER NOT NULL,
  lease INTEGER NOT NULL,
  value BLOB NOT NULL,
  old_value BLOB NOT NULL,
  deleted INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS kv_key_revision ON kv(key, revision);
CREATE INDEX IF NOT EXISTS kv_revision ON kv(revision);
CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS leases(id INTEGER PRIMARY KEY, ttl INTEGER NOT NULL);
INSERT OR IGNORE INTO meta(name, value) VALUES('schema_version', 1), ('compact_revision', 0);
COMMIT;
)sql";

constexpr const char* kInsertRow =
    "INSERT INTO kv(revision, key, create_revision, prev_revision, version, lease, value, "
    "old_value, deleted) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr const char* kCompact =
    "DELETE FROM kv WHERE revision <= ?1 AND (deleted = 1 OR revision < (SELECT MAX(k2.revision) "
    "FROM kv AS k2 WHERE k2.key = kv.key AND k2.revision <= ?1))";
constexpr const char* kLatestPerKey =
    "SELECT key, MAX(revision), create_revision, version, lease, value, deleted FROM kv "
    "GROUP BY key";

const KeyValue kNoValue;

}  // namespace

Result<std::unique_ptr<KvLog>> KvLog::Open(const std::string& path) {
  std::error_code ec;
  bool existed = std::filesystem::file_size(path, ec) > 0 && !ec;
  ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, true));
  std::unique_ptr<KvLog> log(new KvLog(std::move(db)));
  RETURN_IF_ERROR(Configure(*log->db_));
  RETURN_IF_ERROR(log->CheckIntegrity());
  RETURN_IF_ERROR(log->CreateOrVerifySchema(existed));
  return log;
}

Status KvLog::Configure(SqliteDb& db) {
  Status st = db.Exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA journal_size_limit=67108864;"
      "PRAGMA cache_size=-16384;");
  if (!st.ok()) {
    return Internal("database " + db.path() + " is unreadable or not a SQLite database (" +
                    st.message() + "); refusing to start");
  }
  return Status::Ok();
}

Status KvLog::CheckIntegrity() {
  sqlite3_stmt* s = db_->Prepare("PRAGMA quick_check(20)");
  if (!s) return Internal("database " + db_->path() + " is corrupt: " + sqlite3_errmsg(db_->handle()));
  Stmt q(s);
  std::string problems;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    std::string line = q.ColText(0);
    if (line != "ok") problems += (problems.empty() ? "" : "; ") + line;
  }
  if (rc != SQLITE_DONE && problems.empty()) problems = sqlite3_errmsg(db_->handle());
  if (problems.empty()) return Status::Ok();
  return Internal("database " + db_->path() + " is corrupt (" + problems +
                  "); refusing to start: restore it from a backup or move it away");
}

Status KvLog::CreateOrVerifySchema(bool existed) {
  if (existed) {
    auto tables = QueryInt(
        "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name IN ('kv','meta','leases')");
    if (!tables.ok()) return tables.status();
    if (*tables != 3) {
      return Internal("database " + db_->path() + " is not a cluster store (tables missing)");
    }
  }
  Status st = db_->Exec(kSchema);
  if (!st.ok()) {
    db_->Exec("ROLLBACK");
    return Internal("create schema: " + st.message());
  }
  return Status::Ok();
}

Result<int64_t> KvLog::QueryInt(const char* sql) {
  sqlite3_stmt* s = db_->Prepare(sql);
  if (!s) return db_->Error(Code::kInternal, "prepare");
  Stmt q(s);
  int rc = q.Step();
  if (rc == SQLITE_ROW) return q.ColInt(0);
  if (rc == SQLITE_DONE) return int64_t{0};
  return db_->Error(Code::kInternal, "query");
}

Status KvLog::Load(LoadedState* out) {
  auto max_rev = QueryInt("SELECT IFNULL(MAX(revision), 0) FROM kv");
  if (!max_rev.ok()) return Internal("load: " + max_rev.status().message());
  auto compact = QueryInt("SELECT value FROM meta WHERE name = 'compact_revision'");
  if (!compact.ok()) return Internal("load: " + compact.status().message());
  out->compact_revision = *compact;
  // Compaction may have removed the newest rows (tombstones): the compact revision is a floor.
  out->revision = std::max(*max_rev, *compact);
  RETURN_IF_ERROR(LoadLive(out));
  return LoadLeases(out);
}

Status KvLog::LoadLive(LoadedState* out) {
  sqlite3_stmt* s = db_->Prepare(kLatestPerKey);
  if (!s) return db_->Error(Code::kInternal, "load keys from");
  Stmt q(s);
  int rc;
  auto hint = out->live.end();
  while ((rc = q.Step()) == SQLITE_ROW) {
    if (q.ColInt(6) != 0) continue;  // latest row is a tombstone
    KeyValue kv;
    kv.key = q.ColBlob(0);
    kv.mod_revision = q.ColInt(1);
    kv.create_revision = q.ColInt(2);
    kv.version = q.ColInt(3);
    kv.lease = q.ColInt(4);
    kv.value = q.ColBlob(5);
    std::string key = kv.key;
    hint = out->live.emplace_hint(hint, std::move(key), std::move(kv));
  }
  if (rc != SQLITE_DONE) return db_->Error(Code::kInternal, "load keys from (corrupt?)");
  return Status::Ok();
}

Status KvLog::LoadLeases(LoadedState* out) {
  sqlite3_stmt* s = db_->Prepare("SELECT id, ttl FROM leases");
  if (!s) return db_->Error(Code::kInternal, "load leases from");
  Stmt q(s);
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) out->leases.emplace_back(q.ColInt(0), q.ColInt(1));
  if (rc != SQLITE_DONE) return db_->Error(Code::kInternal, "load leases from (corrupt?)");
  return Status::Ok();
}

Status KvLog::Step(const char* sql) {
  sqlite3_stmt* s = db_->Prepare(sql);
  if (!s) return db_->Error(Code::kUnavailable, std::string("prepare ") + sql + " on");
  Stmt q(s);
  int rc = q.Step();
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  return db_->Error(Code::kUnavailable, std::string(sql) + " on");
}

Status KvLog::InsertEvent(const Event& e) {
  sqlite3_stmt* s = db_->Prepare(kInsertRow);
  if (!s) return db_->Error(Code::kUnavailable, "prepare insert on");
  Stmt q(s);
  bool del = e.type == Event::Type::kDelete;
  const KeyValue& prev = e.prev_kv ? *e.prev_kv : kNoValue;
  // A tombstone keeps the deleted value's metadata, so its event can be rebuilt with prev_kv.
  const KeyValue& meta = del ? prev : e.kv;
  q.Int(1, e.kv.mod_revision)
      .Blob(2, e.kv.key)
      .Int(3, meta.create_revision)
      .Int(4, prev.mod_revision)
      .Int(5, meta.version)
      .Int(6, meta.lease)
      .Blob(7, del ? std::string_view() : std::string_view(e.kv.value))
      .Blob(8, prev.value)
      .Int(9, del ? 1 : 0);
  if (q.Step() != SQLITE_DONE) return db_->Error(Code::kUnavailable, "insert into");
  return Status::Ok();
}

Status KvLog::WriteLease(const LeaseChange& c) {
  const char* sql = c.grant ? "INSERT OR REPLACE INTO leases(id, ttl) VALUES(?1, ?2)"
                            : "DELETE FROM leases WHERE id = ?1";
  sqlite3_stmt* s = db_->Prepare(sql);
  if (!s) return db_->Error(Code::kUnavailable, "prepare lease write on");
  Stmt q(s);
  q.Int(1, c.id);
  if (c.grant) q.Int(2, c.ttl);
  if (q.Step() != SQLITE_DONE) return db_->Error(Code::kUnavailable, "write lease to");
  return Status::Ok();
}

Status KvLog::Commit(const std::vector<Event>& events, const std::vector<LeaseChange>& leases) {
  Status st = Step("BEGIN");
  for (size_t i = 0; st.ok() && i < events.size(); ++i) st = InsertEvent(events[i]);
  for (size_t i = 0; st.ok() && i < leases.size(); ++i) st = WriteLease(leases[i]);
  if (st.ok()) st = Step("COMMIT");
  if (st.ok()) return st;
  RecoverAfterFailure();
  return Unavailable("commit failed: " + st.message());
}

// After a failed commit SQLite rolls the transaction back, but the frames it wrote to the WAL
// past the last commit may still be in the file (only their sync failed). They chain validly,
// so a WAL recovery after a crash could resurrect the refused writes. Writing one harmless
// transaction at the same WAL offset overwrites them (and breaks the chain of any left over).
void KvLog::RecoverAfterFailure() {
  if (!db_->autocommit() && !db_->Exec("ROLLBACK").ok()) {
    LOG_WARN("store") << "rollback failed on " << db_->path() << "; reopening the connection";
    auto reopened = SqliteDb::Open(db_->path(), false);
    if (reopened.ok() && Configure(**reopened).ok()) db_ = std::move(reopened).value();
  }
  Status st = Step("BEGIN");
  if (st.ok()) {
    st = Step(
        "INSERT INTO meta(name, value) VALUES('failed_commits', 1) "
        "ON CONFLICT(name) DO UPDATE SET value = value + 1");
  }
  if (st.ok()) st = Step("COMMIT");
  if (!st.ok() && !db_->autocommit()) db_->Exec("ROLLBACK");
}

Status KvLog::Compact(int64_t revision) {
  Status st = Step("BEGIN");
  if (st.ok()) {
    sqlite3_stmt* s = db_->Prepare(kCompact);
    if (!s) {
      st = db_->Error(Code::kUnavailable, "prepare compaction on");
    } else {
      Stmt q(s);
      q.Int(1, revision);
      if (q.Step() != SQLITE_DONE) st = db_->Error(Code::kUnavailable, "compact");
    }
  }
  if (st.ok()) {
    sqlite3_stmt* s = db_->Prepare(
        "INSERT OR REPLACE INTO meta(name, value) VALUES('compact_revision', ?1)");
    Stmt q(s);
    q.Int(1, revision);
    if (q.Step() != SQLITE_DONE) st = db_->Error(Code::kUnavailable, "record compaction in");
  }
  if (st.ok()) st = Step("COMMIT");
  if (st.ok()) return st;
  RecoverAfterFailure();
  return Unavailable("compaction failed: " + st.message());
}

Status KvLog::Checkpoint() {
  sqlite3_stmt* s = db_->Prepare("PRAGMA wal_checkpoint(TRUNCATE)");
  if (!s) return db_->Error(Code::kUnavailable, "prepare checkpoint on");
  Stmt q(s);
  int rc = q.Step();
  if (rc != SQLITE_ROW) return db_->Error(Code::kUnavailable, "checkpoint");
  if (q.ColInt(0) != 0) return Unavailable("checkpoint of " + db_->path() + " was blocked by readers");
  return Status::Ok();
}

}  // namespace cluster::store
