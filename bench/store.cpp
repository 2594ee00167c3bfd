// bench_store: the store's etcd v3 JSON API under load, next to Debian's etcd 3.4 on the same
// machine, same certificates, same load. Prints figures; never fails on time.
//
// Both peers are served over HTTPS with client certificates (mutual TLS), the way the API is
// deployed; each client is a thread with its own libcurl handle and keep-alive connection.
// Cells: put and range throughput with 1, 16 and 64 clients; watch delivery latency (a watcher
// stamps put→event time), idle and under the 64-client put load.
//
//   bench_store [--duration SECONDS] [--clients 1,16,64] [--no-etcd]
#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <sstream>
#include <thread>

// The e2e harness (process, port, temp dir and TLS helpers) is compiled in directly: bench
// targets link only cluster_common and libcurl, and the harness library carries Catch2's main.
#include "../tests/e2e/harness.cpp"

namespace cluster::bench {
namespace {

using e2e::TlsFiles;
using Clock = std::chrono::steady_clock;

struct Target {
  std::string name;
  std::string url;
  TlsFiles tls;
};

struct Options {
  int seconds = 3;
  std::vector<int> clients = {1, 16, 64};
  bool with_etcd = true;
};

size_t Collect(char* p, size_t s, size_t n, void* u) {
  static_cast<std::string*>(u)->append(p, s * n);
  return s * n;
}

// A keep-alive HTTPS JSON client (one per thread).
class Client {
 public:
  explicit Client(const Target& t) : t_(t), curl_(curl_easy_init()) {}
  ~Client() { curl_easy_cleanup(curl_); }
  bool Post(const std::string& path, const std::string& body) {
    out_.clear();
    std::string url = t_.url + path;
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl_, CURLOPT_CAINFO, t_.tls.ca.c_str());
    curl_easy_setopt(curl_, CURLOPT_SSLCERT, t_.tls.cert.c_str());
    curl_easy_setopt(curl_, CURLOPT_SSLKEY, t_.tls.key.c_str());
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &Collect);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &out_);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TCP_NODELAY, 1L);
    if (curl_easy_perform(curl_) != CURLE_OK) return false;
    long code = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &code);
    return code == 200;
  }

 private:
  const Target& t_;
  CURL* curl_;
  std::string out_;
};

std::string PutBody(const std::string& key, const std::string& value) {
  return R"({"key":")" + e2e::B64(key) + R"(","value":")" + e2e::B64(value) + R"("})";
}

enum class Op { kPut, kRange };

struct LoadResult {
  int64_t ops = 0, errors = 0;
  double seconds = 0;
  double rate() const { return seconds > 0 ? ops / seconds : 0; }
};

// `clients` threads each issue `op` back to back for `seconds` after a common start.
LoadResult RunLoad(const Target& t, Op op, int clients, int seconds,
                   const std::atomic<bool>* stop_early = nullptr) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false}, stop{false};
  std::atomic<int64_t> ops{0}, errors{0};
  std::string value(100, 'v');
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      Client cl(t);
      std::string prefix = "/bench/c" + std::to_string(c) + "/";
      cl.Post("/v3/kv/put", PutBody(prefix + "0", value));  // connect (TLS) before timing
      ++ready;
      while (!go) std::this_thread::yield();
      for (int64_t n = 0; !stop; ++n) {
        std::string key = prefix + std::to_string(n % 1000);
        bool ok = op == Op::kPut ? cl.Post("/v3/kv/put", PutBody(key, value))
                                 : cl.Post("/v3/kv/range", R"({"key":")" + e2e::B64(key) + "\"}");
        ok ? ++ops : ++errors;
      }
    });
  }
  e2e::PollUntil([&] { return ready == clients; }, std::chrono::seconds(60),
                 std::chrono::milliseconds(1));
  auto start = Clock::now();
  go = true;
  e2e::PollUntil([&] { return stop_early != nullptr && *stop_early; },
                 std::chrono::seconds(seconds), std::chrono::milliseconds(5));
  stop = true;
  LoadResult r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& th : threads) th.join();
  r.ops = ops;
  r.errors = errors;
  return r;
}

// ---- Watch latency: values carry their put time (steady clock, ns); the watcher subtracts.

struct WatchState {
  std::mutex mu;
  std::string buf;                // guarded by mu
  std::vector<double> latencies;  // guarded by mu (ms)
  std::atomic<bool> stop{false};
  std::atomic<bool> created{false};
};

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

