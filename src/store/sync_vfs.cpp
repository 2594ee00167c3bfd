#include "store/sync_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <mutex>

#include "store/sqlite_store.h"

namespace cluster::store {
namespace {

std::atomic<int64_t> g_sync_count{0};
std::atomic<bool> g_fail_syncs{false};

sqlite3_vfs* g_base = nullptr;  // the default VFS; written once under call_once
sqlite3_vfs g_vfs;               // our copy of it with xOpen replaced
sqlite3_io_methods g_methods;    // forwarding methods installed on every wrapped file

// A wrapped file: our sqlite3_file header, the real file's storage follows in the same block.
struct WrapFile {
  sqlite3_file base;
  sqlite3_file* real;
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<WrapFile*>(f)->real; }
const sqlite3_io_methods* M(sqlite3_file* f) { return Real(f)->pMethods; }

int Close(sqlite3_file* f) { return M(f)->xClose(Real(f)); }
int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return M(f)->xRead(Real(f), buf, n, off);
}
int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  return M(f)->xWrite(Real(f), buf, n, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) { return M(f)->xTruncate(Real(f), size); }
int Sync(sqlite3_file* f, int flags) {
  g_sync_count.fetch_add(1, std::memory_order_relaxed);
  if (g_fail_syncs.load(std::memory_order_relaxed)) return SQLITE_IOERR_FSYNC;
  return M(f)->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) { return M(f)->xFileSize(Real(f), size); }
int Lock(sqlite3_file* f, int level) { return M(f)->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return M(f)->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) { return M(f)->xCheckReservedLock(Real(f), out); }
int FileControl(sqlite3_file* f, int op, void* arg) { return M(f)->xFileControl(Real(f), op, arg); }
int SectorSize(sqlite3_file* f) { return M(f)->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) { return M(f)->xDeviceCharacteristics(Real(f)); }

int ShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  if (M(f)->iVersion < 2) return SQLITE_IOERR;
  return M(f)->xShmMap(Real(f), page, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  if (M(f)->iVersion < 2) return SQLITE_IOERR;
  return M(f)->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) {
  if (M(f)->iVersion >= 2) M(f)->xShmBarrier(Real(f));
}
int ShmUnmap(sqlite3_file* f, int del) {
  if (M(f)->iVersion < 2) return SQLITE_OK;
  return M(f)->xShmUnmap(Real(f), del);
}
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  if (M(f)->iVersion < 3) {
    *out = nullptr;
    return SQLITE_OK;
  }
  return M(f)->xFetch(Real(f), off, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  if (M(f)->iVersion < 3) return SQLITE_OK;
  return M(f)->xUnfetch(Real(f), off, p);
}

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* w = reinterpret_cast<WrapFile*>(file);
  w->real = reinterpret_cast<sqlite3_file*>(w + 1);
  w->real->pMethods = nullptr;
  int rc = g_base->xOpen(g_base, name, w->real, flags, out_flags);
  // SQLite calls xClose iff pMethods is set, even when xOpen failed: mirror the real file.
  w->base.pMethods = w->real->pMethods ? &g_methods : nullptr;
  return rc;
}

void Register() {
  g_base = sqlite3_vfs_find(nullptr);
  g_vfs = *g_base;  // other entry points keep the base's pAppData, which they rely on
  g_vfs.zName = "cluster_sync";
  g_vfs.pNext = nullptr;
  g_vfs.szOsFile = static_cast<int>(sizeof(WrapFile)) + g_base->szOsFile;
  g_vfs.xOpen = Open;

  g_methods = sqlite3_io_methods{};
  g_methods.iVersion = 3;
  g_methods.xClose = Close;
  g_methods.xRead = Read;
  g_methods.xWrite = Write;
  g_methods.xTruncate = Truncate;
  g_methods.xSync = Sync;
  g_methods.xFileSize = FileSize;
  g_methods.xLock = Lock;
  g_methods.xUnlock = Unlock;
  g_methods.xCheckReservedLock = CheckReservedLock;
  g_methods.xFileControl = FileControl;
  g_methods.xSectorSize = SectorSize;
  g_methods.xDeviceCharacteristics = DeviceCharacteristics;
  g_methods.xShmMap = ShmMap;
  g_methods.xShmLock = ShmLock;
  g_methods.xShmBarrier = ShmBarrier;
  g_methods.xShmUnmap = ShmUnmap;
  g_methods.xFetch = Fetch;
  g_methods.xUnfetch = Unfetch;
  sqlite3_vfs_register(&g_vfs, /*makeDflt=*/0);
}

}  // namespace

const char* SyncVfsName() {
  static std::once_flag once;
  std::call_once(once, Register);
  return g_vfs.zName;
}

int64_t SyncHooksForTest::SyncCount() { return g_sync_count.load(); }
void SyncHooksForTest::SetFailSyncs(bool fail) { g_fail_syncs.store(fail); }

}  // namespace cluster::store
