#include "store/store.h"

#include "store/sqlite_store.h"

namespace cluster::store {

std::string PrefixEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    unsigned char c = static_cast<unsigned char>(end.back());
    if (c < 0xff) {
      end.back() = static_cast<char>(c + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every key
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const StoreOptions& opts) {
  // Backends are chosen by scheme, as kine does; "sqlite://" is the only one today.
  static const std::string kSqlite = "sqlite://";
  if (url.rfind(kSqlite, 0) == 0) {
    std::string path = url.substr(kSqlite.size());
    auto q = path.find('?');
    if (q != std::string::npos) path.resize(q);
    if (path.empty()) return BadRequest("datastore endpoint " + url + ": missing path");
    return OpenSqliteStore(path, opts);
  }
  return BadRequest("datastore endpoint " + url + ": unknown scheme (supported: sqlite://)");
}

}  // namespace cluster::store
