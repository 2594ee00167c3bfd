// The on-disk log (format in sqlite_store.h), writer side: opening with integrity checks,
// loading the state at startup, committing write groups, compaction. Owned and used by the
// writer thread only (after Open/Load, which run before the writer starts).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/keyspace.h"
#include "store/lease_table.h"
#include "store/sqlite_db.h"

namespace cluster::store {

struct LoadedState {
  KeyMap live;
  std::vector<std::pair<int64_t, int64_t>> leases;  // (id, ttl)
  int64_t revision = 0;
  int64_t compact_revision = 0;
};

class KvLog {
 public:
  // Opens or creates the database; kInternal naming the file when it is corrupt.
  static Result<std::unique_ptr<KvLog>> Open(const std::string& path);

  Status Load(LoadedState* out);
  // Persists one write group in one transaction (one sync). On failure nothing of the group
  // is persisted, kUnavailable is returned, and the log is ready for the next group.
  Status Commit(const std::vector<Event>& events, const std::vector<LeaseChange>& leases);
  // Drops rows superseded at or below `revision` and records it as the compact revision.
  Status Compact(int64_t revision);
  // Copies the WAL into the database and truncates it.
  Status Checkpoint();

 private:
  explicit KvLog(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  static Status Configure(SqliteDb& db);
  Status CheckIntegrity();
  Status CreateOrVerifySchema(bool existed);
  Status Step(const char* sql);
  Status InsertEvent(const Event& e);
  Status WriteLease(const LeaseChange& c);
  Status LoadLive(LoadedState* out);
  Status LoadLeases(LoadedState* out);
  Result<int64_t> QueryInt(const char* sql);
  void RecoverAfterFailure();

  std::unique_ptr<SqliteDb> db_;
};

}  // namespace cluster::store