size_t OnWatchData(char* p, size_t s, size_t n, void* u) {
  int64_t now = NowNs();
  auto* st = static_cast<WatchState*>(u);
  std::lock_guard<std::mutex> lock(st->mu);
  st->buf.append(p, s * n);
  size_t nl;
  while ((nl = st->buf.find('\n')) != std::string::npos) {
    std::string line = st->buf.substr(0, nl);
    st->buf.erase(0, nl + 1);
    if (line.find("\"created\":true") != std::string::npos) st->created = true;
    // Each event's value is base64 of the decimal put time: find every "value":"...".
    for (size_t pos = 0; (pos = line.find("\"value\":\"", pos)) != std::string::npos;) {
      pos += 9;
      size_t end = line.find('"', pos);
      int64_t sent = std::atoll(e2e::UnB64(line.substr(pos, end - pos)).c_str());
      if (sent > 0) st->latencies.push_back((now - sent) / 1e6);
    }
  }
  return s * n;
}

int OnWatchProgress(void* u, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<WatchState*>(u)->stop ? 1 : 0;
}

void WatchLoop(const Target& t, WatchState* st) {
  CURL* c = curl_easy_init();
  std::string url = t.url + "/v3/watch";
  std::string body = R"({"create_request":{"key":")" + e2e::B64("/lat/") + R"(","range_end":")" +
                     e2e::B64("/lat0") + R"("}})";
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(c, CURLOPT_CAINFO, t.tls.ca.c_str());
  curl_easy_setopt(c, CURLOPT_SSLCERT, t.tls.cert.c_str());
  curl_easy_setopt(c, CURLOPT_SSLKEY, t.tls.key.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnWatchData);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, st);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &OnWatchProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, st);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_perform(c);
  curl_easy_cleanup(c);
}

struct Latency {
  double p50 = 0, p99 = 0;          // put sent → event received
  double put_p50 = 0, put_p99 = 0;  // put sent → put acknowledged (the commit's share)
  size_t samples = 0;
  int64_t puts = 0;
};

void Percentiles(std::vector<double> v, double* p50, double* p99) {
  if (v.empty()) return;
  std::sort(v.begin(), v.end());
  *p50 = v[v.size() / 2];
  *p99 = v[std::min(v.size() - 1, static_cast<size_t>(v.size() * 0.99))];
}

