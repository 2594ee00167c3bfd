// Listeners of the etcd API: one cpp-httplib server per listen URL, routing to handlers.h.
#include <httplib.h>

#include <atomic>
#include <thread>

#include "common/log.h"
#include "server/etcd_api/etcd_api.h"
#include "server/etcd_api/handlers.h"
#include "server/etcd_api/watch.h"
#include "server/http/task_queue.h"

namespace cluster::server {
namespace {

using etcd::Reply;
using Handler = Reply (*)(store::Store*, std::string_view);

constexpr const char* kComponent = "etcd-api";

struct Route {
  const char* path;
  Handler fn;
};

const Route kRoutes[] = {
    {"/v3/kv/range", etcd::HandleRange},
    {"/v3/kv/put", etcd::HandlePut},
    {"/v3/kv/deleterange", etcd::HandleDeleteRange},
    {"/v3/kv/txn", etcd::HandleTxn},
    {"/v3/kv/compaction", etcd::HandleCompaction},
    {"/v3/lease/grant", etcd::HandleLeaseGrant},
    {"/v3/lease/revoke", etcd::HandleLeaseRevoke},
    {"/v3/kv/lease/revoke", etcd::HandleLeaseRevoke},  // etcd 3.4 serves both spellings
    {"/v3/lease/keepalive", etcd::HandleLeaseKeepAlive},
    {"/v3/lease/timetolive", etcd::HandleLeaseTimeToLive},
    {"/v3/kv/lease/timetolive", etcd::HandleLeaseTimeToLive},
    {"/v3/lease/leases", etcd::HandleLeaseLeases},
    {"/v3/kv/lease/leases", etcd::HandleLeaseLeases},
    {"/v3/maintenance/status", etcd::HandleStatus},
};

void SetReply(httplib::Response& res, const Reply& r) {
  res.status = r.http_status;
  res.set_content(r.body, "application/json");
}

struct ListenUrl {
  bool tls = false;
  std::string host;
  int port = 0;
};

Result<ListenUrl> ParseListenUrl(const std::string& url) {
  ListenUrl out;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    out.tls = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return BadRequest(url + ": scheme must be http:// or https://");
  }
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon + 1 == rest.size())
    return BadRequest(url + ": missing port");
  out.host = rest.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']')
    out.host = out.host.substr(1, out.host.size() - 2);
  std::string port = rest.substr(colon + 1);
  if (out.host.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos)
    return BadRequest(url + ": bad host or port");
  out.port = std::stoi(port);
  if (out.port > 65535) return BadRequest(url + ": bad port");
  return out;
}

// Error bodies for answers cpp-httplib makes itself (unknown path, body too large, bad HTTP).
httplib::Server::HandlerResponse OnError(size_t max_body, const httplib::Request&,
                                         httplib::Response& res) {
  if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
  Reply r;
  if (res.status == 413) {
    r = etcd::ErrorReply(
        etcd::Grpc::kResourceExhausted,
        "etcdserver: request is too large (limit " + std::to_string(max_body) + " bytes)");
  } else if (res.status == 404) {
    r = etcd::ErrorReply(etcd::Grpc::kNotFound, "Not Found");
  } else {
    r = etcd::ErrorReply(etcd::Grpc::kInvalidArgument,
                         "HTTP request refused with status " + std::to_string(res.status));
  }
  res.set_content(r.body, "application/json");
  return httplib::Server::HandlerResponse::Handled;
}

// Reads the request body. Handlers take a ContentReader because cpp-httplib otherwise parses
// bodies sent as application/x-www-form-urlencoded (curl -d's default) and refuses those over
// 8 KiB; the gateway ignores the content type. False when the body is refused (res set).
bool ReadBody(const httplib::ContentReader& reader, size_t max_body, httplib::Response& res,
              std::string* body) {
  bool too_large = false;
  bool ok = reader([&](const char* data, size_t len) {
    too_large = body->size() + len > max_body;
    if (!too_large) body->append(data, len);
    return !too_large;
  });
  if (ok) return true;
  Reply r = etcd::ErrorReply(etcd::Grpc::kInvalidArgument, "cannot read the request body");
  if (too_large || res.status == 413) {
    r = etcd::ErrorReply(
        etcd::Grpc::kResourceExhausted,
        "etcdserver: request is too large (limit " + std::to_string(max_body) + " bytes)");
    r.http_status = 413;
  }
  SetReply(res, r);
  res.set_header("Connection", "close");  // the rest of the body was not read
  return false;
}

