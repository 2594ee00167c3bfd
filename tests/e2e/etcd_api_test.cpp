// The store's etcd v3 JSON API and `cluster etcdctl`, against the real binary over mTLS.
#include <curl/curl.h>
#include <rapidjson/document.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "harness.h"

namespace cluster::e2e {
namespace {

// One server for the whole file: starting it (PKI, store) costs more than the checks.
// Its destructor (at exit) stops it.
ServerProcess& Server() {
  static ServerProcess server;
  if (!server.running() && !server.Start()) FAIL("server did not start: " << server.last_error());
  return server;
}

rapidjson::Document Json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  INFO(text);
  REQUIRE(!d.HasParseError());
  return d;
}

std::string Str(const rapidjson::Value& v, const char* name) {
  auto it = v.FindMember(name);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

HttpResult Call(const std::string& path, const std::string& body) {
  return Server().EtcdCall(path, body);
}

std::string PutBody(const std::string& k, const std::string& v) {
  return R"({"key":")" + B64(k) + R"(","value":")" + B64(v) + R"("})";
}

void Put(const std::string& k, const std::string& v) {
  auto r = Call("/v3/kv/put", PutBody(k, v));
  INFO(r.body << r.error);
  REQUIRE(r.code == 200);
}

// The value of `k`, or "<absent>".
std::string Get(const std::string& k) {
  auto r = Call("/v3/kv/range", R"({"key":")" + B64(k) + R"("})");
  REQUIRE(r.code == 200);
  auto d = Json(r.body);
  if (!d.HasMember("kvs")) return "<absent>";
  return UnB64(Str(d["kvs"][0], "value"));
}

int64_t Revision() {
  auto r = Call("/v3/maintenance/status", "{}");
  REQUIRE(r.code == 200);
  return std::stoll(Str(Json(r.body)["header"], "revision"));
}

std::vector<std::string> Etcdctl(std::vector<std::string> args) {
  std::vector<std::string> argv = {ClusterBinary(), "etcdctl", "--data-dir", Server().data_dir()};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// A streaming POST /v3/watch read on its own thread; lines() are the messages so far.
class WatchClient {
 public:
  explicit WatchClient(const std::string& body) : body_(body) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~WatchClient() {
    stop_ = true;
    thread_.join();
  }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    size_t start = 0, nl;
    while ((nl = data_.find('\n', start)) != std::string::npos) {
      out.push_back(data_.substr(start, nl - start));
      start = nl + 1;
    }
    return out;
  }
  bool WaitLines(size_t n) {
    return PollUntil([&] { return lines().size() >= n; }, 10s);
  }
  bool finished() const { return finished_; }

 private:
  static size_t OnData(char* p, size_t s, size_t n, void* u) {
    auto* self = static_cast<WatchClient*>(u);
    std::lock_guard<std::mutex> lock(self->mu_);
    self->data_.append(p, s * n);
    return s * n;
  }
  static int OnProgress(void* u, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<WatchClient*>(u)->stop_ ? 1 : 0;
  }
  void Loop() {
    TlsFiles tls = Server().etcd_tls();
    CURL* c = curl_easy_init();
    std::string url = Server().etcd_url() + "/v3/watch";
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body_.c_str());
    curl_easy_setopt(c, CURLOPT_CAINFO, tls.ca.c_str());
    curl_easy_setopt(c, CURLOPT_SSLCERT, tls.cert.c_str());
    curl_easy_setopt(c, CURLOPT_SSLKEY, tls.key.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnData);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &OnProgress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, this);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_perform(c);
    curl_easy_cleanup(c);
    finished_ = true;
  }

