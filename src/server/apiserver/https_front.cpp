#include "server/apiserver/https_front.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>

#include <atomic>
#include <fstream>
#include <map>
#include <shared_mutex>
#include <sstream>
#include <thread>

#include "common/log.h"
#include "common/memory_trim.h"
#include "server/apiserver/errors.h"
#include "server/http/task_queue.h"

namespace cluster::server {
namespace {

const char* kComponent = "apiserver";

std::string NameEntry(X509_NAME* name, int nid, int* last) {
  int idx = X509_NAME_get_index_by_NID(name, nid, *last);
  if (idx < 0) return "";
  *last = idx;
  X509_NAME_ENTRY* e = X509_NAME_get_entry(name, idx);
  ASN1_STRING* s = X509_NAME_ENTRY_get_data(e);
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, s);
  if (len < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), len);
  OPENSSL_free(utf8);
  return out;
}

bool UserFromCert(const SSL* ssl, UserInfo* user) {
  if (ssl == nullptr) return false;
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return false;
  bool ok = SSL_get_verify_result(ssl) == X509_V_OK;
  if (ok) {
    X509_NAME* subject = X509_get_subject_name(cert);
    int last = -1;
    user->name = NameEntry(subject, NID_commonName, &last);
    last = -1;
    for (;;) {
      std::string org = NameEntry(subject, NID_organizationName, &last);
      if (last < 0 || org.empty()) break;
      user->groups.push_back(org);
    }
    ok = !user->name.empty();
  }
  X509_free(cert);
  return ok;
}

bool IsPublicPath(const std::string& p) {
  return p == "/version" || p == "/healthz" || p == "/livez" || p == "/readyz" || p == "/cacerts" ||
         p.rfind("/healthz/", 0) == 0 || p.rfind("/livez/", 0) == 0 || p.rfind("/readyz/", 0) == 0;
}

class Front : public HttpsFront {
 public:
  Front(ApiServer* api, HttpsFrontOptions opts) : api_(api), opts_(std::move(opts)) {
    if (!opts_.tokens) opts_.tokens = TokenFileAuthenticator("");
  }
  ~Front() override { Stop(); }

