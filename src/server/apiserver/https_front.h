// The apiserver's HTTPS listener (cpp-httplib): TLS with the serving certificate, client
// certificates requested (not required) and verified against the client CA, authentication
// (client certificate: user = CN, groups = O; bearer tokens from a token file), then
// ApiServer::Handle. Watches stream as chunked responses. Each connection runs on its own
// thread (ConnectionTaskQueue) so open watches never starve other clients.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "server/apiserver/apiserver.h"
#include "server/apiserver/authn.h"

namespace cluster::server {

struct HttpsFrontOptions {
  std::string bind_address = "0.0.0.0";
  int port = 6443;  // 0: any free port
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
  // Bearer tokens (null: none are accepted).
  std::shared_ptr<const TokenAuthenticator> tokens;
  size_t max_body_bytes = 3 * 1024 * 1024;
  size_t max_connections = 8192;
};

class HttpsFront {
 public:
  virtual ~HttpsFront() = default;
  virtual int Port() const = 0;
  virtual void Stop() = 0;
};

Result<std::unique_ptr<HttpsFront>> StartHttpsFront(ApiServer* api, const HttpsFrontOptions& opts);

}  // namespace cluster::server
