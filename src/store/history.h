// Reads of the on-disk history (revisions older than the in-memory state): ranges at a past
// revision and the events of a revision window for watch catch-up. Uses its own SQLite
// connection, so it never waits for the writer (WAL readers see the last commit). Each read
// runs in one read transaction that also re-checks the compact revision, so a concurrent
// compaction yields kGone rather than partial data. Thread-safe: calls are serialized on mu_.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/keyspace.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace cluster::store {

Status CompactedError();

class HistoryReader {
 public:
  static Result<std::shared_ptr<HistoryReader>> Open(const std::string& path);

  // The range as it was at `revision`.
  Result<RangeResponse> Range(const RangeRequest& req, int64_t revision);
  // Appends the events with from <= revision <= to whose key is in bounds, in revision order.
  Status Events(int64_t from, int64_t to, const KeyBounds& b, std::vector<Event>* out);
  // Database size on disk and in live pages.
  Status Sizes(int64_t* in_use);
  // Ends reads: later calls return kUnavailable.
  void Close();

 private:
  explicit HistoryReader(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  Status BeginAt(int64_t revision);  // starts a read txn; kGone when revision is compacted
  void End();
  Status ScanRange(const RangeRequest& req, int64_t revision, RangeResponse* out);
  Status ScanEvents(int64_t from, int64_t to, const KeyBounds& b, std::vector<Event>* out);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;  // guarded by mu_; null once closed
};

}  // namespace cluster::store
