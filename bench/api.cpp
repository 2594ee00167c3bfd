// bench_api: the Kubernetes REST API of `cluster server` under load. Prints figures; never fails
// on time (exit 1 only when the setup breaks).
//
// Every request is HTTPS with the admin client certificate, as kubectl sends it; each client is
// a thread with its own libcurl handle and keep-alive connection (connected before timing).
// Cells:
//   - create/get/list/update/delete of ConfigMaps with 1, 16 and 64 clients: ops/s, p50, p99,
//     and server CPU per request (utime+stime of the server process / requests);
//   - watch delivery (create → ADDED at a watcher), idle and under a 16-client create load;
//   - 200 creates/s paced over 5 s (the target: mutating p99 < 10 ms);
//   - 500 open watches (one connection each): get/create with 16 clients next to the same
//     cells without them, and one write's delivery to all 500 watchers;
//   - 10 000 pods in one namespace: list latency (median of 10), JSON and Table (target
//     < 100 ms);
//   - the server's VmRSS after start, with 500 watches and after 10 000 pods.
//
//   bench_api [--seconds S] [--clients 1,16,64] [--pods 10000] [--watches 500]
#include <curl/curl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

// The e2e harness (process, port, temp dir and TLS helpers) is compiled in directly: bench
// targets link only cluster_common and libcurl, and the harness library carries Catch2's main.
#include "../tests/e2e/harness.cpp"
#include "api/protobuf.h"

namespace cluster::bench {
namespace {

using e2e::TlsFiles;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Options {
  int seconds = 3;
  std::vector<int> clients = {1, 16, 64};
  int pods = 10000;
  int watches = 500;
};

struct Target {
  std::string url;
  TlsFiles tls;
};

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
  size_t n = 0;
};

Percentiles Summarize(std::vector<double> v) {
  Percentiles p;
  p.n = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  p.p50 = v[v.size() / 2];
  p.p99 = v[std::min(v.size() - 1, static_cast<size_t>(v.size() * 0.99))];
  p.max = v.back();
  return p;
}

// ---- The server process: memory and CPU from /proc.

std::string ProcStatusField(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field + ":", 0) == 0) {
      size_t b = line.find_first_not_of(" \t", field.size() + 1);
      return b == std::string::npos ? "" : line.substr(b);
    }
  return "?";
}

// utime + stime of the process, in seconds.
double ProcCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = all.rfind(')');
  if (close == std::string::npos) return 0;
  std::stringstream ss(all.substr(close + 2));
  std::vector<std::string> f;
  for (std::string x; ss >> x;) f.push_back(x);
  // After "pid (comm) ": state is field 3, utime 14, stime 15 → indexes 11 and 12 here.
  if (f.size() < 13) return 0;
  return (std::atof(f[11].c_str()) + std::atof(f[12].c_str())) / sysconf(_SC_CLK_TCK);
}

// ---- A keep-alive HTTPS client (one per thread).

size_t Collect(char* p, size_t s, size_t n, void* u) {
  static_cast<std::string*>(u)->append(p, s * n);
  return s * n;
}

constexpr const char* kTableAccept = "Accept: application/json;as=Table;v=v1;g=meta.k8s.io";
// What client-go sends when configured for protobuf.
constexpr const char* kProtobufAccept =
    "Accept: application/vnd.kubernetes.protobuf,application/json";

// The answer a request asks for.
enum class Media { kJson, kTable, kProtobuf };

class Client {
 public:
  explicit Client(const Target& t) : curl_(curl_easy_init()) {
    base_ = t.url;
    curl_easy_setopt(curl_, CURLOPT_CAINFO, t.tls.ca.c_str());
    curl_easy_setopt(curl_, CURLOPT_SSLCERT, t.tls.cert.c_str());
    curl_easy_setopt(curl_, CURLOPT_SSLKEY, t.tls.key.c_str());
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &Collect);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &body_);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(curl_, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
    json_ = curl_slist_append(json_, "Content-Type: application/json");
    json_ = curl_slist_append(json_, "Expect:");
    table_ = curl_slist_append(table_, kTableAccept);
    protobuf_ = curl_slist_append(protobuf_, kProtobufAccept);
  }
  ~Client() {
    curl_easy_cleanup(curl_);
    curl_slist_free_all(json_);
    curl_slist_free_all(table_);
    curl_slist_free_all(protobuf_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // One request; the HTTP status (0 on a transport error), the response in body().
  long Do(const char* method, const std::string& path, const std::string& body = "",
          Media media = Media::kJson) {
    body_.clear();
    std::string url = base_ + path;
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    bool has_body = std::strcmp(method, "POST") == 0 || std::strcmp(method, "PUT") == 0;
    if (has_body) {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
      curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method);
    } else {
      curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
      curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST,
                       std::strcmp(method, "GET") == 0 ? nullptr : method);
    }
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER,
                     media == Media::kTable      ? table_
                     : media == Media::kProtobuf ? protobuf_
                                                 : json_);
    if (curl_easy_perform(curl_) != CURLE_OK) return 0;
    long code = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &code);
    return code;
  }
  const std::string& body() const { return body_; }

 private:
  CURL* curl_;
  std::string base_;
  std::string body_;
  curl_slist* json_ = nullptr;
  curl_slist* table_ = nullptr;
  curl_slist* protobuf_ = nullptr;
};