  std::string body_;
  std::mutex mu_;
  std::string data_;  // guarded by mu_
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("kv: put, range, delete in etcd's JSON shape") {
  auto r = Call("/v3/kv/put", PutBody("/kv/a", "1"));
  REQUIRE(r.code == 200);
  auto d = Json(r.body);
  CHECK(!Str(d["header"], "cluster_id").empty());
  CHECK(!Str(d["header"], "member_id").empty());
  CHECK(std::stoll(Str(d["header"], "revision")) > 0);
  Put("/kv/b", "2");
  Put("/kv/c", "");

  r = Call("/v3/kv/range",
           R"({"key":")" + B64("/kv/") + R"(","range_end":")" + B64("/kv0") + R"(","limit":"2"})");
  REQUIRE(r.code == 200);
  d = Json(r.body);
  REQUIRE(d["kvs"].Size() == 2);
  CHECK(UnB64(Str(d["kvs"][0], "key")) == "/kv/a");
  CHECK(UnB64(Str(d["kvs"][0], "value")) == "1");
  CHECK(Str(d["kvs"][0], "version") == "1");
  CHECK(d["more"].GetBool());
  CHECK(Str(d, "count") == "3");

  r = Call("/v3/kv/put",
           R"({"key":")" + B64("/kv/a") + R"(","value":")" + B64("x") + R"(","prev_kv":true})");
  d = Json(r.body);
  CHECK(UnB64(Str(d["prev_kv"], "value")) == "1");

  r = Call("/v3/kv/deleterange", R"({"key":")" + B64("/kv/") + R"(","range_end":")" + B64("/kv0") +
                                     R"(","prev_kv":true})");
  d = Json(r.body);
  CHECK(Str(d, "deleted") == "3");
  CHECK(d["prev_kvs"].Size() == 3);
  CHECK(Get("/kv/a") == "<absent>");
  // An empty range answers a header only.
  d = Json(Call("/v3/kv/range", R"({"key":")" + B64("/kv/a") + R"("})").body);
  CHECK(!d.HasMember("kvs"));
  CHECK(!d.HasMember("count"));
}

TEST_CASE("kv: txn is atomic and branches on compares") {
  Put("/txn/guard", "v1");
  std::string txn = R"({"compare":[{"key":")" + B64("/txn/guard") +
                    R"(","target":"VALUE","result":"EQUAL","value":")" + B64("v1") +
                    R"("}],"success":[{"request_put":{"key":")" + B64("/txn/x") + R"(","value":")" +
                    B64("1") + R"("}},{"request_put":{"key":")" + B64("/txn/y") + R"(","value":")" +
                    B64("1") + R"("}},{"request_range":{"key":")" + B64("/txn/guard") +
                    R"("}}],"failure":[{"request_range":{"key":")" + B64("/txn/guard") + R"("}}]})";
  auto r = Call("/v3/kv/txn", txn);
  REQUIRE(r.code == 200);
  auto d = Json(r.body);
  CHECK(d["succeeded"].GetBool());
  REQUIRE(d["responses"].Size() == 3);
  CHECK(d["responses"][0].HasMember("response_put"));
  CHECK(UnB64(Str(d["responses"][2]["response_range"]["kvs"][0], "value")) == "v1");
  CHECK(Get("/txn/x") == "1");
  CHECK(Get("/txn/y") == "1");

  Put("/txn/guard", "v2");
  d = Json(Call("/v3/kv/txn", txn).body);
  CHECK(!d.HasMember("succeeded"));
  CHECK(d["responses"][0].HasMember("response_range"));

  // Compare by create_revision == 0 (key absent), etcd's create-if-absent idiom.
  std::string create =
      R"({"compare":[{"key":")" + B64("/txn/new") +
      R"(","target":"CREATE","create_revision":"0"}],"success":[{"request_put":{"key":")" +
      B64("/txn/new") + R"(","value":")" + B64("n") + R"("}}]})";
  CHECK(Json(Call("/v3/kv/txn", create).body)["succeeded"].GetBool());
  CHECK(!Json(Call("/v3/kv/txn", create).body).HasMember("succeeded"));
}

TEST_CASE("lease: grant, attach, time to live, revoke") {
  auto r = Call("/v3/lease/grant", R"({"TTL":"60"})");
  REQUIRE(r.code == 200);
  auto d = Json(r.body);
  std::string id = Str(d, "ID");
  REQUIRE(!id.empty());
  CHECK(Str(d, "TTL") == "60");
  r = Call("/v3/kv/put", R"({"key":")" + B64("/lease/k") + R"(","value":")" + B64("v") +
                             R"(","lease":")" + id + R"("})");
  REQUIRE(r.code == 200);
  d = Json(Call("/v3/lease/timetolive", R"({"ID":")" + id + R"(","keys":true})").body);
  CHECK(UnB64(d["keys"][0].GetString()) == "/lease/k");
  CHECK(Str(d, "grantedTTL") == "60");
  r = Call("/v3/lease/keepalive", R"({"ID":")" + id + R"("})");
  CHECK(r.code == 200);
  CHECK(Str(Json(r.body)["result"], "TTL") == "60");
  d = Json(Call("/v3/lease/leases", "{}").body);
  CHECK(d["leases"].Size() >= 1);
  CHECK(Call("/v3/lease/revoke", R"({"ID":")" + id + R"("})").code == 200);
  CHECK(Get("/lease/k") == "<absent>");
  r = Call("/v3/lease/revoke", R"({"ID":")" + id + R"("})");
  CHECK(r.code == 404);
  CHECK(Json(r.body)["code"].GetInt() == 5);
}

