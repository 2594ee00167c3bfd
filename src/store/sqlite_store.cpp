#include "store/sqlite_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "common/log.h"
#include "store/sqlite_store_impl.h"

namespace cluster::store {
namespace {

Status StoreClosed() { return Unavailable("store is closed"); }

// An exclusive flock on <db>.lock keeps two servers off one database. Returns the fd.
Result<int> LockDatabase(const std::string& path) {
  std::string lock_path = path + ".lock";
  int fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("open " + lock_path + ": " + std::strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    close(fd);
    if (err == EWOULDBLOCK) {
      return Unavailable("database " + path + " is in use by another process (" + lock_path + ")");
    }
    return Internal("lock " + lock_path + ": " + std::strerror(err));
  }
  return fd;
}

Status MakeParentDirs(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) return Internal("create " + parent.string() + ": " + ec.message());
  return Status::Ok();
}

int64_t RandomLeaseId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  int64_t id;
  do {
    id = static_cast<int64_t>(rng() >> 1);  // positive
  } while (id == 0);
  return id;
}

int64_t FileSize(const std::string& path) {
  std::error_code ec;
  auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

Result<std::unique_ptr<Store>> OpenLocked(const std::string& path, const StoreOptions& opts,
                                          int lock_fd) {
  ASSIGN_OR_RETURN(auto log, KvLog::Open(path));
  LoadedState state;
  RETURN_IF_ERROR(log->Load(&state));
  ASSIGN_OR_RETURN(auto history, HistoryReader::Open(path));
  LOG_INFO("store") << "opened " << path << " at revision " << state.revision << " ("
                    << state.live.size() << " keys, " << state.leases.size()
                    << " leases, compacted at " << state.compact_revision << ")";
  auto store = std::make_unique<SqliteStore>(path, opts, lock_fd, std::move(log),
                                             std::move(history), std::move(state));
  store->Start();
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const StoreOptions& opts) {
  RETURN_IF_ERROR(MakeParentDirs(path));
  ASSIGN_OR_RETURN(int lock_fd, LockDatabase(path));
  auto opened = OpenLocked(path, opts, lock_fd);
  if (!opened.ok()) close(lock_fd);
  return opened;
}

SqliteStore::SqliteStore(std::string path, const StoreOptions& opts, int lock_fd,
                         std::unique_ptr<KvLog> log, std::shared_ptr<HistoryReader> history,
                         LoadedState state)
    : path_(std::move(path)),
      opts_(opts),
      lock_fd_(lock_fd),
      log_(std::move(log)),
      history_(std::move(history)),
      live_(std::move(state.live)),
      revision_(state.revision),
      compact_revision_(state.compact_revision) {
  leases_.Load(state.leases, live_);
  hub_ = std::make_shared<WatchHub>(opts.event_ring, opts.watch_buffer, state.revision, history_);
  samples_.emplace_back(std::chrono::steady_clock::now(), state.revision);
}

SqliteStore::~SqliteStore() { Close(); }

void SqliteStore::Close() {
  std::lock_guard<std::mutex> close_lock(close_mu_);
  if (closed_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> l(maint_mu_);
    maint_stop_ = true;
  }
  maint_cv_.notify_all();
  if (maintenance_.joinable()) maintenance_.join();
  {
    std::lock_guard<std::mutex> l(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  hub_->CloseAll(StoreClosed());
  history_->Close();
  log_.reset();  // the last connection: checkpoints and removes the WAL
  if (lock_fd_ >= 0) close(lock_fd_);
  lock_fd_ = -1;
  LOG_INFO("store") << "closed " << path_ << " at revision " << revision_.load();
}

Result<RangeResponse> SqliteStore::Range(const RangeRequest& req) {
  if (closed_.load()) return StoreClosed();
  {
    std::shared_lock<std::shared_mutex> l(state_mu_);
    int64_t current = revision_.load();
    if (req.revision == 0 || req.revision == current) {
      return RangeOver(MapView{live_}, req, current);
    }
    if (req.revision > current) return BadRequest("mvcc: required revision is a future revision");
  }
  if (req.revision <= compact_revision_.load()) return CompactedError();
  return history_->Range(req, req.revision);
}

Result<KeyValue> SqliteStore::Get(const std::string& key, int64_t revision) {
  RangeRequest req;
  req.key = key;
  req.revision = revision;
  ASSIGN_OR_RETURN(RangeResponse resp, Range(req));
  if (resp.kvs.empty()) return NotFound("key not found: " + key);
  return std::move(resp.kvs.front());
}

Result<PutResponse> SqliteStore::Put(const PutRequest& req) {
  PutResponse resp;
  WriteFn fn = [&](WriteBatch& b) { return b.Put(req, &resp); };
  RETURN_IF_ERROR(Submit(fn));
  return resp;
}

Result<DeleteResponse> SqliteStore::Delete(const DeleteRequest& req) {
  DeleteResponse resp;
  WriteFn fn = [&](WriteBatch& b) { return b.Delete(req, &resp); };
  RETURN_IF_ERROR(Submit(fn));
  return resp;
}

Result<TxnResponse> SqliteStore::Txn(const TxnRequest& req) {
  TxnResponse resp;
  WriteFn fn = [&](WriteBatch& b) { return ExecuteTxn(b, req, &resp); };
  RETURN_IF_ERROR(Submit(fn));
  return resp;
}

Result<int64_t> SqliteStore::Create(const std::string& key, const std::string& value,
                                    int64_t lease) {
  PutRequest put{key, value, lease};
  PutResponse resp;
  WriteFn fn = [&](WriteBatch& b) {
    if (b.Find(key)) return AlreadyExists("key already exists: " + key);
    return b.Put(put, &resp);
  };
  RETURN_IF_ERROR(Submit(fn));
  return resp.revision;
}

Result<int64_t> SqliteStore::Update(const std::string& key, const std::string& value,
                                    int64_t expected_mod_revision, int64_t lease) {
  PutRequest put{key, value, lease};
  PutResponse resp;
  WriteFn fn = [&](WriteBatch& b) {
    const KeyValue* cur = b.Find(key);
    if (!cur) return NotFound("key not found: " + key);
    if (expected_mod_revision != 0 && cur->mod_revision != expected_mod_revision) {
      return Conflict("key " + key + " was modified at revision " +
                      std::to_string(cur->mod_revision) + ", expected " +
                      std::to_string(expected_mod_revision));
    }
    return b.Put(put, &resp);
  };
  RETURN_IF_ERROR(Submit(fn));
  return resp.revision;
}

Result<KeyValue> SqliteStore::DeleteKey(const std::string& key, int64_t expected_mod_revision) {
  DeleteRequest del{key, "", true};
  DeleteResponse resp;
  WriteFn fn = [&](WriteBatch& b) {
    const KeyValue* cur = b.Find(key);
    if (!cur) return NotFound("key not found: " + key);
    if (expected_mod_revision != 0 && cur->mod_revision != expected_mod_revision) {
      return Conflict("key " + key + " was modified at revision " +
                      std::to_string(cur->mod_revision) + ", expected " +
                      std::to_string(expected_mod_revision));
    }
    return b.Delete(del, &resp);
  };
  RETURN_IF_ERROR(Submit(fn));
  KeyValue deleted = std::move(resp.prev_kvs.front());
  deleted.mod_revision = resp.revision;
  return deleted;
}

Result<std::unique_ptr<WatchStream>> SqliteStore::Watch(const WatchRequest& req) {
  if (closed_.load()) return StoreClosed();
  return hub_->Watch(req, compact_revision_.load());
}

Result<int64_t> SqliteStore::LeaseGrant(int64_t ttl_seconds, int64_t id) {
  if (id < 0) return BadRequest("etcdserver: lease id must be positive");
  int64_t ttl = std::max<int64_t>(ttl_seconds, 1);
  int64_t granted = id;
  WriteFn fn = [&](WriteBatch& b) {
    if (id == 0) {
      do granted = RandomLeaseId();
      while (b.LeaseExists(granted));
    }
    return b.LeaseGrant(granted, ttl);
  };
  RETURN_IF_ERROR(Submit(fn));
  return granted;
}

Status SqliteStore::LeaseRevoke(int64_t id) {
  WriteFn fn = [id](WriteBatch& b) { return b.LeaseRevoke(id); };
  return Submit(fn);
}

Result<int64_t> SqliteStore::LeaseKeepAlive(int64_t id) {
  if (closed_.load()) return StoreClosed();
  return leases_.KeepAlive(id);
}

Result<LeaseInfo> SqliteStore::LeaseTimeToLive(int64_t id, bool keys) {
  if (closed_.load()) return StoreClosed();
  return leases_.Info(id, keys);
}

std::vector<LeaseInfo> SqliteStore::Leases() { return leases_.List(); }

StoreStatus SqliteStore::GetStatus() {
  StoreStatus st;
  st.revision = revision_.load();
  st.compact_revision = compact_revision_.load();
  st.db_size = FileSize(path_) + FileSize(path_ + "-wal");
  if (!history_->Sizes(&st.db_size_in_use).ok()) st.db_size_in_use = 0;
  std::shared_lock<std::shared_mutex> l(state_mu_);
  st.keys = static_cast<int64_t>(live_.size());
  return st;
}

}  // namespace cluster::store