std::string JsonField(const std::string& body, const std::string& name) {
  std::string key = "\"" + name + "\":\"";
  size_t b = body.find(key);
  if (b == std::string::npos) return "";
  b += key.size();
  size_t e = body.find('"', b);
  return e == std::string::npos ? "" : body.substr(b, e - b);
}

std::string ConfigMap(const std::string& ns, const std::string& name, const std::string& data,
                      const std::string& rv = "") {
  std::string meta = "{\"name\":\"" + name + "\",\"namespace\":\"" + ns +
                     "\",\"labels\":{\"app\":\"bench\"}" +
                     (rv.empty() ? "" : ",\"resourceVersion\":\"" + rv + "\"") + "}";
  return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":" + meta +
         ",\"data\":" + data + "}";
}

std::string Pod(const std::string& ns, const std::string& name) {
  return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name +
         "\",\"namespace\":\"" + ns +
         "\",\"labels\":{\"app\":\"bench\"}},\"spec\":{\"containers\":[{\"name\":\"c\","
         "\"image\":\"busybox:latest\"}]}}";
}

std::string Payload() { return "{\"k\":\"" + std::string(100, 'v') + "\"}"; }

std::string CmPath(const std::string& ns, const std::string& name = "") {
  return "/api/v1/namespaces/" + ns + "/configmaps" + (name.empty() ? "" : "/" + name);
}

// ---- Namespaces and objects the cells use.

constexpr const char* kNsLoad = "bench";         // create/delete cells (grows)
constexpr const char* kNsFixed = "bench-fix";    // one object per client: get/update cells
constexpr const char* kNsList = "bench-list";    // 10 objects: the small list cell
constexpr const char* kNsWatch = "bench-watch";  // single-watcher delivery
constexpr const char* kNsFan = "bench-fan";      // watched by the 500 watchers
constexpr const char* kNsPods = "bench-pods";    // the 10 000 pods
constexpr int kMaxClients = 256;

bool Setup(const Target& t, int clients_max, std::string* error) {
  Client cl(t);
  for (const char* ns : {kNsLoad, kNsFixed, kNsList, kNsWatch, kNsFan, kNsPods}) {
    std::string body = std::string(
                           "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":"
                           "{\"name\":\"") +
                       ns + "\"}}";
    long code = cl.Do("POST", "/api/v1/namespaces", body);
    if (code != 201 && code != 409) {
      *error = "POST namespace " + std::string(ns) + " → " + std::to_string(code) + " " + cl.body();
      return false;
    }
  }
  for (int c = 0; c < clients_max; ++c) {
    long code =
        cl.Do("POST", CmPath(kNsFixed), ConfigMap(kNsFixed, "fix-" + std::to_string(c), Payload()));
    if (code != 201) {
      *error = "POST configmap fixture → " + std::to_string(code) + " " + cl.body();
      return false;
    }
  }
  for (int i = 0; i < 10; ++i) {
    long code =
        cl.Do("POST", CmPath(kNsList), ConfigMap(kNsList, "item-" + std::to_string(i), Payload()));
    if (code != 201) {
      *error = "POST configmap list item → " + std::to_string(code) + " " + cl.body();
      return false;
    }
  }
  return true;
}

// ---- Closed-loop load: N clients issue one verb back to back.

enum class Verb { kCreate, kGet, kList, kUpdate, kDelete };

const char* VerbName(Verb v) {
  switch (v) {
    case Verb::kCreate:
      return "create configmap";
    case Verb::kGet:
      return "get configmap";
    case Verb::kList:
      return "list 10 configmaps";
    case Verb::kUpdate:
      return "update configmap";
    case Verb::kDelete:
      return "delete configmap";
  }
  return "?";
}

struct LoadResult {
  int64_t ops = 0, errors = 0;
  double seconds = 0;
  double cpu_seconds = 0;  // the server's, during the cell
  Percentiles lat;
  std::string first_error;
  double rate() const { return seconds > 0 ? ops / seconds : 0; }
};

// What one client of a cell does; state lives in the closure. Returns the HTTP status, or -1
// when the client has no more work (the delete cell ran out of objects).
using Step = std::function<long(Client&)>;

// Names the create cell made, per (tag, client), so the delete cell removes exactly those.
struct Created {
  std::mutex mu;
  std::map<std::string, std::vector<std::string>> names;  // guarded by mu
};

