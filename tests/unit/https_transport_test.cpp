#include "client/https_transport.h"

#include <httplib.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/base64.h"

using namespace cluster;
using namespace cluster::client;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteAll(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

// A self-signed key pair made with the openssl CLI.
void MakeCert(const fs::path& dir, const std::string& name, const std::string& extra) {
  std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
      "-subj /CN=" +
      name + " " + extra + " -keyout " + (dir / (name + ".key")).string() + " -out " +
      (dir / (name + ".crt")).string() + " >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
}

std::string Echo(const httplib::Request& req) {
  json::Document d;
  d.SetObject();
  auto& a = d.GetAllocator();
  json::SetString(d, "kind", "Echo", a);
  json::SetString(d, "method", req.method, a);
  json::SetString(d, "path", req.path, a);
  json::SetString(d, "auth", req.get_header_value("Authorization"), a);
  json::SetString(d, "contentType", req.get_header_value("Content-Type"), a);
  json::SetString(d, "body", req.body, a);
  json::SetString(d, "labelSelector", req.get_param_value("labelSelector"), a);
  json::SetInt(d, "remotePort", req.remote_port, a);
  return json::Serialize(d);
}

// A local HTTPS apiserver stand-in: mutual TLS with a self-signed client certificate as the
// only trusted client CA.
class TestServer {
 public:
  TestServer() {
    signal(SIGPIPE, SIG_IGN);  // a client that goes away must not kill the test
    char tmpl[] = "/tmp/https_transport_test.XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir_ = tmpl;
    MakeCert(dir_, "localhost", "-addext subjectAltName=IP:127.0.0.1");
    MakeCert(dir_, "admin", "");
    server_ = std::make_unique<httplib::SSLServer>((dir_ / "localhost.crt").c_str(),
                                                   (dir_ / "localhost.key").c_str(),
                                                   (dir_ / "admin.crt").c_str());
    REQUIRE(server_->is_valid());
    Routes();
    port_ = server_->bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!server_->is_running()) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(1ms);
    }
  }

  ~TestServer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      cv_.notify_all();
    }
    server_->stop();
    thread_.join();
    fs::remove_all(dir_);
  }

  HttpsConfig Config() const {
    HttpsConfig c;
    c.server = "https://127.0.0.1:" + std::to_string(port_);
    c.ca_pem = ReadAll(dir_ / "localhost.crt");
    c.cert_pem = ReadAll(dir_ / "admin.crt");
    c.key_pem = ReadAll(dir_ / "admin.key");
    c.token = "t0k";
    c.request_timeout = 10s;
    return c;
  }

  void ReleaseWatch() {
    std::lock_guard<std::mutex> lock(mu_);
    release_ = true;
    cv_.notify_all();
  }
  int hang_exits() const { return hang_exits_; }
  const fs::path& dir() const { return dir_; }

 private:
  void Routes() {
    auto echo = [](const httplib::Request& req, httplib::Response& res) {
      res.set_header("Warning", R"(299 - "v1beta1 is \"deprecated\"")");
      res.set_content(Echo(req), "application/json");
    };
    server_->Get("/api/v1/namespaces/default/echoes/.*", echo);
    server_->Post("/api/v1/namespaces/default/echoes", echo);
    server_->Put("/api/v1/namespaces/default/echoes/.*", echo);
    server_->Patch("/api/v1/namespaces/default/echoes/.*", echo);
    server_->Delete("/api/v1/namespaces/default/echoes/.*", echo);
    server_->Get("/api/v1/namespaces/default/pods/missing", [](const auto&, auto& res) {
      res.status = 404;
      res.set_content(R"({"kind":"Status","apiVersion":"v1","status":"Failure",)"
                      R"("message":"pods \"missing\" not found","reason":"NotFound","code":404})",
                      "application/json");
    });
    server_->Get("/api/v1/secrets", [](const auto&, auto& res) {
      res.status = 403;
      res.set_content(R"({"kind":"Status","status":"Failure","message":"no","reason":"Forbidden",)"
                      R"("code":403})",
                      "application/json");
    });
    server_->Get("/api/v1/pods", [this](const httplib::Request&, httplib::Response& res) {
      auto step = std::make_shared<int>(0);
      res.set_chunked_content_provider(
          "application/json", [this, step](size_t, httplib::DataSink& sink) {
            if (*step == 0) {
              ++*step;
              // Two events in one chunk, a third split across chunks.
              std::string two = R"({"type":"ADDED","object":{"metadata":{"name":"a"}}})"
                                "\n"
                                R"({"type":"ADDED","object":{"metadata":{"name":"b"}}})"
                                "\n"
                                R"({"type":"MODIF)";
              return sink.write(two.data(), two.size());
            }
            std::unique_lock<std::mutex> lock(mu_);
            cv_.wait_for(lock, 10s, [&] { return release_ || stopping_; });
            std::string rest = R"(IED","object":{"metadata":{"name":"a"}}})"
                               "\n";
            bool ok = sink.write(rest.data(), rest.size());
            sink.done();
            return ok;
          });
    });
    // Never ends by itself: heartbeats until the client goes away or the server stops.
    server_->Get("/api/v1/nodes", [this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("application/json", [this](size_t, httplib::DataSink& sink) {
        std::unique_lock<std::mutex> lock(mu_);
        if (cv_.wait_for(lock, 20ms, [&] { return stopping_; }) || !sink.write("\n", 1)) {
          ++hang_exits_;
          return false;
        }
        return true;
      });
    });
  }

  fs::path dir_;
  std::unique_ptr<httplib::SSLServer> server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool release_ = false;
  bool stopping_ = false;
  std::atomic<int> hang_exits_{0};
};