  Status Start() {
    std::string cert = opts_.cert_file, key = opts_.key_file, ca = opts_.client_ca_file;
    server_ = std::make_unique<httplib::SSLServer>([cert, key, ca](SSL_CTX& ctx) {
      SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
      if (SSL_CTX_use_certificate_chain_file(&ctx, cert.c_str()) != 1) return false;
      if (SSL_CTX_use_PrivateKey_file(&ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) return false;
      if (!ca.empty()) {
        if (SSL_CTX_load_verify_locations(&ctx, ca.c_str(), nullptr) != 1) return false;
        SSL_CTX_set_client_CA_list(&ctx, SSL_load_client_CA_file(ca.c_str()));
        // Request, do not require, a client certificate.
        SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
      }
      return true;
    });
    if (!server_->is_valid())
      return Internal("TLS setup failed (certificate " + cert + ", key " + key + ")");
    size_t max = opts_.max_connections;
    server_->new_task_queue = [max] { return new ConnectionTaskQueue(max); };
    // Headers and body leave as separate TLS writes; without TCP_NODELAY Nagle holds the second
    // until the peer's delayed ACK (~40 ms per request on a busy keep-alive connection).
    server_->set_tcp_nodelay(true);
    server_->set_keep_alive_max_count(100000);
    server_->set_keep_alive_timeout(60);
    server_->set_read_timeout(60);
    server_->set_write_timeout(60);
    server_->set_payload_max_length(opts_.max_body_bytes);
    // One handler for every method and path (the pre-routing hook would run before the body
    // is read).
    auto handler = [this](const httplib::Request& req, httplib::Response& res) { Serve(req, res); };
    server_->Get(".*", handler);
    server_->Post(".*", handler);
    server_->Put(".*", handler);
    server_->Patch(".*", handler);
    server_->Delete(".*", handler);
    server_->Options(".*", handler);
    server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      Status st = res.status == 413
                      ? Status(Code::kTooLarge, "the request body is too large")
                      : Status(res.status == 400 ? Code::kBadRequest : Code::kInternal,
                               "the request could not be processed");
      res.set_content(StatusBody(st), "application/json");
    });
    if (opts_.port == 0) {
      port_ = server_->bind_to_any_port(opts_.bind_address);
      if (port_ < 0) return Unavailable("cannot bind " + opts_.bind_address);
    } else {
      if (!server_->bind_to_port(opts_.bind_address, opts_.port))
        return Unavailable("cannot bind " + opts_.bind_address + ":" + std::to_string(opts_.port));
      port_ = opts_.port;
    }
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    return Status::Ok();
  }

  int Port() const override { return port_; }

  void Stop() override {
    if (stopped_.exchange(true)) return;
    api_->CancelWatches();
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Serve(const httplib::Request& hreq, httplib::Response& hres) {
    ApiRequest req;
    req.method = hreq.method;
    req.path = hreq.path;
    for (const auto& [k, v] : hreq.params) req.query[k] = v;
    req.body = hreq.body;
    req.content_type = hreq.get_header_value("Content-Type");
    req.accept = hreq.get_header_value("Accept");
    req.user_agent = hreq.get_header_value("User-Agent");
    if (UserFromCert(hreq.ssl, &req.user)) {
      req.authenticated = true;
    } else {
      std::string auth = hreq.get_header_value("Authorization");
      if (auth.rfind("Bearer ", 0) == 0) {
        auto user = opts_.tokens->Authenticate(std::string_view(auth).substr(7));
        if (!user) {
          Reply(hres, ErrorResponse(Status(Code::kUnauthorized, "Unauthorized")));
          return;
        }
        req.user = std::move(*user);
        req.authenticated = true;
      }
    }
    if (req.authenticated) req.user.groups.push_back("system:authenticated");
    // Impersonation (kubectl --as/--as-group): only system:masters may impersonate until RBAC
    // can grant the impersonate verb.
    std::string as_user = hreq.get_header_value("Impersonate-User");
    if (!as_user.empty() && req.authenticated) {
      if (!req.user.InGroup("system:masters")) {
        Reply(hres, ErrorResponse(Status(Code::kForbidden,
                                         "users \"" + as_user + "\" is forbidden: User \"" +
                                             req.user.name +
                                             "\" cannot impersonate resource "
                                             "\"users\" in API group \"\" at the cluster scope")));
        return;
      }
      UserInfo as;
      as.name = as_user;
      for (size_t i = 0; i < hreq.get_header_value_count("Impersonate-Group"); ++i)
        as.groups.push_back(hreq.get_header_value("Impersonate-Group", i));
      as.groups.push_back("system:authenticated");
      req.user = as;
    }
    if (!req.authenticated && !IsPublicPath(req.path)) {
      Reply(hres, ErrorResponse(Status(Code::kUnauthorized, "Unauthorized")));
      return;
    }
    ApiResponse resp = api_->Handle(req);
    LOG_V(2, kComponent) << req.method << " " << req.path << " " << resp.code << " "
                         << req.user.name;
    Reply(hres, std::move(resp), hreq.ssl ? SSL_get_fd(hreq.ssl) : -1);
  }

  // True once the client closed its side of connection `fd`. A watch client sends nothing
  // after its request, so a hang-up (FIN, with or without TLS close_notify before it) is the
  // only thing that can arrive.
  static bool PeerClosed(int fd) {
    if (fd < 0) return false;
    pollfd p{fd, POLLRDHUP, 0};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
  }

  static void Reply(httplib::Response& hres, ApiResponse resp, int fd = -1) {
    hres.status = resp.code;
    for (const auto& w : resp.warnings) {
      // RFC 7234 warn-text is a quoted-string: escape quotes and backslashes.
      std::string text;
      for (char ch : w) {
        if (ch == '"' || ch == '\\') text += '\\';
        text += ch;
      }
      hres.set_header("Warning", "299 - \"" + text + "\"");
    }
    if (!resp.stream) {
      MemoryTrimmer::Note(resp.body.size());
      hres.set_content(resp.body, resp.content_type);
      return;
    }
    std::shared_ptr<ResponseStream> stream(std::move(resp.stream));
    // cpp-httplib gzips responses typed exactly "application/json" for clients that accept
    // gzip (kubectl does), and its compressor holds small stream chunks back indefinitely; a
    // media-type parameter keeps streams uncompressed and still reads as application/json.
    if (resp.content_type == "application/json")
      resp.content_type = "application/json;stream=watch";
    hres.set_header("Cache-Control", "no-cache, private");
    hres.set_chunked_content_provider(
        resp.content_type,
        [stream, fd](size_t, httplib::DataSink& sink) {
          // A closed peer is noticed within a second by polling for its hang-up; as a backstop
          // (peers that vanish without a FIN), an idle watch sends a newline (JSON stream
          // decoders skip whitespace between documents) every 30 s, which fails once the
          // connection is gone.
          std::string chunk;
          auto idle_since = std::chrono::steady_clock::now();
          for (;;) {
            if (!stream->Next(&chunk, std::chrono::milliseconds(1000))) {
              sink.done();
              return true;
            }
            if (!chunk.empty()) return sink.write(chunk.data(), chunk.size());
            if (!sink.is_writable() || PeerClosed(fd)) return false;
            if (std::chrono::steady_clock::now() - idle_since > std::chrono::seconds(30)) {
              if (!sink.write("\n", 1)) return false;
              idle_since = std::chrono::steady_clock::now();
            }
          }
        },
        [stream](bool) { stream->Cancel(); });
  }

  ApiServer* api_;
  HttpsFrontOptions opts_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopped_{false};
};

}  // namespace

Result<std::unique_ptr<HttpsFront>> StartHttpsFront(ApiServer* api, const HttpsFrontOptions& opts) {
  auto front = std::make_unique<Front>(api, opts);
  Status st = front->Start();
  if (!st.ok()) return st;
  return std::unique_ptr<HttpsFront>(std::move(front));
}

}  // namespace cluster::server
