// SqliteStore: the Store on SQLite (format in sqlite_store.h). Internal to src/store.
//
// Threads: callers (any number), one writer thread (owns the KvLog, evaluates and commits
// write groups, publishes), one maintenance thread (lease expiry, automatic compaction).
// Write path: a caller enqueues a Request and waits on its condition variable; the writer
// drains every queued request, evaluates them in order on a WriteBatch, commits the group in
// one transaction, applies it to live_/leases_/hub_, then wakes each caller with its result.
#pragma once

#include <semaphore.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/history.h"
#include "store/keyspace.h"
#include "store/kv_log.h"
#include "store/lease_table.h"
#include "store/watch_hub.h"
#include "store/write_batch.h"

namespace cluster::store {

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, const StoreOptions& opts, int lock_fd, std::unique_ptr<KvLog> log,
              std::shared_ptr<HistoryReader> history, LoadedState state);
  ~SqliteStore() override;

  Result<RangeResponse> Range(const RangeRequest& req) override;
  Result<PutResponse> Put(const PutRequest& req) override;
  Result<DeleteResponse> Delete(const DeleteRequest& req) override;
  Result<TxnResponse> Txn(const TxnRequest& req) override;
  Result<KeyValue> Get(const std::string& key, int64_t revision) override;
  Result<int64_t> Create(const std::string& key, const std::string& value, int64_t lease) override;
  Result<int64_t> Update(const std::string& key, const std::string& value,
                         int64_t expected_mod_revision, int64_t lease) override;
  Result<KeyValue> DeleteKey(const std::string& key, int64_t expected_mod_revision) override;
  Result<std::unique_ptr<WatchStream>> Watch(const WatchRequest& req) override;
  Status Compact(int64_t revision) override;
  Result<int64_t> LeaseGrant(int64_t ttl_seconds, int64_t id) override;
  Status LeaseRevoke(int64_t id) override;
  Result<int64_t> LeaseKeepAlive(int64_t id) override;
  Result<LeaseInfo> LeaseTimeToLive(int64_t id, bool keys) override;
  std::vector<LeaseInfo> Leases() override;
  int64_t CurrentRevision() const override { return revision_.load(); }
  int64_t CompactRevision() const override { return compact_revision_.load(); }
  StoreStatus GetStatus() override;
  void Close() override;

  void Start();  // starts the writer and maintenance threads

 private:
  using WriteFn = std::function<Status(WriteBatch&)>;
  using LogFn = std::function<Status(KvLog&)>;
  struct Request {
    const WriteFn* write = nullptr;     // evaluated within a group
    const LogFn* exclusive = nullptr;  // or run alone between groups
    Status status;  // written by the writer before it posts `done`
    // The caller sleeps on its own semaphore: waking a group costs one futex wake per caller
    // and no shared lock. (glibc's sem_post does not touch the semaphore after waking the
    // waiter, so the caller may destroy it as soon as sem_wait returns.)
    sem_t done;
    Request() { sem_init(&done, 0, 0); }
    ~Request() { sem_destroy(&done); }
  };

  // Writer side (store_writer.cpp).
  Status Submit(const WriteFn& fn);
  Status SubmitExclusive(const LogFn& fn);
  Status Enqueue(Request* r);
  void WriterLoop();
  void RunGroup(Request* const* begin, Request* const* end);
  void RunExclusive(Request* r);
  void Publish(WriteBatch& batch);
  void Finish(Request* const* begin, Request* const* end);

  // Maintenance side (store_writer.cpp).
  void MaintenanceLoop();
  void ExpireLeases();
  void AutoCompact(std::chrono::steady_clock::time_point now);
  Status CompactTo(int64_t revision);

  const std::string path_;
  const StoreOptions opts_;
  int lock_fd_;
  std::unique_ptr<KvLog> log_;  // used by the writer thread only
  std::shared_ptr<HistoryReader> history_;
  std::shared_ptr<WatchHub> hub_;
  LeaseTable leases_;

  mutable std::shared_mutex state_mu_;
  KeyMap live_;  // guarded by state_mu_; modified only by the writer thread
  std::atomic<int64_t> revision_;  // stored under state_mu_ (exclusive) by the writer
  std::atomic<int64_t> compact_revision_;
  std::atomic<bool> closed_{false};

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<Request*> queue_;  // guarded by queue_mu_
  bool stopping_ = false;        // guarded by queue_mu_

  std::mutex maint_mu_;
  std::condition_variable maint_cv_;
  bool maint_stop_ = false;  // guarded by maint_mu_
  // (time, revision current then): samples for automatic compaction; maintenance thread only.
  std::deque<std::pair<std::chrono::steady_clock::time_point, int64_t>> samples_;

  std::mutex close_mu_;  // serializes Close()
  std::thread writer_;
  std::thread maintenance_;
};

}  // namespace cluster::store
