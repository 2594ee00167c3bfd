// Durability under SIGKILL: writers put through the etcd JSON API while the server is killed at
// random moments; after each restart every acknowledged write must be there (or a later write
// by the same writer), and no write may half-exist.
//
// Each writer w loops: txn {put /crash/w/a=N, put /crash/w/b=N}, then put /crash/w/p=N. N grows
// by one per step. A write whose answer was lost in the crash is "maybe": it may or may not
// be there, but if a's value is N then b's must be N too (the txn is atomic).
//
// CLUSTER_CRASH_POINTS (default 50) sets the number of kills, CLUSTER_CRASH_SEED the random
// seed; e.g. a longer soak: CLUSTER_CRASH_POINTS=500 build/e2e_crash_test
#include <curl/curl.h>
#include <rapidjson/document.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>

#include "harness.h"

namespace cluster::e2e {
namespace {

constexpr int kWriters = 4;

size_t Collect(char* p, size_t s, size_t n, void* u) {
  static_cast<std::string*>(u)->append(p, s * n);
  return s * n;
}

// A keep-alive JSON client for one writer thread.
class Client {
 public:
  explicit Client(const ServerProcess& s) : url_(s.etcd_url()), tls_(s.etcd_tls()) {
    curl_ = curl_easy_init();
  }
  ~Client() { curl_easy_cleanup(curl_); }
  // True when the server answered 200.
  bool Post(const std::string& path, const std::string& body, std::string* out) {
    out->clear();
    std::string url = url_ + path;
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl_, CURLOPT_CAINFO, tls_.ca.c_str());
    curl_easy_setopt(curl_, CURLOPT_SSLCERT, tls_.cert.c_str());
    curl_easy_setopt(curl_, CURLOPT_SSLKEY, tls_.key.c_str());
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &Collect);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    long code = 0;
    if (curl_easy_perform(curl_) != CURLE_OK) return false;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &code);
    return code == 200;
  }

 private:
  std::string url_;
  TlsFiles tls_;
  CURL* curl_;
};

std::string Key(int w, const char* which) { return "/crash/" + std::to_string(w) + "/" + which; }

std::string PutOp(const std::string& k, const std::string& v) {
  return R"({"request_put":{"key":")" + B64(k) + R"(","value":")" + B64(v) + R"("}})";
}

// What one writer knows: the highest step acknowledged and the highest step attempted.
struct WriterState {
  int64_t acked_txn = 0, tried_txn = 0;
  int64_t acked_put = 0, tried_put = 0;
  int64_t next = 1;
};

// Writes until a request fails (the server died) or `stop` is set.
void WriterLoop(const ServerProcess& server, int w, WriterState* st,
                const std::atomic<bool>* stop) {
  Client c(server);
  std::string out;
  while (!*stop) {
    int64_t n = st->next++;
    std::string v = std::to_string(n);
    st->tried_txn = n;
    std::string txn = "{\"success\":[" + PutOp(Key(w, "a"), v) + "," + PutOp(Key(w, "b"), v) + "]}";
    if (!c.Post("/v3/kv/txn", txn, &out)) return;
    st->acked_txn = n;
    st->tried_put = n;
    std::string put = R"({"key":")" + B64(Key(w, "p")) + R"(","value":")" + B64(v) + R"("})";
    if (!c.Post("/v3/kv/put", put, &out)) return;
    st->acked_put = n;
  }
}

int64_t Env(const char* name, int64_t fallback) {
  const char* v = getenv(name);
  return v != nullptr && *v ? std::atoll(v) : fallback;
}

// Reads every writer's keys in one range (one revision) and checks them against what the
// writers know. Moves each writer's next step past what is stored.
void Verify(const ServerProcess& server, std::vector<WriterState>* states, int cycle) {
  auto r = server.EtcdCall("/v3/kv/range", R"({"key":")" + B64("/crash/") + R"(","range_end":")" +
                                               B64("/crash0") + R"("})");
  INFO("cycle " << cycle << ": " << r.code << " " << r.error);
  REQUIRE(r.code == 200);
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  REQUIRE(!d.HasParseError());
  std::map<std::string, int64_t> values;
  if (d.HasMember("kvs"))
    for (const auto& kv : d["kvs"].GetArray())
      values[UnB64(kv["key"].GetString())] = std::atoll(UnB64(kv["value"].GetString()).c_str());
  for (int w = 0; w < kWriters; ++w) {
    WriterState& st = (*states)[w];
    int64_t a = values.count(Key(w, "a")) ? values[Key(w, "a")] : 0;
    int64_t b = values.count(Key(w, "b")) ? values[Key(w, "b")] : 0;
    int64_t p = values.count(Key(w, "p")) ? values[Key(w, "p")] : 0;
    INFO("writer " << w << " a=" << a << " b=" << b << " p=" << p << " acked txn " << st.acked_txn
                   << " tried " << st.tried_txn << ", acked put " << st.acked_put << " tried "
                   << st.tried_put);
    REQUIRE(a == b);             // the txn is all or nothing
    REQUIRE(a >= st.acked_txn);  // no acknowledged write lost
    REQUIRE(a <= st.tried_txn);  // nothing that was never sent
    REQUIRE(p >= st.acked_put);
    REQUIRE(p <= st.tried_put);
    st.acked_txn = st.tried_txn = a;  // "maybe" writes are now settled one way or the other
    st.acked_put = st.tried_put = p;
    st.next = std::max(a, p) + 1;
  }
}

}  // namespace

TEST_CASE("acknowledged writes survive SIGKILL at random moments") {
  curl_global_init(CURL_GLOBAL_ALL);
  const int64_t points = Env("CLUSTER_CRASH_POINTS", 50);
  const uint64_t seed = Env("CLUSTER_CRASH_SEED", std::random_device{}());
  INFO("CLUSTER_CRASH_SEED=" << seed);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> delay_ms(20, 300);

  ServerProcess server;
  std::vector<WriterState> states(kWriters);
  for (int64_t cycle = 0; cycle < points; ++cycle) {
    INFO("cycle " << cycle);
    REQUIRE(server.Start(30s));
    if (cycle > 0) Verify(server, &states, cycle);
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w)
      writers.emplace_back(WriterLoop, std::cref(server), w, &states[w], &stop);
    // The kill moment is the experiment's random variable, not a wait for a condition.
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    server.Kill();
    stop = true;
    for (auto& t : writers) t.join();
  }
  REQUIRE(server.Start(30s));
  Verify(server, &states, static_cast<int>(points));
  int64_t total = 0;
  for (const auto& st : states) total += st.acked_txn;
  std::printf("%lld crash points, %lld txns stored across %d writers (seed %llu)\n",
              static_cast<long long>(points), static_cast<long long>(total), kWriters,
              static_cast<unsigned long long>(seed));
  CHECK(total > points);  // the kills landed while writes were flowing
  server.Stop();
}

}  // namespace cluster::e2e