Request Get(const std::string& path) {
  Request r;
  r.method = "GET";
  r.path = path;
  return r;
}

json::Document Body(const Response& r) {
  auto d = json::Parse(r.body);
  REQUIRE(d.ok());
  return std::move(d).value();
}

}  // namespace

TEST_CASE("https transport sends requests with credentials and reads answers and warnings") {
  TestServer server;
  auto t = NewHttpsTransport(server.Config());
  Request req = Get("/api/v1/namespaces/default/echoes/e1");
  req.query["labelSelector"] = "app in (a,b)&x=y";
  auto resp = t->Do(req);
  REQUIRE(resp.ok());
  CHECK(resp->code == 200);
  CHECK(resp->content_type == "application/json");
  CHECK(resp->warnings == std::vector<std::string>{R"(v1beta1 is "deprecated")"});
  json::Document echo = Body(*resp);
  CHECK(json::GetString(echo, {"auth"}) == "Bearer t0k");
  CHECK(json::GetString(echo, {"labelSelector"}) == "app in (a,b)&x=y");

  // Sequential requests share one kept-alive connection.
  int64_t port = json::GetInt(echo, {"remotePort"});
  for (int i = 0; i < 3; ++i) {
    auto again = t->Do(Get("/api/v1/namespaces/default/echoes/e1"));
    REQUIRE(again.ok());
    CHECK(json::GetInt(Body(*again), {"remotePort"}) == port);
  }
}

