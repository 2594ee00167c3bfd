// /v3/watch: a WatchRequest body in, a chunked stream of {"result":WatchResponse} lines out
// (created, then event batches; on a compacted start revision a canceled message with
// compact_revision). Internal to src/server/etcd_api.
#pragma once

#include <httplib.h>

#include <memory>
#include <mutex>
#include <set>
#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace cluster::server::etcd {

// The live watch streams of one API server, so Stop() can end them. Thread-safe.
class WatchRegistry {
 public:
  // False once CancelAll() ran (the stream must not start).
  bool Add(store::WatchStream* s);
  void Remove(store::WatchStream* s);
  // Cancels every live stream and refuses new ones.
  void CancelAll();

 private:
  std::mutex mu_;
  std::set<store::WatchStream*> live_;  // guarded by mu_
  bool stopping_ = false;               // guarded by mu_
};

struct WatchCreate {
  store::WatchRequest req;
  int64_t watch_id = 0;
  bool progress_notify = false;
  bool no_put = false;
  bool no_delete = false;
};

// Parses the first request object of a watch body; it must hold a create_request.
Result<WatchCreate> ParseWatchCreate(std::string_view body);

// Serves one /v3/watch request: an error reply, or a streaming response that ends when the
// client goes away, the store ends the stream, or the registry cancels it.
void HandleWatch(store::Store* s, const std::shared_ptr<WatchRegistry>& registry,
                 const httplib::Request& req, const std::string& body, httplib::Response& res);

}  // namespace cluster::server::etcd