Step MakeStep(Verb v, const std::string& tag, int c, Created* created) {
  std::string mine = "fix-" + std::to_string(c);
  switch (v) {
    case Verb::kCreate: {
      auto n = std::make_shared<int64_t>(0);
      auto list = std::make_shared<std::vector<std::string>>();
      return [=](Client& cl) {
        std::string name = tag + "-c" + std::to_string(c) + "-" + std::to_string((*n)++);
        long code = cl.Do("POST", CmPath(kNsLoad), ConfigMap(kNsLoad, name, Payload()));
        if (code == 201) {
          std::lock_guard<std::mutex> lock(created->mu);
          created->names[tag + "/" + std::to_string(c)].push_back(name);
        }
        return code;
      };
    }
    case Verb::kGet:
      return [=](Client& cl) { return cl.Do("GET", CmPath(kNsFixed, mine)); };
    case Verb::kList:
      return [=](Client& cl) { return cl.Do("GET", CmPath(kNsList)); };
    case Verb::kUpdate: {
      auto rv = std::make_shared<std::string>();
      auto n = std::make_shared<int64_t>(0);
      return [=](Client& cl) {
        if (rv->empty() && cl.Do("GET", CmPath(kNsFixed, mine)) == 200)
          *rv = JsonField(cl.body(), "resourceVersion");
        std::string data = "{\"k\":\"" + std::string(100, 'u') + std::to_string((*n)++) + "\"}";
        long code = cl.Do("PUT", CmPath(kNsFixed, mine), ConfigMap(kNsFixed, mine, data, *rv));
        *rv = code == 200 ? JsonField(cl.body(), "resourceVersion") : "";
        return code;
      };
    }
    case Verb::kDelete: {
      auto names = std::make_shared<std::vector<std::string>>();
      {
        std::lock_guard<std::mutex> lock(created->mu);
        *names = created->names[tag + "/" + std::to_string(c)];
      }
      auto i = std::make_shared<size_t>(0);
      return [=](Client& cl) -> long {
        if (*i >= names->size()) return -1;
        return cl.Do("DELETE", CmPath(kNsLoad, (*names)[(*i)++]));
      };
    }
  }
  return nullptr;
}

long OkCode(Verb v) { return v == Verb::kCreate ? 201 : 200; }

LoadResult RunLoad(const Target& t, pid_t server, Verb v, int clients, int seconds,
                   const std::string& tag, Created* created) {
  std::atomic<int> ready{0}, finished{0};
  std::atomic<bool> go{false}, stop{false};
  std::atomic<int64_t> ops{0}, errors{0};
  std::mutex mu;
  std::vector<double> all;                    // guarded by mu
  std::string first_error;                    // guarded by mu
  Clock::time_point last_end = Clock::now();  // guarded by mu
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      Client cl(t);
      Step step = MakeStep(v, tag, c, created);
      cl.Do("GET", "/readyz");  // connect (TLS) before timing
      ++ready;
      while (!go) std::this_thread::yield();
      std::vector<double> lat;
      lat.reserve(4096);
      while (!stop) {
        auto t0 = Clock::now();
        long code = step(cl);
        if (code < 0) break;
        if (code == OkCode(v)) {
          lat.push_back(MsSince(t0));
          ++ops;
        } else {
          ++errors;
          std::lock_guard<std::mutex> lock(mu);
          if (first_error.empty())
            first_error = std::string(VerbName(v)) + " → " + std::to_string(code) + " " +
                          cl.body().substr(0, 200);
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      last_end = std::max(last_end, Clock::now());
      all.insert(all.end(), lat.begin(), lat.end());
      ++finished;
    });
  }
  e2e::PollUntil([&] { return ready == clients; }, 60s, 1ms);
  double cpu0 = ProcCpuSeconds(server);
  auto start = Clock::now();
  go = true;
  // Ends early when every client ran out of work (delete).
  e2e::PollUntil([&] { return finished == clients; }, std::chrono::seconds(seconds), 5ms);
  stop = true;
  for (auto& th : threads) th.join();
  LoadResult r;
  r.seconds = std::chrono::duration<double>(std::min(last_end, Clock::now()) - start).count();
  r.cpu_seconds = ProcCpuSeconds(server) - cpu0;
  r.ops = ops;
  r.errors = errors;
  r.lat = Summarize(std::move(all));
  r.first_error = first_error;
  return r;
}

// ---- Output.

void LoadHeader() {
  std::printf("%-36s %7s %9s %9s %9s %9s %10s %6s\n", "cell", "clients", "ops/s", "p50 ms",
              "p99 ms", "max ms", "srv us/op", "errors");
}

