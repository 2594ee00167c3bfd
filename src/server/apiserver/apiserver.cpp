#include "server/apiserver/apiserver.h"

#include "common/log.h"
#include "server/apiserver/rest.h"

namespace cluster::server {
namespace {

ApiRequest Internal(const std::string& method, const std::string& path, const std::string& body) {
  ApiRequest r;
  r.method = method;
  r.path = path;
  r.body = body;
  r.content_type = "application/json";
  r.user.name = "system:apiserver";
  r.user.groups = {"system:masters"};
  r.authenticated = true;
  return r;
}

Status CreateIfMissing(RestContext* rest, const std::string& path, const std::string& body,
                       const std::string& name) {
  if (rest->Serve(Internal("GET", path + "/" + name, "")).code == 200) return Status::Ok();
  ApiResponse r = rest->Serve(Internal("POST", path, body));
  if (r.code < 300 || r.code == 409) return Status::Ok();
  return Status(Code::kInternal, "creating " + path + ": " + r.body);
}

}  // namespace

ApiServer::ApiServer(store::Store* store, ApiServerOptions opts,
                     std::unique_ptr<Authorizer> authorizer)
    : rest_(std::make_unique<RestContext>(store, opts, std::move(authorizer))),
      opts_(std::move(opts)) {}

ApiServer::~ApiServer() = default;

ApiResponse ApiServer::Handle(const ApiRequest& req) {
  try {
    return rest_->Serve(req);
  } catch (const std::exception& e) {
    LOG_ERROR("apiserver") << req.method << " " << req.path << ": " << e.what();
  } catch (...) {
    LOG_ERROR("apiserver") << req.method << " " << req.path << ": unknown exception";
  }
  return ErrorResponse(
      Status(Code::kInternal, "an error on the server has prevented the request from succeeding"));
}

void ApiServer::CancelWatches() { rest_->CancelWatches(); }

std::shared_ptr<const TokenAuthenticator> ApiServer::authenticator() const {
  return rest_->authenticator();
}

Status ApiServer::Bootstrap() {
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    RETURN_IF_ERROR(CreateIfMissing(
        rest_.get(), "/api/v1/namespaces",
        std::string(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")") + ns + "\"}}",
        ns));
  }
  std::string ip = rest_->allocator().FirstIp();
  std::string port = std::to_string(opts_.advertise_port);
  RETURN_IF_ERROR(CreateIfMissing(
      rest_.get(), "/api/v1/namespaces/default/services",
      R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"kubernetes","namespace":"default",)"
      R"("labels":{"component":"apiserver","provider":"kubernetes"}},"spec":{"clusterIP":")" +
          ip + R"(","ports":[{"name":"https","port":443,"protocol":"TCP","targetPort":)" + port +
          R"(}],"sessionAffinity":"None","type":"ClusterIP"}})",
      "kubernetes"));
  std::string endpoints =
      R"({"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"kubernetes","namespace":"default",)"
      R"("labels":{"endpointslice.kubernetes.io/skip-mirror":"true"}},"subsets":[{"addresses":[{"ip":")" +
      opts_.advertise_address + R"("}],"ports":[{"name":"https","port":)" + port +
      R"(,"protocol":"TCP"}]}]})";
  RETURN_IF_ERROR(CreateIfMissing(rest_.get(), "/api/v1/namespaces/default/endpoints", endpoints,
                                  "kubernetes"));
  // Keep the address current across restarts with a different advertise address.
  ApiResponse r =
      rest_->Serve(Internal("PUT", "/api/v1/namespaces/default/endpoints/kubernetes", endpoints));
  if (r.code >= 300) return Status(Code::kInternal, "updating kubernetes endpoints: " + r.body);
  return Status::Ok();
}

}  // namespace cluster::server