// One writer puts timestamped values every ~2 ms for `seconds` (optionally while `clients`
// other threads load the server with puts) and a watcher measures delivery.
Latency WatchLatency(const Target& t, int seconds, int load_clients) {
  WatchState st;
  std::thread watcher(WatchLoop, std::cref(t), &st);
  e2e::PollUntil([&] { return st.created.load(); }, std::chrono::seconds(10));
  std::atomic<bool> load_done{false};
  std::thread load;
  if (load_clients > 0)
    load = std::thread([&] {
      RunLoad(t, Op::kPut, load_clients, seconds);
      load_done = true;
    });
  Latency out;
  Client cl(t);
  std::vector<double> put_ms;
  auto end = Clock::now() + std::chrono::seconds(seconds);
  for (int64_t n = 0; Clock::now() < end; ++n) {
    int64_t sent = NowNs();
    if (cl.Post("/v3/kv/put", PutBody("/lat/" + std::to_string(n % 16), std::to_string(sent)))) {
      ++out.puts;
      put_ms.push_back((NowNs() - sent) / 1e6);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // pacing, not waiting
  }
  if (load.joinable()) load.join();
  e2e::PollUntil(
      [&] {
        std::lock_guard<std::mutex> lock(st.mu);
        return static_cast<int64_t>(st.latencies.size()) >= out.puts;
      },
      std::chrono::seconds(5));
  st.stop = true;
  watcher.join();
  out.samples = st.latencies.size();
  Percentiles(st.latencies, &out.p50, &out.p99);
  Percentiles(put_ms, &out.put_p50, &out.put_p99);
  return out;
}

// ---- Debian's etcd on free loopback ports, with the same certificates as ours.

class EtcdProcess {
 public:
  EtcdProcess(const std::string& dir, const TlsFiles& server_tls, const std::string& client_ca)
      : dir_(dir), port_(e2e::FreePort()), peer_port_(e2e::FreePort()) {
    std::string peer = "http://127.0.0.1:" + std::to_string(peer_port_);
    std::vector<std::string> argv = {"/usr/bin/etcd",
                                     "--name",
                                     "bench",
                                     "--data-dir",
                                     dir + "/etcd",
                                     "--listen-client-urls",
                                     url(),
                                     "--advertise-client-urls",
                                     url(),
                                     "--listen-peer-urls",
                                     peer,
                                     "--initial-advertise-peer-urls",
                                     peer,
                                     "--initial-cluster",
                                     "bench=" + peer,
                                     "--cert-file",
                                     server_tls.cert,
                                     "--key-file",
                                     server_tls.key,
                                     "--client-cert-auth",
                                     "--trusted-ca-file",
                                     client_ca,
                                     "--log-level",
                                     "warn"};
    int log = open((dir + "/etcd.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(log, 1);
      dup2(log, 2);
      execv(args[0], args.data());
      _exit(127);
    }
    close(log);
  }
  ~EtcdProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

 private:
  std::string dir_;
  int port_, peer_port_;
  pid_t pid_ = -1;
};

bool Ready(const Target& t) {
  return e2e::HttpRequest("POST", t.url + "/v3/maintenance/status", "{}", {}, t.tls).code == 200;
}

std::string Fmt(double v, const char* f = "%.0f") {
  char buf[32];
  std::snprintf(buf, sizeof(buf), f, v);
  return buf;
}

void Row(const std::string& name, double ours, double theirs, bool have_etcd, const char* f) {
  std::printf("%-28s %14s %14s %8s\n", name.c_str(), Fmt(ours, f).c_str(),
              have_etcd ? Fmt(theirs, f).c_str() : "-",
              have_etcd && theirs > 0 ? Fmt(ours / theirs, "%.2fx").c_str() : "-");
  std::fflush(stdout);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--duration" && i + 1 < argc)
      o.seconds = std::max(1, std::atoi(argv[++i]));
    else if (a == "--no-etcd")
      o.with_etcd = false;
    else if (a == "--clients" && i + 1 < argc) {
      o.clients.clear();
      std::stringstream ss(argv[++i]);
      for (std::string c; std::getline(ss, c, ',');)
        o.clients.push_back(std::max(1, std::atoi(c.c_str())));
    }
  }
  return o;
}

int Main(int argc, char** argv) {
  Options opt = ParseArgs(argc, argv);
  curl_global_init(CURL_GLOBAL_ALL);
  signal(SIGPIPE, SIG_IGN);
  e2e::ServerProcess server;
  if (!server.Start()) {
    std::fprintf(stderr, "cluster server did not start: %s\n", server.last_error().c_str());
    return 1;
  }
  Target ours{"cluster", server.etcd_url(), server.etcd_tls()};
  std::string tls = server.data_dir() + "/server/tls/etcd/";
  std::unique_ptr<EtcdProcess> etcd;
  Target theirs{"etcd", "", server.etcd_tls()};
  if (opt.with_etcd) {
    etcd = std::make_unique<EtcdProcess>(
        server.dir(), TlsFiles{"", tls + "server-client.crt", tls + "server-client.key"},
        tls + "server-ca.crt");
    theirs.url = etcd->url();
    if (!e2e::PollUntil([&] { return Ready(theirs); }, std::chrono::seconds(30))) {
      std::fprintf(stderr, "etcd did not start; see %s/etcd.log\n", server.dir().c_str());
      opt.with_etcd = false;
    }
  }
  std::printf("bench_store: %d s per cell, HTTPS + client certs for both peers, 100-byte values\n",
              opt.seconds);
  std::printf("%-28s %14s %14s %8s\n", "cell", "cluster", "etcd 3.4", "ratio");
  int64_t errors_ours = 0, errors_etcd = 0;
  for (Op op : {Op::kPut, Op::kRange}) {
    for (int c : opt.clients) {
      LoadResult a = RunLoad(ours, op, c, opt.seconds);
      LoadResult b = opt.with_etcd ? RunLoad(theirs, op, c, opt.seconds) : LoadResult{};
      errors_ours += a.errors;
      errors_etcd += b.errors;
      Row(std::string(op == Op::kPut ? "put" : "range") + " ops/s, " + std::to_string(c) +
              " clients",
          a.rate(), b.rate(), opt.with_etcd, "%.0f");
    }
  }
  for (int load : {0, 64}) {
    Latency a = WatchLatency(ours, opt.seconds, load);
    Latency b = opt.with_etcd ? WatchLatency(theirs, opt.seconds, load) : Latency{};
    std::string cell = load ? "watch ms, 64-client load" : "watch ms, idle";
    Row(cell + " p50", a.p50, b.p50, opt.with_etcd, "%.2f");
    Row(cell + " p99", a.p99, b.p99, opt.with_etcd, "%.2f");
    Row("  (its puts' ack p50)", a.put_p50, b.put_p50, opt.with_etcd, "%.2f");
    Row("  (its puts' ack p99)", a.put_p99, b.put_p99, opt.with_etcd, "%.2f");
    if (a.samples < static_cast<size_t>(a.puts) || b.samples < static_cast<size_t>(b.puts))
      std::printf("  (events missing: cluster %zu/%lld, etcd %zu/%lld)\n", a.samples,
                  (long long)a.puts, b.samples, (long long)b.puts);
  }
  std::printf("%-28s %14lld %14s\n", "errors", (long long)errors_ours,
              opt.with_etcd ? std::to_string(errors_etcd).c_str() : "-");
  etcd.reset();
  server.Stop();
  return 0;
}

}  // namespace
}  // namespace cluster::bench

int main(int argc, char** argv) { return cluster::bench::Main(argc, argv); }