void LoadRow(const std::string& cell, int clients, const LoadResult& r) {
  std::printf("%-36s %7d %9.0f %9.2f %9.2f %9.2f %10.0f %6lld\n", cell.c_str(), clients, r.rate(),
              r.lat.p50, r.lat.p99, r.lat.max, r.ops > 0 ? r.cpu_seconds * 1e6 / r.ops : 0.0,
              (long long)r.errors);
  if (!r.first_error.empty()) std::printf("    first error: %s\n", r.first_error.c_str());
  std::fflush(stdout);
}

void Section(const std::string& title) {
  std::printf("\n== %s\n", title.c_str());
  std::fflush(stdout);
}

void Memory(pid_t pid, const std::string& when) {
  std::printf("server memory %-28s VmRSS %-12s Threads %s\n", (when + ":").c_str(),
              ProcStatusField(pid, "VmRSS").c_str(), ProcStatusField(pid, "Threads").c_str());
  std::fflush(stdout);
}

// ---- Watchers. A write carries its send time (steady clock, ns) and a sequence number in its
// data; a watcher's callback stamps the arrival of each ADDED event.

struct Watcher {
  CURL* curl = nullptr;
  std::string url;
  std::string buf;
  bool established = false;  // the response headers arrived (the server's watch exists)
  bool ended = false;
  std::map<int64_t, double> got;  // seq → delivery ms
  std::mutex* mu = nullptr;       // the group's; guards everything above but curl/url
};

size_t OnWatchHeader(char* p, size_t s, size_t n, void* u) {
  auto* w = static_cast<Watcher*>(u);
  if (s * n == 2 && p[0] == '\r' && p[1] == '\n') {
    std::lock_guard<std::mutex> lock(*w->mu);
    w->established = true;
  }
  return s * n;
}

size_t OnWatchData(char* p, size_t s, size_t n, void* u) {
  int64_t now = NowNs();
  auto* w = static_cast<Watcher*>(u);
  std::lock_guard<std::mutex> lock(*w->mu);
  w->buf.append(p, s * n);
  size_t nl;
  while ((nl = w->buf.find('\n')) != std::string::npos) {
    std::string line = w->buf.substr(0, nl);
    w->buf.erase(0, nl + 1);
    if (line.find("\"type\":\"ADDED\"") == std::string::npos) continue;
    int64_t sent = std::atoll(JsonField(line, "sent").c_str());
    std::string seq = JsonField(line, "seq");
    if (sent > 0 && !seq.empty()) w->got.emplace(std::atoll(seq.c_str()), (now - sent) / 1e6);
  }
  return s * n;
}

// Watches `ns` from resourceVersion `rv` (as an informer does after its list: no synthetic
// ADDED events for objects that already exist).
void InitWatcher(const Target& t, const std::string& ns, const std::string& rv, std::mutex* mu,
                 Watcher* w) {
  w->mu = mu;
  w->url = t.url + CmPath(ns) + "?watch=true&timeoutSeconds=900&resourceVersion=" + rv;
  w->curl = curl_easy_init();
  CURL* c = w->curl;
  curl_easy_setopt(c, CURLOPT_URL, w->url.c_str());
  curl_easy_setopt(c, CURLOPT_CAINFO, t.tls.ca.c_str());
  curl_easy_setopt(c, CURLOPT_SSLCERT, t.tls.cert.c_str());
  curl_easy_setopt(c, CURLOPT_SSLKEY, t.tls.key.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &OnWatchData);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, w);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnWatchHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, w);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 30000L);
}

// Watchers on one thread with a curl multi handle, each its own connection, until Stop().
class WatcherGroup {
 public:
  WatcherGroup(const Target& t, const std::string& ns, const std::string& rv, int count)
      : watchers_(count) {
    for (auto& w : watchers_) InitWatcher(t, ns, rv, &mu_, &w);
    thread_ = std::thread([this] { Loop(); });
  }
  ~WatcherGroup() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int Established() {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (auto& w : watchers_) n += w.established && !w.ended;
    return n;
  }
  int Ended() {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (auto& w : watchers_) n += w.ended;
    return n;
  }
  // Calls f(watcher) for each under the lock.
  void ForEach(const std::function<void(const Watcher&)>& f) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& w : watchers_) f(w);
  }

 private:
  void Loop() {
    CURLM* m = curl_multi_init();
    curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L);
    for (auto& w : watchers_) curl_multi_add_handle(m, w.curl);
    int running = 0;
    while (!stop_) {
      curl_multi_perform(m, &running);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(m, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        for (auto& w : watchers_)
          if (w.curl == msg->easy_handle) {
            std::lock_guard<std::mutex> lock(mu_);
            w.ended = true;
          }
      }
      curl_multi_poll(m, nullptr, 0, 50, nullptr);
    }
    for (auto& w : watchers_) {
      curl_multi_remove_handle(m, w.curl);
      curl_easy_cleanup(w.curl);
    }
    curl_multi_cleanup(m);
  }

  std::mutex mu_;
  std::vector<Watcher> watchers_;  // fields guarded by mu_ (see Watcher)
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Many watcher groups (threads) so the client side decrypts deliveries in parallel.
class WatcherPool {
 public:
  WatcherPool(const Target& t, const std::string& ns, int count, int threads) {
    Client cl(t);
    cl.Do("GET", CmPath(ns) + "?limit=1");
    std::string rv = JsonField(cl.body(), "resourceVersion");  // the list's, first in the body
    for (int i = 0; i < threads; ++i) {
      int share = count / threads + (i < count % threads ? 1 : 0);
      if (share > 0) groups_.push_back(std::make_unique<WatcherGroup>(t, ns, rv, share));
    }
  }
  int Established() {
    int n = 0;
    for (auto& g : groups_) n += g->Established();
    return n;
  }
  int Ended() {
    int n = 0;
    for (auto& g : groups_) n += g->Ended();
    return n;
  }
  void ForEach(const std::function<void(const Watcher&)>& f) {
    for (auto& g : groups_) g->ForEach(f);
  }
  void Stop() {
    for (auto& g : groups_) g->Stop();
  }

