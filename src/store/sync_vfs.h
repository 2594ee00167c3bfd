// A SQLite VFS that wraps the platform's default one and counts (and, for tests, fails) every
// xSync. The store opens its connections through it so SyncHooksForTest can prove durability.
#pragma once

namespace cluster::store {

// Registers the VFS on first call (thread-safe) and returns its name for sqlite3_open_v2.
const char* SyncVfsName();

}  // namespace cluster::store
