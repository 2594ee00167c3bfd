// The store exposed as etcd 3.4's v3 JSON gateway (grpc-gateway form): POST /v3/kv/range,
// /v3/kv/put, /v3/kv/deleterange, /v3/kv/txn, /v3/kv/compaction, /v3/watch (streaming, each
// message wrapped in {"result":...}), /v3/lease/{grant,revoke,keepalive,timetolive,leases},
// /v3/maintenance/status. Keys and values are base64, int64s are JSON strings, field names are
// etcd's snake_case, zero values are left out, so a client written for etcd 3.4's gateway works
// unchanged. Errors are {"error":..,"message":..,"code":N} with gRPC codes, as the gateway.
//
// Thread-safe; owns its listener threads. Stop() ends open watches and joins.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace cluster::server {

struct EtcdApiOptions {
  // "https://127.0.0.1:2379" (mutual TLS with the options below) or "http://..." (plain,
  // only when asked for explicitly).
  std::vector<std::string> listen_urls = {"https://127.0.0.1:2379"};
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;  // client certificates must be signed by this CA
  size_t max_body_bytes = 8 * 1024 * 1024;
};

class EtcdApiServer {
 public:
  virtual ~EtcdApiServer() = default;
  // Ports actually bound, in listen_urls order (useful with port 0).
  virtual std::vector<int> Ports() const = 0;
  virtual void Stop() = 0;
};

// Binds every URL and starts serving; an error names the URL that failed.
Result<std::unique_ptr<EtcdApiServer>> StartEtcdApi(store::Store* store,
                                                    const EtcdApiOptions& opts);

// The listen URLs as a local client reaches them: actual ports, wildcard hosts as 127.0.0.1.
// Written one per line to client::EtcdEndpointsFile so `cluster etcdctl` finds the API.
std::string ClientUrls(const EtcdApiOptions& opts, const EtcdApiServer& server);

}  // namespace cluster::server