 private:
  std::vector<std::unique_ptr<WatcherGroup>> groups_;
};

// Sequence numbers are unique over the run, so a watcher never confuses two cells' writes.
std::atomic<int64_t> next_seq{0};

std::string StampedData(int64_t seq) {
  return "{\"sent\":\"" + std::to_string(NowNs()) + "\",\"seq\":\"" + std::to_string(seq) + "\"}";
}

struct Delivery {
  int64_t writes = 0;
  Percentiles lat;
  int64_t min_receivers = 0;  // of any one write
  int64_t deliveries = 0;
};

// `writes` timestamped creates into `ns`, `gap` apart, then waits (≤ 10 s) for every watcher
// to see every write.
Delivery MeasureDelivery(const Target& t, WatcherPool* pool, int watchers, const std::string& ns,
                         const std::string& tag, int writes, std::chrono::milliseconds gap) {
  Client cl(t);
  cl.Do("GET", "/readyz");
  Delivery d;
  std::vector<int64_t> seqs;
  for (int i = 0; i < writes; ++i) {
    auto next = Clock::now() + gap;
    int64_t seq = next_seq++;
    std::string name = tag + "-" + std::to_string(seq);
    if (cl.Do("POST", CmPath(ns), ConfigMap(ns, name, StampedData(seq))) == 201) {
      ++d.writes;
      seqs.push_back(seq);
    }
    std::this_thread::sleep_until(next);  // pacing, not waiting for a condition
  }
  auto count = [&] {
    int64_t n = 0;
    pool->ForEach([&](const Watcher& w) {
      for (int64_t s : seqs) n += w.got.count(s);
    });
    return n;
  };
  e2e::PollUntil([&] { return count() >= d.writes * watchers; }, 10s, 5ms);
  std::vector<double> lat;
  std::map<int64_t, int64_t> receivers;
  pool->ForEach([&](const Watcher& w) {
    for (int64_t s : seqs) {
      auto it = w.got.find(s);
      if (it == w.got.end()) continue;
      lat.push_back(it->second);
      ++receivers[s];
    }
  });
  d.deliveries = lat.size();
  d.lat = Summarize(std::move(lat));
  d.min_receivers = d.writes > 0 ? INT64_MAX : 0;
  for (int64_t s : seqs) d.min_receivers = std::min(d.min_receivers, receivers[s]);
  return d;
}

bool OpenWatches(WatcherPool* pool, int count, double* seconds) {
  auto t0 = Clock::now();
  bool ok =
      e2e::PollUntil([&] { return pool->Established() >= count || pool->Ended() > 0; }, 60s, 10ms);
  *seconds = MsSince(t0) / 1000;
  return ok && pool->Established() >= count;
}

void WatchCells(const Target& t, pid_t server, const Options& opt, Created* created) {
  Section("watch delivery: one watcher, create → ADDED (200 writes/s)");
  for (int load : {0, 16}) {
    WatcherPool pool(t, kNsWatch, 1, 1);
    double secs = 0;
    if (!OpenWatches(&pool, 1, &secs)) {
      std::printf("watch did not open\n");
      continue;
    }
    LoadResult bg;
    std::thread load_thread;
    if (load > 0)
      load_thread = std::thread(
          [&] { bg = RunLoad(t, server, Verb::kCreate, load, opt.seconds, "wl", created); });
    std::string tag = load ? "loaded" : "idle";
    Delivery d = MeasureDelivery(t, &pool, 1, kNsWatch, tag, opt.seconds * 200, 5ms);
    if (load_thread.joinable()) load_thread.join();
    pool.Stop();
    std::printf(
        "%-36s %7s writes %5lld delivered %5lld  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n",
        load ? "watch, 16 clients creating" : "watch, idle", "", (long long)d.writes,
        (long long)d.deliveries, d.lat.p50, d.lat.p99, d.lat.max);
    if (load > 0)
      std::printf("%-36s %7s (background creates: %.0f/s, p99 %.2f ms)\n", "", "", bg.rate(),
                  bg.lat.p99);
    std::fflush(stdout);
  }
}