TEST_CASE("watch: created, events with prev_kv, filters, compaction") {
  Put("/w/a", "0");
  int64_t start = Revision();
  {
    WatchClient w(R"({"create_request":{"key":")" + B64("/w/") + R"(","range_end":")" + B64("/w0") +
                  R"(","prev_kv":true}})");
    REQUIRE(w.WaitLines(1));
    CHECK(Json(w.lines()[0])["result"]["created"].GetBool());
    Put("/w/a", "1");
    Call("/v3/kv/deleterange", R"({"key":")" + B64("/w/a") + R"("})");
    REQUIRE(w.WaitLines(3));
    auto put = Json(w.lines()[1]);
    auto& ev = put["result"]["events"][0];
    CHECK(!ev.HasMember("type"));  // PUT is the zero value
    CHECK(UnB64(Str(ev["kv"], "value")) == "1");
    CHECK(UnB64(Str(ev["prev_kv"], "value")) == "0");
    auto del = Json(w.lines()[2]);
    CHECK(Str(del["result"]["events"][0], "type") == "DELETE");
  }
  {  // NOPUT from a past revision: only the delete arrives
    WatchClient w(R"({"create_request":{"key":")" + B64("/w/a") + R"(","start_revision":")" +
                  std::to_string(start) + R"(","filters":["NOPUT"]}})");
    REQUIRE(w.WaitLines(2));
    auto d = Json(w.lines()[1]);
    CHECK(d["result"]["events"].Size() == 1);
    CHECK(Str(d["result"]["events"][0], "type") == "DELETE");
  }
  {  // a compacted start revision: created, then canceled with compact_revision
    Put("/w/b", "1");
    int64_t rev = Revision();
    REQUIRE(Call("/v3/kv/compaction", R"({"revision":")" + std::to_string(rev) + R"("})").code ==
            200);
    WatchClient w(R"({"create_request":{"key":")" + B64("/w/b") + R"(","start_revision":"1"}})");
    REQUIRE(w.WaitLines(2));
    auto d = Json(w.lines()[1]);
    CHECK(d["result"]["canceled"].GetBool());
    CHECK(Str(d["result"], "compact_revision") == std::to_string(rev));
    CHECK(PollUntil([&] { return w.finished(); }, 5s));
    auto r = Call("/v3/kv/range", R"({"key":")" + B64("/w/b") + R"(","revision":"1"})");
    CHECK(r.code == 400);
    CHECK(Json(r.body)["code"].GetInt() == 11);
    CHECK(Str(Json(r.body), "message") == "etcdserver: mvcc: required revision has been compacted");
  }
}

TEST_CASE("tls: a client without a certificate is refused") {
  TlsFiles no_cert{Server().etcd_tls().ca, "", ""};
  auto r =
      HttpRequest("POST", Server().etcd_url() + "/v3/kv/range", R"({"key":"YQ=="})", {}, no_cert);
  CHECK(r.code == 0);
  CHECK(!r.error.empty());
  auto plain = HttpRequest(
      "POST", "http://127.0.0.1:" + std::to_string(Server().etcd_port()) + "/v3/kv/range",
      R"({"key":"YQ=="})");
  CHECK(plain.code != 200);
}

