// A thin RAII layer over one SQLite connection: open through the sync-counting VFS, exec,
// and a cache of prepared statements. Not thread-safe: each connection has one owner (the
// writer thread, or whoever holds the history reader's mutex).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"

namespace cluster::store {

// A bound, stepping view of a cached statement; resets it (and its bindings) when destroyed.
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  ~Stmt() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Int(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  // Binds bytes as a BLOB (never NULL, also when empty). The bytes must outlive the step.
  Stmt& Blob(int i, std::string_view v) {
    sqlite3_bind_blob(s_, i, v.data() ? v.data() : "", static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  int Step() { return sqlite3_step(s_); }
  int64_t ColInt(int c) const { return sqlite3_column_int64(s_, c); }
  std::string ColBlob(int c) const {
    const void* p = sqlite3_column_blob(s_, c);
    int n = sqlite3_column_bytes(s_, c);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
  }
  std::string ColText(int c) const {
    const unsigned char* p = sqlite3_column_text(s_, c);
    return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
  }

 private:
  sqlite3_stmt* s_;
};

class SqliteDb {
 public:
  // Opens (creating if `create`) the database at `path` through the sync-counting VFS.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, bool create);
  ~SqliteDb();

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  // Runs one or more statements that return no rows we need.
  Status Exec(const char* sql);
  // A cached prepared statement for `sql` (a string literal); nullptr after a prepare error.
  sqlite3_stmt* Prepare(const char* sql);
  // "<what> <path>: <sqlite message>" as a Status with `code`.
  Status Error(Code code, const std::string& what) const;
  // True when no transaction is open.
  bool autocommit() const { return sqlite3_get_autocommit(db_) != 0; }

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  std::unordered_map<const char*, sqlite3_stmt*> stmts_;
};

}  // namespace cluster::store