// ---- Paced creates: `rate` per second for `seconds`, spread over a few clients so one slow
// request does not delay the next slot. Latency is measured from each request's own start; a
// request that starts > 1 ms after its slot is counted as late.
void PacedCreates(const Target& t, pid_t server, int rate, int seconds) {
  Section("paced creates (issue target: mutating p99 < 10 ms at 200 req/s)");
  const int total = rate * seconds, clients = 32;
  std::atomic<int> next{0}, late{0}, errors{0}, ready{0};
  std::mutex mu;
  std::vector<double> lat;  // guarded by mu
  Clock::time_point start;
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&] {
      Client cl(t);
      cl.Do("GET", "/readyz");
      ++ready;
      while (!go) std::this_thread::yield();
      for (int i; (i = next++) < total;) {
        auto slot = start + std::chrono::microseconds(int64_t(1e6) * i / rate);
        std::this_thread::sleep_until(slot);
        auto t0 = Clock::now();
        if (t0 - slot > 1ms) ++late;
        std::string name = "paced-" + std::to_string(i);
        long code = cl.Do("POST", CmPath(kNsLoad), ConfigMap(kNsLoad, name, Payload()));
        double ms = MsSince(t0);
        if (code != 201) {
          ++errors;
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        lat.push_back(ms);
      }
    });
  e2e::PollUntil([&] { return ready == clients; }, 60s, 1ms);
  double cpu0 = ProcCpuSeconds(server);
  start = Clock::now() + 10ms;
  go = true;
  for (auto& th : threads) th.join();
  double elapsed = MsSince(start) / 1000;
  double cpu = ProcCpuSeconds(server) - cpu0;
  Percentiles p = Summarize(lat);
  std::printf(
      "%-36s %5d/s over %.1f s: done %zu  p50 %.2f ms  p99 %.2f ms  max %.2f ms  late %d"
      "  errors %d  server CPU %.0f%%\n",
      "create configmap, paced", rate, elapsed, p.n, p.p50, p.p99, p.max, late.load(),
      errors.load(), elapsed > 0 ? 100 * cpu / elapsed : 0.0);
  std::fflush(stdout);
}

// ---- 500 open watches: the other requests must not stall.

void ManyWatches(const Target& t, pid_t server, const Options& opt, Created* created) {
  Section(std::to_string(opt.watches) + " open watches (one connection each, on " + kNsFan +
          "; the load below is on " + kNsLoad + "/" + kNsFixed + ")");
  LoadHeader();
  LoadResult get0 = RunLoad(t, server, Verb::kGet, 16, opt.seconds, "", created);
  LoadRow("get, no watches", 16, get0);
  LoadResult create0 = RunLoad(t, server, Verb::kCreate, 16, opt.seconds, "nw", created);
  LoadRow("create, no watches", 16, create0);

  const int threads_before = std::atoi(ProcStatusField(server, "Threads").c_str());
  WatcherPool pool(t, kNsFan, opt.watches, 4);
  double open_s = 0;
  bool open = OpenWatches(&pool, opt.watches, &open_s);
  std::printf("watches open: %d of %d in %.2f s (ended: %d)\n", pool.Established(), opt.watches,
              open_s, pool.Ended());
  Memory(server, "with " + std::to_string(opt.watches) + " watches");
  if (!open)
    std::printf("  (not all watches opened; figures below are with %d)\n", pool.Established());
  LoadResult get1 = RunLoad(t, server, Verb::kGet, 16, opt.seconds, "", created);
  LoadRow("get, " + std::to_string(opt.watches) + " watches open", 16, get1);
  LoadResult create1 = RunLoad(t, server, Verb::kCreate, 16, opt.seconds, "ww", created);
  LoadRow("create, " + std::to_string(opt.watches) + " watches open", 16, create1);
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  std::printf(
      "ratio with/without watches: get ops/s %.2fx p50 %.2fx p99 %.2fx; "
      "create ops/s %.2fx p50 %.2fx p99 %.2fx\n",
      ratio(get1.rate(), get0.rate()), ratio(get1.lat.p50, get0.lat.p50),
      ratio(get1.lat.p99, get0.lat.p99), ratio(create1.rate(), create0.rate()),
      ratio(create1.lat.p50, create0.lat.p50), ratio(create1.lat.p99, create0.lat.p99));

  int live = pool.Established();
  Delivery one = MeasureDelivery(t, &pool, live, kNsFan, "fan-one", 1, 0ms);
  std::printf(
      "one write → %lld of %d watchers received ADDED; delivery p50 %.2f ms p99 %.2f ms "
      "max %.2f ms\n",
      (long long)one.min_receivers, live, one.lat.p50, one.lat.p99, one.lat.max);
  Delivery ten = MeasureDelivery(t, &pool, live, kNsFan, "fan-ten", 10, 100ms);
  std::printf(
      "10 writes 100 ms apart → every write reached ≥ %lld of %d watchers; %lld "
      "deliveries, p50 %.2f ms p99 %.2f ms max %.2f ms\n",
      (long long)ten.min_receivers, live, (long long)ten.deliveries, ten.lat.p50, ten.lat.p99,
      ten.lat.max);
  std::fflush(stdout);
  // Closing the client side must free the server's connection threads (idle watches included).
  pool.Stop();
  auto closed = Clock::now();
  auto threads = [&] { return std::atoi(ProcStatusField(server, "Threads").c_str()); };
  bool freed = e2e::PollUntil([&] { return threads() <= threads_before + 2; }, 10s, 50ms);
  std::printf("watches closed by the client: server threads %d %s %.1f s (%d before opening)\n",
              threads(), freed ? "after" : "still, after", MsSince(closed) / 1000, threads_before);
}

