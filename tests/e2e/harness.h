// End-to-end test harness: runs the real `cluster` binary (CLUSTER_BINARY) and other commands,
// with temp dirs, free loopback ports, deadline polling (never sleeps to wait) and cleanup of
// every process it starts, by PID.
//
// Thread safety: free functions are safe from any thread. A ServerProcess or TempDir is used by
// one thread at a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace cluster::e2e {

using namespace std::chrono_literals;

// The `cluster` binary under test.
std::string ClusterBinary();

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

// A fresh directory under $TMPDIR (or /tmp), removed recursively with its contents on
// destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "cluster-e2e");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;  // 128+signal when killed by a signal; -1 when it could not start
  std::string out, err;
  bool timed_out = false;
};

// Runs argv[0] (searched in PATH) with extra environment variables and stdin, collecting its
// output; kills it (SIGKILL) when `timeout` passes and returns what it printed so far.
CommandResult Run(const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& extra_env = {},
                  const std::string& stdin_data = "", std::chrono::milliseconds timeout = 60s);

// Calls `cond` every `interval` until it returns true (→ true) or `deadline` passes (→ false).
bool PollUntil(const std::function<bool()>& cond, std::chrono::milliseconds deadline,
               std::chrono::milliseconds interval = 10ms);

// PEM file paths for an HTTPS call; empty fields are not used.
struct TlsFiles {
  std::string ca, cert, key;
};

struct HttpResult {
  long code = 0;  // HTTP status; 0 when there was no HTTP answer
  std::string body;
  std::string content_type;
  std::string error;  // transport error (connection refused, TLS handshake failed, ...)
};

// One HTTP(S) request with libcurl (a fresh connection each time).
HttpResult HttpRequest(const std::string& method, const std::string& url,
                       const std::string& body = "", const std::vector<std::string>& headers = {},
                       const TlsFiles& tls = {}, std::chrono::milliseconds timeout = 10s);

// `cluster server` on free ports with a temp data dir:
//   server --data-dir TEMP/data --https-listen-port P --etcd-listen-client-urls
//   https://127.0.0.1:Q --write-kubeconfig TEMP/kubeconfig.yaml --disable-agent EXTRA...
// stdout and stderr go to TEMP/server.log. The destructor stops it (SIGTERM, then SIGKILL).
// The server also gets SIGKILL when the thread that called Start() exits (PR_SET_PDEATHSIG), so
// a crashed or leaked test leaves nothing running: call Start() from a long-lived thread (main).
class ServerProcess {
 public:
  using Probe = std::function<bool(const ServerProcess&)>;

  explicit ServerProcess(std::vector<std::string> extra_args = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the process and waits (up to ready_timeout) until the readiness probe passes.
  // False, with the reason and the log's tail in last_error(), when it exits or never gets ready.
  bool Start(std::chrono::milliseconds ready_timeout = 60s);
  // SIGTERM and wait (SIGKILL after `grace`). Returns the exit code (128+sig when signalled).
  int Stop(std::chrono::milliseconds grace = 20s);
  // SIGKILL and wait.
  void Kill();
  bool Restart(std::chrono::milliseconds ready_timeout = 60s);
  bool running() const { return pid_ > 0; }

  // Readiness: the default is EtcdApiReady (the store answers); tests of later layers can
  // use ApiserverReady or their own.
  void set_ready_probe(Probe probe) { probe_ = std::move(probe); }
  static bool EtcdApiReady(const ServerProcess& s);
  static bool ApiserverReady(const ServerProcess& s);  // GET /readyz as admin → 200

  const std::string& dir() const { return tmp_.path(); }
  std::string data_dir() const { return tmp_.path() + "/data"; }
  std::string etcd_url() const;
  int etcd_port() const { return etcd_port_; }
  int api_port() const { return api_port_; }
  std::string api_url() const;
  std::string kubeconfig() const { return tmp_.path() + "/kubeconfig.yaml"; }
  std::string log_path() const { return tmp_.path() + "/server.log"; }
  pid_t pid() const { return pid_; }
  // Client files for the store API and the apiserver (admin), under data_dir.
  TlsFiles etcd_tls() const;
  TlsFiles admin_tls() const;
  std::string last_error() const { return last_error_; }
  std::string LogTail(size_t bytes = 4000) const;

  // POST to the store API with its client certificate.
  HttpResult EtcdCall(const std::string& path, const std::string& body) const;

 private:
  bool Spawn();

  TempDir tmp_;
  std::vector<std::string> extra_args_;
  int api_port_;
  int etcd_port_;
  pid_t pid_ = -1;
  Probe probe_;
  std::string last_error_;
};

// Base64 (standard alphabet, padded) for building etcd API requests.
std::string B64(const std::string& s);
std::string UnB64(const std::string& s);

}  // namespace cluster::e2e
