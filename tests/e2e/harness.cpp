#include "harness.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "common/base64.h"

#ifndef CLUSTER_BINARY
#define CLUSTER_BINARY "cluster"
#endif

extern char** environ;

namespace cluster::e2e {
namespace {

using Clock = std::chrono::steady_clock;

void InitCurl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_ALL); });
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Waits for `pid` up to `timeout`; true with *status set when it exited.
bool WaitFor(pid_t pid, std::chrono::milliseconds timeout, int* status) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);  // no child-exit notification to block on portably
  }
}

// argv/envp arrays built before fork: the child of a multithreaded parent may only make
// async-signal-safe calls until exec.
struct ExecArgs {
  std::vector<std::string> strings_argv, strings_env;
  std::vector<char*> argv, envp;
  ExecArgs(const std::vector<std::string>& a, const std::map<std::string, std::string>& env)
      : strings_argv(a) {
    for (char** e = environ; *e != nullptr; ++e) {
      std::string kv = *e;
      if (env.count(kv.substr(0, kv.find('='))) == 0) strings_env.push_back(kv);
    }
    for (const auto& [k, v] : env) strings_env.push_back(k + "=" + v);
    for (auto& s : strings_argv) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (auto& s : strings_env) envp.push_back(s.data());
    envp.push_back(nullptr);
  }
};

// Pumps the child's stdin/stdout/stderr until both outputs close or the deadline passes.
bool PumpPipes(int in_fd, const std::string& input, int out_fd, int err_fd, CommandResult* r,
               Clock::time_point deadline) {
  size_t written = 0;
  if (input.empty()) {
    close(in_fd);
    in_fd = -1;
  }
  while (out_fd >= 0 || err_fd >= 0) {
    pollfd fds[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {in_fd, POLLOUT, 0}};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    if (poll(fds, 3, static_cast<int>(std::min<int64_t>(left.count(), 100))) < 0 && errno != EINTR)
      return false;
    int* ends[2] = {&out_fd, &err_fd};
    std::string* bufs[2] = {&r->out, &r->err};
    for (int i = 0; i < 2; ++i) {
      if (*ends[i] < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t n = read(*ends[i], buf, sizeof(buf));
      if (n > 0)
        bufs[i]->append(buf, n);
      else if (n == 0 || errno != EINTR) {
        close(*ends[i]);
        *ends[i] = -1;
      }
    }
    if (in_fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = write(in_fd, input.data() + written, input.size() - written);
      if (n > 0) written += n;
      if (n < 0 || written == input.size()) {
        close(in_fd);
        in_fd = -1;
      }
    }
  }
  if (in_fd >= 0) close(in_fd);
  return true;
}

size_t CollectBody(char* ptr, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(ptr, size * n);
  return size * n;
}

}  // namespace