// ---- 10 000 pods in one namespace, then list latency.

void ManyPods(const Target& t, pid_t server, const Options& opt) {
  Section(std::to_string(opt.pods) + " pods in one namespace (issue target: list < 100 ms)");
  const int clients = 64;
  std::atomic<int> next{0}, done{0}, errors{0};
  std::string first_error;
  std::mutex mu;
  auto deadline = Clock::now() + 300s;
  auto t0 = Clock::now();
  double cpu0 = ProcCpuSeconds(server);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&] {
      Client cl(t);
      for (int i; Clock::now() < deadline && (i = next++) < opt.pods;) {
        long code = cl.Do("POST", "/api/v1/namespaces/" + std::string(kNsPods) + "/pods",
                          Pod(kNsPods, "pod-" + std::to_string(i)));
        if (code == 201) {
          ++done;
        } else {
          ++errors;
          std::lock_guard<std::mutex> lock(mu);
          if (first_error.empty())
            first_error = std::to_string(code) + " " + cl.body().substr(0, 200);
        }
      }
    });
  for (auto& th : threads) th.join();
  double secs = MsSince(t0) / 1000;
  std::printf(
      "created %d pods with %d clients in %.1f s (%.0f/s, server CPU %.1f s), errors %d%s%s\n",
      done.load(), clients, secs, done / secs, ProcCpuSeconds(server) - cpu0, errors.load(),
      first_error.empty() ? "" : ": ", first_error.c_str());
  Memory(server, "after " + std::to_string(done.load()) + " pods");

  Client cl(t);
  cl.Do("GET", "/readyz");
  std::printf("%-36s %9s %9s %9s %10s %8s\n", "list (10 runs)", "median ms", "min ms", "max ms",
              "bytes", "items");
  struct Kind {
    const char* name;
    std::string path;
    Media media;
  };
  std::string pods = "/api/v1/namespaces/" + std::string(kNsPods) + "/pods";
  for (const Kind& k :
       {Kind{"pods JSON", pods, Media::kJson},
        Kind{"pods Table (kubectl get)", pods, Media::kTable},
        Kind{"pods protobuf (client-go)", pods, Media::kProtobuf},
        Kind{"pods JSON, limit=500 (first page)", pods + "?limit=500", Media::kJson},
        Kind{"pods JSON, all namespaces", "/api/v1/pods", Media::kJson}}) {
    std::vector<double> ms;
    size_t bytes = 0, items = 0;
    std::string err;
    for (int i = 0; i < 10; ++i) {
      auto s = Clock::now();
      long code = cl.Do("GET", k.path, "", k.media);
      double m = MsSince(s);
      if (code != 200) {
        err = std::to_string(code) + " " + cl.body().substr(0, 200);
        continue;
      }
      ms.push_back(m);
      bytes = cl.body().size();
      items = 0;
      if (k.media == Media::kProtobuf) {
        auto list = api::DecodeProtobufObject(cl.body());
        if (list.ok() && (*list)["items"].IsArray()) items = (*list)["items"].Size();
        continue;
      }
      // Each item carries one "uid" (pods) or one row object (Table): count them.
      const std::string key = k.media == Media::kTable ? "\"cells\":" : "\"uid\":";
      for (size_t p = 0; (p = cl.body().find(key, p)) != std::string::npos; p += key.size())
        ++items;
    }
    Percentiles p = Summarize(ms);
    std::printf("%-36s %9.1f %9.1f %9.1f %10zu %8zu%s%s\n", k.name, p.p50,
                ms.empty() ? 0.0 : *std::min_element(ms.begin(), ms.end()), p.max, bytes, items,
                err.empty() ? "" : "  error: ", err.c_str());
    std::fflush(stdout);
  }
}