TEST_CASE("https transport carries every verb and body through the client") {
  TestServer server;
  Client c(NewHttpsTransport(server.Config()));
  const ResourceRef echoes{"", "v1", "echoes", ""};
  auto obj = json::Parse(R"({"metadata":{"name":"e1"},"spec":{"x":1}})");
  REQUIRE(obj.ok());

  auto created = c.Create(echoes, "default", *obj);
  REQUIRE(created.ok());
  CHECK(json::GetString(*created, {"method"}) == "POST");
  CHECK(json::GetString(*created, {"contentType"}) == "application/json");
  CHECK(json::GetString(*created, {"body"}) == json::Serialize(*obj));

  auto updated = c.Update(echoes, "default", *obj);
  REQUIRE(updated.ok());
  CHECK(json::GetString(*updated, {"method"}) == "PUT");
  CHECK(json::GetString(*updated, {"path"}) == "/api/v1/namespaces/default/echoes/e1");

  auto patched = c.Patch(echoes, "default", "e1", "application/merge-patch+json", R"({"a":1})");
  REQUIRE(patched.ok());
  CHECK(json::GetString(*patched, {"method"}) == "PATCH");
  CHECK(json::GetString(*patched, {"contentType"}) == "application/merge-patch+json");
  CHECK(json::GetString(*patched, {"body"}) == R"({"a":1})");

  auto deleted = c.Delete(echoes, "default", "e1");
  REQUIRE(deleted.ok());
  CHECK(json::GetString(*deleted, {"method"}) == "DELETE");
  CHECK(json::GetString(*deleted, {"body"}).empty());

  auto missing = c.Get({"", "v1", "pods", ""}, "default", "missing");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Code::kNotFound);
  CHECK(missing.status().message() == "pods \"missing\" not found");
}

TEST_CASE("https streams deliver lines as they arrive and end when the server ends") {
  TestServer server;
  Client c(NewHttpsTransport(server.Config()));
  auto watch = c.Watch({"", "v1", "pods", ""}, "", {});
  REQUIRE(watch.ok());
  WatchEvent ev;
  bool has = false;
  std::vector<std::string> seen;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (seen.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    REQUIRE((*watch)->Next(&ev, &has, 100ms));
    if (has) seen.push_back(json::GetString(ev.object, {"metadata", "name"}));
  }
  CHECK(seen == std::vector<std::string>{"a", "b"});
  // The third event is half sent: nothing yet.
  REQUIRE((*watch)->Next(&ev, &has, 50ms));
  CHECK_FALSE(has);

  server.ReleaseWatch();
  do {
    REQUIRE((*watch)->Next(&ev, &has, 100ms));
  } while (!has && std::chrono::steady_clock::now() < deadline);
  REQUIRE(has);
  CHECK(ev.type == WatchEvent::Type::kModified);
  while ((*watch)->Next(&ev, &has, 100ms)) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    CHECK_FALSE(has);
  }
  CHECK((*watch)->status().ok());
}

TEST_CASE("https stream refused by the server returns its status") {
  TestServer server;
  auto t = NewHttpsTransport(server.Config());
  auto stream = t->OpenStream(Get("/api/v1/secrets"));
  REQUIRE_FALSE(stream.ok());
  CHECK(stream.status().code() == Code::kForbidden);
  CHECK(stream.status().message() == "no");
}

TEST_CASE("cancelling an https stream ends it promptly from another thread") {
  TestServer server;
  auto t = NewHttpsTransport(server.Config());
  auto stream = t->OpenStream(Get("/api/v1/nodes"));
  REQUIRE(stream.ok());
  Stream* s = stream->get();
  std::string line;
  REQUIRE(s->Next(&line, 50ms));
  CHECK(line.empty());  // heartbeat blank lines are not lines
  auto start = std::chrono::steady_clock::now();
  std::thread canceller([s] { s->Cancel(); });
  while (s->Next(&line, 100ms)) {
    REQUIRE(std::chrono::steady_clock::now() - start < 5s);
  }
  canceller.join();
  CHECK(std::chrono::steady_clock::now() - start < 900ms);  // not a 1s progress-callback poll
  CHECK(s->status().code() == Code::kUnavailable);
  stream->reset();
  // The server notices the client went away.
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (server.hang_exits() == 0) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(1ms);
  }
}

