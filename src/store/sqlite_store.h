// The SQLite backend of Store (see store.h for the contract).
//
// On-disk format (WAL mode, synchronous=FULL), one row per key written by each revision:
//   kv(id INTEGER PRIMARY KEY,            -- insertion order (= revision order)
//      revision, key BLOB, create_revision, prev_revision, version, lease,
//      value BLOB, old_value BLOB, deleted INTEGER)
//      UNIQUE INDEX kv_key_revision(key, revision), INDEX kv_revision(revision)
//   meta(name TEXT PRIMARY KEY, value INTEGER)   -- schema_version, compact_revision
//   leases(id INTEGER PRIMARY KEY, ttl INTEGER)
// A txn or a multi-key delete writes several rows with the same revision (hence `id`, not
// `revision`, is the row key). prev_revision/old_value are the key's previous mod_revision and
// value (0/empty when it did not exist). Deletes append tombstone rows (deleted=1, empty
// value) that keep the deleted value's create_revision/version/lease. Compaction at C removes
// every row at or below C except each key's newest row at or below C when that row is not a
// tombstone; the current revision is max(MAX(revision), compact_revision), so it never goes
// back. The latest value of every live key is held in memory; the file is the history.
// A sibling file <db>.lock is flock()ed while a store has the database open.
#pragma once

#include <memory>
#include <string>

#include "store/store.h"

namespace cluster::store {

// Test hooks on the SQLite file-system layer (durability tests).
struct SyncHooksForTest {
  // Number of fsyncs SQLite asked for since process start, across every store.
  static int64_t SyncCount();
  // When set, every sync fails with an I/O error (the write must then be refused).
  static void SetFailSyncs(bool fail);
};

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const StoreOptions& opts);

}  // namespace cluster::store