// The same reads answered in JSON and in protobuf (as client-go asks), one client, alternating
// rounds so both see the same server state.
void AnswerFormats(const Target& t) {
  Section("answer formats: JSON vs protobuf (1 client, 5 alternating rounds of 300 requests)");
  Client cl(t);
  cl.Do("GET", "/readyz");
  std::printf("%-36s %12s %12s %8s %10s %10s\n", "request", "JSON p50 ms", "pb p50 ms", "pb/JSON",
              "JSON bytes", "pb bytes");
  struct Read {
    const char* name;
    std::string path;
  };
  for (const Read& r : {Read{"get one ConfigMap", CmPath(kNsFixed, "fix-0")},
                        Read{"list ConfigMaps (list namespace)", CmPath(kNsList)}}) {
    std::vector<double> ms[2];
    size_t bytes[2] = {0, 0};
    long bad = 0;
    for (int round = 0; round < 5; ++round) {
      for (int f = 0; f < 2; ++f) {
        Media m = f == 0 ? Media::kJson : Media::kProtobuf;
        for (int i = 0; i < 300; ++i) {
          auto s = Clock::now();
          long code = cl.Do("GET", r.path, "", m);
          ms[f].push_back(MsSince(s));
          if (code != 200) ++bad;
          bytes[f] = cl.body().size();
        }
      }
    }
    double pj = Summarize(ms[0]).p50, pp = Summarize(ms[1]).p50;
    std::printf("%-36s %12.3f %12.3f %7.2fx %10zu %10zu%s\n", r.name, pj, pp, pp / pj, bytes[0],
                bytes[1], bad ? "  (errors)" : "");
  }
  std::fflush(stdout);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next_int = [&](int lo, int hi) { return std::clamp(std::atoi(argv[++i]), lo, hi); };
    if ((a == "--seconds" || a == "--duration") && i + 1 < argc)
      o.seconds = next_int(1, 600);
    else if (a == "--pods" && i + 1 < argc)
      o.pods = next_int(0, 200000);
    else if (a == "--watches" && i + 1 < argc)
      o.watches = next_int(0, 4000);
    else if (a == "--clients" && i + 1 < argc) {
      o.clients.clear();
      std::stringstream ss(argv[++i]);
      for (std::string c; std::getline(ss, c, ',');)
        o.clients.push_back(std::clamp(std::atoi(c.c_str()), 1, kMaxClients));
    } else {
      std::fprintf(stderr,
                   "usage: bench_api [--seconds S] [--clients 1,16,64] [--pods N] [--watches N]\n");
      std::exit(2);
    }
  }
  return o;
}

int Main(int argc, char** argv) {
  Options opt = ParseArgs(argc, argv);
  curl_global_init(CURL_GLOBAL_ALL);
  signal(SIGPIPE, SIG_IGN);
  e2e::ServerProcess server;
  server.set_ready_probe(&e2e::ServerProcess::ApiserverReady);
  if (!server.Start()) {
    std::fprintf(stderr, "cluster server did not start: %s\n", server.last_error().c_str());
    return 1;
  }
  Target t{server.api_url(), server.admin_tls()};
  pid_t pid = server.pid();
  std::printf(
      "bench_api: %d s per cell, HTTPS + admin client certificate, keep-alive; server pid "
      "%d, %ld cores\n",
      opt.seconds, pid, sysconf(_SC_NPROCESSORS_ONLN));
  Memory(pid, "after start");
  int max_clients = std::max(16, *std::max_element(opt.clients.begin(), opt.clients.end()));
  std::string error;
  if (!Setup(t, max_clients, &error)) {
    std::fprintf(stderr, "setup failed: %s\n", error.c_str());
    return 1;
  }
  Created created;
  Section("verbs on ConfigMaps (100-byte data; closed loop, each client its own connection)");
  LoadHeader();
  for (int c : opt.clients) {
    std::string tag = "n" + std::to_string(c);
    for (Verb v : {Verb::kCreate, Verb::kGet, Verb::kList, Verb::kUpdate, Verb::kDelete})
      LoadRow(VerbName(v), c, RunLoad(t, pid, v, c, opt.seconds, tag, &created));
  }
  AnswerFormats(t);
  WatchCells(t, pid, opt, &created);
  PacedCreates(t, pid, 200, 5);
  if (opt.watches > 0) ManyWatches(t, pid, opt, &created);
  if (opt.pods > 0) ManyPods(t, pid, opt);
  Memory(pid, "at the end");
  std::this_thread::sleep_for(2s);
  Memory(pid, "2 s later (idle)");
  int code = server.Stop();
  std::printf("\nserver stopped (exit %d)\n", code);
  return 0;
}

}  // namespace
}  // namespace cluster::bench

int main(int argc, char** argv) { return cluster::bench::Main(argc, argv); }