void AddRoutes(httplib::Server* srv, store::Store* s, size_t max_body,
               const std::shared_ptr<etcd::WatchRegistry>& watches) {
  for (const Route& route : kRoutes) {
    Handler fn = route.fn;
    srv->Post(route.path, [s, fn, max_body](const httplib::Request&, httplib::Response& res,
                                            const httplib::ContentReader& reader) {
      std::string body;
      if (ReadBody(reader, max_body, res, &body)) SetReply(res, fn(s, body));
    });
  }
  srv->Post("/v3/watch", [s, watches, max_body](const httplib::Request& req, httplib::Response& res,
                                                const httplib::ContentReader& reader) {
    std::string body;
    if (ReadBody(reader, max_body, res, &body)) etcd::HandleWatch(s, watches, req, body, res);
  });
  // The gateway answers every verb but POST with 405.
  auto not_allowed = [](const httplib::Request& req, httplib::Response& res) {
    Reply r = etcd::ErrorReply(etcd::Grpc::kUnimplemented, "Method Not Allowed: " + req.method);
    r.http_status = 405;
    SetReply(res, r);
  };
  srv->Get("/v3/.*", not_allowed);
  srv->Put("/v3/.*", not_allowed);
  srv->Delete("/v3/.*", not_allowed);
  srv->Patch("/v3/.*", not_allowed);
  srv->Options("/v3/.*", not_allowed);
}

void Configure(httplib::Server* srv, const EtcdApiOptions& opts) {
  srv->new_task_queue = [] { return new ConnectionTaskQueue(4096); };
  srv->set_tcp_nodelay(true);  // small replies and watch lines must not wait for Nagle
  srv->set_keep_alive_max_count(100000);
  srv->set_keep_alive_timeout(5);
  srv->set_read_timeout(30, 0);
  srv->set_write_timeout(30, 0);
  srv->set_payload_max_length(opts.max_body_bytes);
  size_t max_body = opts.max_body_bytes;
  srv->set_error_handler(httplib::Server::HandlerWithResponse(
      [max_body](const httplib::Request& req, httplib::Response& res) {
        return OnError(max_body, req, res);
      }));
  srv->set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
        LOG_ERROR(kComponent) << "handler for " << req.path << " threw";
        SetReply(res, etcd::ErrorReply(etcd::Grpc::kInternal, "internal error"));
      });
}

class EtcdApiServerImpl : public EtcdApiServer {
 public:
  ~EtcdApiServerImpl() override { Stop(); }

  std::vector<int> Ports() const override { return ports_; }

  void Stop() override {
    if (stopped_.exchange(true)) return;
    watches_->CancelAll();  // open watches end within one poll interval
    for (auto& srv : servers_) srv->stop();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

  Status Listen(store::Store* s, const EtcdApiOptions& opts, const std::string& url) {
    ASSIGN_OR_RETURN(ListenUrl u, ParseListenUrl(url));
    std::unique_ptr<httplib::Server> srv;
    if (u.tls) {
      if (opts.cert_file.empty() || opts.key_file.empty() || opts.client_ca_file.empty())
        return BadRequest(url + ": https needs a certificate, a key and a client CA");
      srv = std::make_unique<httplib::SSLServer>(opts.cert_file.c_str(), opts.key_file.c_str(),
                                                 opts.client_ca_file.c_str());
    } else {
      srv = std::make_unique<httplib::Server>();
    }
    if (!srv->is_valid()) return Internal(url + ": cannot load the TLS certificate, key or CA");
    Configure(srv.get(), opts);
    AddRoutes(srv.get(), s, opts.max_body_bytes, watches_);
    int port = u.port;
    if (port == 0) {
      port = srv->bind_to_any_port(u.host);
      if (port < 0) return Unavailable(url + ": cannot bind");
    } else if (!srv->bind_to_port(u.host, port)) {
      return Unavailable(url + ": cannot bind (address in use?)");
    }
    httplib::Server* raw = srv.get();
    servers_.push_back(std::move(srv));
    ports_.push_back(port);
    threads_.emplace_back([raw, url] {
      if (!raw->listen_after_bind()) {
        LOG_V(1, kComponent) << url << ": listener ended";
      }
    });
    return Status::Ok();
  }

 private:
  std::shared_ptr<etcd::WatchRegistry> watches_ = std::make_shared<etcd::WatchRegistry>();
  std::vector<std::unique_ptr<httplib::Server>> servers_;
  std::vector<std::thread> threads_;
  std::vector<int> ports_;
  std::atomic<bool> stopped_{false};
};

}  // namespace

std::string ClientUrls(const EtcdApiOptions& opts, const EtcdApiServer& server) {
  std::vector<int> ports = server.Ports();
  std::string out;
  for (size_t i = 0; i < opts.listen_urls.size() && i < ports.size(); ++i) {
    auto u = ParseListenUrl(opts.listen_urls[i]);
    if (!u.ok()) continue;
    std::string host = u->host;
    if (host == "0.0.0.0" || host == "::" || host.empty()) host = "127.0.0.1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    out +=
        std::string(u->tls ? "https://" : "http://") + host + ":" + std::to_string(ports[i]) + "\n";
  }
  return out;
}

Result<std::unique_ptr<EtcdApiServer>> StartEtcdApi(store::Store* store,
                                                    const EtcdApiOptions& opts) {
  auto server = std::make_unique<EtcdApiServerImpl>();
  for (const std::string& url : opts.listen_urls) {
    Status st = server->Listen(store, opts, url);
    if (!st.ok()) return st;  // the destructor stops the listeners already started
  }
  return std::unique_ptr<EtcdApiServer>(std::move(server));
}

}  // namespace cluster::server
