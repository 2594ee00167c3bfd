// A small libcurl client for an etcd v3 JSON gateway (ours or etcd's), used by `cluster
// etcdctl`. Not thread-safe: one instance per thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace cluster::client {

struct GatewaySink;

struct EtcdGatewayConfig {
  std::vector<std::string> endpoints;  // tried in order until one answers
  std::string cacert, cert, key;       // PEM file paths; empty: not used
  long timeout_ms = 5000;              // per call; streams have none
};

class EtcdGateway {
 public:
  explicit EtcdGateway(EtcdGatewayConfig config);
  ~EtcdGateway();

  // POSTs `body` to `path` ("/v3/kv/range"). On HTTP 200 returns the body; otherwise a Status
  // whose message is the gateway's error "message" (or the transport error).
  Result<std::string> Call(const std::string& path, const std::string& body);
  // POSTs and hands each newline-terminated line of the streaming answer to on_line until the
  // server ends the stream or on_line returns false.
  Status Stream(const std::string& path, const std::string& body,
                const std::function<bool(const std::string&)>& on_line);
  // The endpoint the last successful call used.
  const std::string& endpoint() const { return endpoint_; }

 private:
  struct Impl;
  Status Run(const std::string& path, const std::string& body, bool stream, GatewaySink* sink);

  EtcdGatewayConfig config_;
  std::string endpoint_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cluster::client
