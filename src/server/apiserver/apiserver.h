// The apiserver's REST engine: one generic path over the resource table (api/resources.h) and
// the store. Handle() serves every request after authentication (the caller fills
// ApiRequest::user); it authorizes, validates, defaults, admits, and reads/writes the store.
// It is the only component that touches the store.
//
// Thread-safe: Handle() may run on any number of threads at once.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "api/resources.h"
#include "server/apiserver/authn.h"
#include "server/apiserver/authz.h"
#include "server/apiserver/sa_token.h"
#include "server/apiserver/types.h"
#include "store/store.h"

namespace cluster::server {

struct ApiServerOptions {
  std::string service_cidr = "10.43.0.0/16";
  std::string node_port_range = "30000-32767";
  api::DefaultingContext defaulting;
  std::string advertise_address = "127.0.0.1";  // for the kubernetes Endpoints
  int advertise_port = 6443;
  std::string ca_pem;  // served at /cacerts
  int64_t max_body_bytes = 3 * 1024 * 1024;
  // Static bearer tokens (the token file); null: none.
  std::shared_ptr<const TokenAuthenticator> tokens;
  // Signs TokenRequests and verifies service account tokens; null: neither is served.
  std::shared_ptr<const ServiceAccountTokens> service_account_tokens;
};

class RestContext;

class ApiServer {
 public:
  ApiServer(store::Store* store, ApiServerOptions opts,
            std::unique_ptr<Authorizer> authorizer = nullptr);
  ~ApiServer();

  ApiResponse Handle(const ApiRequest& req);

  // Creates what every cluster has: the default namespaces and the default/kubernetes Service
  // and Endpoints. Idempotent.
  Status Bootstrap();

  // Ends every open watch (shutdown).
  void CancelWatches();

  const ApiServerOptions& options() const { return opts_; }
  // Every bearer token the server accepts (the token file, then service account tokens): for
  // the HTTPS front, the same that answers TokenReview.
  std::shared_ptr<const TokenAuthenticator> authenticator() const;

 private:
  std::unique_ptr<RestContext> rest_;
  ApiServerOptions opts_;
};

}  // namespace cluster::server