TEST_CASE("https transport reports TLS and connection failures as unavailable") {
  TestServer server;
  HttpsConfig no_cert = server.Config();
  no_cert.cert_pem.clear();
  no_cert.key_pem.clear();
  auto r1 = NewHttpsTransport(no_cert)->Do(Get("/api/v1/namespaces/default/echoes/e1"));
  CHECK(r1.status().code() == Code::kUnavailable);

  HttpsConfig wrong_ca = server.Config();
  wrong_ca.ca_pem = wrong_ca.cert_pem;  // not the server's issuer
  auto r2 = NewHttpsTransport(wrong_ca)->Do(Get("/api/v1/namespaces/default/echoes/e1"));
  CHECK(r2.status().code() == Code::kUnavailable);
  auto s2 = NewHttpsTransport(wrong_ca)->OpenStream(Get("/api/v1/pods"));
  CHECK(s2.status().code() == Code::kUnavailable);

  HttpsConfig closed = server.Config();
  closed.server = "https://127.0.0.1:1";
  auto r3 = NewHttpsTransport(closed)->Do(Get("/api/v1/namespaces/default/echoes/e1"));
  CHECK(r3.status().code() == Code::kUnavailable);
}

TEST_CASE("kubeconfig files configure the transport") {
  TestServer server;
  HttpsConfig want = server.Config();
  const fs::path dir = server.dir();

  SECTION("inline data and token") {
    WriteAll(dir / "kubeconfig", R"(apiVersion: v1
kind: Config
current-context: admin@cluster
clusters:
- name: other
  cluster: {server: "https://10.9.9.9:6443"}
- name: cluster
  cluster:
    server: )" + want.server + R"(
    certificate-authority-data: )" + Base64Encode(want.ca_pem) +
                                     R"(
contexts:
- name: admin@cluster
  context: {cluster: cluster, user: admin, namespace: kube-system}
users:
- name: admin
  user:
    client-certificate-data: )" + Base64Encode(want.cert_pem) +
                                     R"(
    client-key-data: )" + Base64Encode(want.key_pem) +
                                     R"(
    token: t0k
)");
    auto cfg = LoadKubeconfig((dir / "kubeconfig").string());
    REQUIRE(cfg.ok());
    CHECK(cfg->server == want.server);
    CHECK(cfg->ca_pem == want.ca_pem);
    CHECK(cfg->key_pem == want.key_pem);
    CHECK(cfg->token == "t0k");
    CHECK(cfg->default_namespace == "kube-system");
    auto resp = NewHttpsTransport(*cfg)->Do(Get("/api/v1/namespaces/default/echoes/e1"));
    REQUIRE(resp.ok());
    CHECK(resp->code == 200);
  }

  SECTION("relative file paths and a token file") {
    WriteAll(dir / "token", "file-token\n");
    WriteAll(dir / "kubeconfig", R"(current-context: c
clusters: [{name: k, cluster: {server: ")" +
                                     want.server +
                                     R"(", certificate-authority: localhost.crt}}]
contexts: [{name: c, context: {cluster: k, user: u}}]
users: [{name: u, user: {client-certificate: admin.crt, client-key: admin.key, tokenFile: token}}]
)");
    auto cfg = LoadKubeconfig((dir / "kubeconfig").string());
    REQUIRE(cfg.ok());
    CHECK(cfg->token == "file-token");
    Client c(NewHttpsTransport(*cfg));
    auto echo = c.Get({"", "v1", "echoes", ""}, "default", "e1");
    REQUIRE(echo.ok());
    CHECK(json::GetString(*echo, {"auth"}) == "Bearer file-token");
  }

  SECTION("unusable files say why") {
    CHECK(LoadKubeconfig((dir / "absent").string()).status().code() == Code::kNotFound);
    WriteAll(dir / "bad1", "current-context: [unclosed");
    CHECK(LoadKubeconfig((dir / "bad1").string()).status().code() == Code::kInvalid);
    WriteAll(dir / "bad2", "current-context: nope\ncontexts: []\n");
    CHECK(LoadKubeconfig((dir / "bad2").string()).status().code() == Code::kInvalid);
    WriteAll(dir / "bad3", R"(current-context: c
clusters: [{name: k, cluster: {server: "https://x", certificate-authority-data: "!!"}}]
contexts: [{name: c, context: {cluster: k}}]
)");
    auto bad3 = LoadKubeconfig((dir / "bad3").string());
    CHECK(bad3.status().code() == Code::kInvalid);
    CHECK(bad3.status().message().find("base64") != std::string::npos);
  }
}