std::string ClusterBinary() {
  const char* env = getenv("CLUSTER_BINARY");
  return env != nullptr && *env ? env : CLUSTER_BINARY;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

TempDir::TempDir(const std::string& prefix) {
  const char* base = getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/" + prefix + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) != nullptr) path_ = buf.data();
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CommandResult Run(const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& extra_env,
                  const std::string& stdin_data, std::chrono::milliseconds timeout) {
  CommandResult r;
  if (argv.empty()) return r;
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
    return r;
  ExecArgs args(argv, extra_env);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    execvpe(args.argv[0], args.argv.data(), args.envp.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (pid < 0) {
    close(in[1]);
    close(out[0]);
    close(err[0]);
    return r;
  }
  signal(SIGPIPE, SIG_IGN);  // a child that exits early must not kill us through its stdin
  bool done = PumpPipes(in[1], stdin_data, out[0], err[0], &r, Clock::now() + timeout);
  int status = 0;
  if (!done || !WaitFor(pid, done ? timeout : 0ms, &status)) {
    r.timed_out = true;
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  r.exit_code = ExitCode(status);
  return r;
}

bool PollUntil(const std::function<bool()>& cond, std::chrono::milliseconds deadline,
               std::chrono::milliseconds interval) {
  auto end = Clock::now() + deadline;
  for (;;) {
    if (cond()) return true;
    if (Clock::now() >= end) return false;
    std::this_thread::sleep_for(interval);
  }
}

HttpResult HttpRequest(const std::string& method, const std::string& url, const std::string& body,
                       const std::vector<std::string>& headers, const TlsFiles& tls,
                       std::chrono::milliseconds timeout) {
  InitCurl();
  HttpResult r;
  CURL* c = curl_easy_init();
  if (c == nullptr) {
    r.error = "curl_easy_init failed";
    return r;
  }
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_slist* hdrs = nullptr;
  for (const auto& h : headers) hdrs = curl_slist_append(hdrs, h.c_str());
  if (hdrs != nullptr) curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &CollectBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  if (!tls.ca.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, tls.ca.c_str());
  if (!tls.cert.empty()) curl_easy_setopt(c, CURLOPT_SSLCERT, tls.cert.c_str());
  if (!tls.key.empty()) curl_easy_setopt(c, CURLOPT_SSLKEY, tls.key.c_str());
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) r.error = curl_easy_strerror(rc);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
  char* ct = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != nullptr)
    r.content_type = ct;
  curl_slist_free_all(hdrs);
  curl_easy_cleanup(c);
  return r;
}

// ---- ServerProcess

ServerProcess::ServerProcess(std::vector<std::string> extra_args)
    : tmp_("cluster-server"),
      extra_args_(std::move(extra_args)),
      api_port_(FreePort()),
      etcd_port_(FreePort()),
      probe_(&ServerProcess::EtcdApiReady) {
  if (std::find(extra_args_.begin(), extra_args_.end(), "--disable-etcd-api") != extra_args_.end())
    probe_ = &ServerProcess::ApiserverReady;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop(10s);
}

std::string ServerProcess::etcd_url() const {
  return "https://127.0.0.1:" + std::to_string(etcd_port_);
}

std::string ServerProcess::api_url() const {
  return "https://127.0.0.1:" + std::to_string(api_port_);
}

TlsFiles ServerProcess::etcd_tls() const {
  std::string d = data_dir() + "/server/tls/etcd/";
  return {d + "server-ca.crt", d + "client.crt", d + "client.key"};
}

TlsFiles ServerProcess::admin_tls() const {
  std::string d = data_dir() + "/server/tls/";
  return {d + "server-ca.crt", d + "client-admin.crt", d + "client-admin.key"};
}

HttpResult ServerProcess::EtcdCall(const std::string& path, const std::string& body) const {
  return HttpRequest("POST", etcd_url() + path, body, {}, etcd_tls());
}

bool ServerProcess::EtcdApiReady(const ServerProcess& s) {
  return s.EtcdCall("/v3/maintenance/status", "{}").code == 200;
}

bool ServerProcess::ApiserverReady(const ServerProcess& s) {
  return HttpRequest("GET", s.api_url() + "/readyz", "", {}, s.admin_tls(), 2s).code == 200;
}

std::string ServerProcess::LogTail(size_t bytes) const {
  std::ifstream in(log_path(), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

bool ServerProcess::Spawn() {
  std::vector<std::string> argv = {ClusterBinary(),
                                   "server",
                                   "--data-dir",
                                   data_dir(),
                                   "--https-listen-port",
                                   std::to_string(api_port_),
                                   "--etcd-listen-client-urls",
                                   etcd_url(),
                                   "--write-kubeconfig",
                                   kubeconfig(),
                                   "--disable-agent"};
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  int log = open(log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) {
    last_error_ = "cannot open " + log_path();
    return false;
  }
  ExecArgs args(argv, {});
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // A test that crashes or leaks its ServerProcess must not leave a server running.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(log, 1);
    dup2(log, 2);
    execve(args.argv[0], args.argv.data(), args.envp.data());
    _exit(127);
  }
  close(log);
  if (pid < 0) {
    last_error_ = std::string("fork: ") + std::strerror(errno);
    return false;
  }
  pid_ = pid;
  return true;
}

bool ServerProcess::Start(std::chrono::milliseconds ready_timeout) {
  if (pid_ > 0) return true;
  if (tmp_.path().empty()) {
    last_error_ = "no temp dir";
    return false;
  }
  if (!Spawn()) return false;
  bool exited = false;
  bool ready = PollUntil(
      [&] {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          exited = true;
          last_error_ = "server exited with code " + std::to_string(ExitCode(status));
          return true;
        }
        return probe_(*this);
      },
      ready_timeout, 20ms);
  if (exited) pid_ = -1;
  if (ready && !exited) return true;
  if (!exited) {
    last_error_ = "server not ready after " + std::to_string(ready_timeout.count()) + " ms";
    Kill();
  }
  last_error_ += "\n--- server.log tail ---\n" + LogTail();
  return false;
}

int ServerProcess::Stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return -1;
  int status = 0;
  kill(pid_, SIGTERM);
  if (!WaitFor(pid_, grace, &status)) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
  pid_ = -1;
  return ExitCode(status);
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool ServerProcess::Restart(std::chrono::milliseconds ready_timeout) {
  Stop();
  return Start(ready_timeout);
}

std::string B64(const std::string& s) { return Base64Encode(s); }

std::string UnB64(const std::string& s) {
  auto d = Base64Decode(s);
  return d ? *d : std::string();
}

}  // namespace cluster::e2e