TEST_CASE("bad input gets a clear error and leaves the store intact") {
  Put("/bad/keep", "safe");
  int64_t rev = Revision();
  struct Case {
    std::string method, path, body;
    long code;
  };
  std::vector<Case> cases = {
      {"POST", "/v3/kv/put", R"({"key":"YQ==")", 400},
      {"POST", "/v3/kv/put", R"({"key":"!!!","value":"YQ=="})", 400},
      {"POST", "/v3/kv/put", R"({"key":5})", 400},
      {"POST", "/v3/kv/put", R"([1,2])", 400},
      {"POST", "/v3/kv/put", R"({"value":"YQ=="})", 400},
      {"POST", "/v3/kv/range", R"({"key":"YQ==","limit":"abc"})", 400},
      {"POST", "/v3/kv/txn", R"({"compare":[{"key":"YQ==","target":"BAD"}]})", 400},
      {"POST", "/v3/kv/put", std::string(100000, '['), 400},
      {"POST", "/v3/watch", R"({"create_request":)", 400},
      {"POST", "/v3/kv/put", "{\"key\":\"" + std::string(9 * 1024 * 1024, 'A') + "\"}", 413},
      {"GET", "/v3/kv/range", "", 405},
      {"DELETE", "/v3/kv/put", "", 405},
      {"POST", "/v3/kv/nope", "{}", 404},
  };
  for (const auto& c : cases) {
    auto r = HttpRequest(c.method, Server().etcd_url() + c.path, c.body, {}, Server().etcd_tls());
    INFO(c.method << " " << c.path << " " << c.body.substr(0, 60) << " → " << r.code << " "
                  << r.body << r.error);
    CHECK(r.code == c.code);
    auto d = Json(r.body);
    CHECK(!Str(d, "message").empty());
    CHECK(d["code"].IsInt());
  }
  // Unknown fields are ignored, as the gateway does.
  auto r = Call("/v3/kv/range", R"({"key":")" + B64("/bad/keep") + R"(","bogus":{"x":1}})");
  CHECK(r.code == 200);
  CHECK(Revision() == rev);
  CHECK(Get("/bad/keep") == "safe");
}

TEST_CASE("etcdctl: put, get, del, watch, compaction, endpoint status") {
  auto r = Run(Etcdctl({"put", "/ctl/a", "hello"}));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "OK\n");
  REQUIRE(Run(Etcdctl({"put", "/ctl/b", "world"})).exit_code == 0);
  CHECK(Run(Etcdctl({"get", "/ctl/a"})).out == "/ctl/a\nhello\n");
  CHECK(Run(Etcdctl({"get", "/ctl/", "--prefix", "--keys-only"})).out == "/ctl/a\n\n/ctl/b\n\n");
  CHECK(Run(Etcdctl({"get", "/ctl/", "--prefix", "--print-value-only"})).out == "hello\nworld\n");
  CHECK(Run(Etcdctl({"get", "/ctl/", "--prefix", "--limit", "1"})).out == "/ctl/a\nhello\n");
  auto all = Run(Etcdctl({"get", "/", "--prefix", "--keys-only"}));
  CHECK(all.exit_code == 0);
  CHECK(all.out.find("/ctl/b\n\n") != std::string::npos);
  auto json = Run(Etcdctl({"get", "/ctl/a", "-w", "json"}));
  auto d = Json(json.out);
  CHECK(d["header"]["revision"].IsInt64());
  CHECK(d["kvs"][0]["key"].GetString() == B64("/ctl/a"));
  CHECK(d["count"].GetInt() == 1);

  {  // watch prints PUT/key/value and runs until killed; --rev replays the put made before it
    REQUIRE(Run(Etcdctl({"put", "/ctl/w", "v"})).exit_code == 0);
    auto w = Run(Etcdctl({"watch", "/ctl/w", "--rev", std::to_string(Revision())}), {}, "", 2s);
    CHECK(w.timed_out);
    CHECK(w.out == "PUT\n/ctl/w\nv\n");
  }

  CHECK(Run(Etcdctl({"del", "/ctl/", "--prefix"})).out == "3\n");  // a, b, w
  CHECK(Run(Etcdctl({"del", "/ctl/none"})).out == "0\n");
  std::string rev = std::to_string(Revision());
  CHECK(Run(Etcdctl({"compaction", rev})).out == "compacted revision " + rev + "\n");
  auto again = Run(Etcdctl({"compaction", rev}));
  CHECK(again.exit_code == 1);
  CHECK(again.err == "Error: etcdserver: mvcc: required revision has been compacted\n");
  auto status = Run(Etcdctl({"endpoint", "status"}));
  CHECK(status.exit_code == 0);
  CHECK(status.out.rfind(Server().etcd_url() + ", ", 0) == 0);
  auto bad = Run(Etcdctl({"get"}));
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("Error: ") == 0);
}

TEST_CASE("data survives a restart") {
  Put("/restart/k", "durable");
  int64_t rev = Revision();
  REQUIRE(Server().Stop() == 0);
  REQUIRE(Server().Start());
  CHECK(Get("/restart/k") == "durable");
  CHECK(Revision() == rev);
}

}  // namespace cluster::e2e
