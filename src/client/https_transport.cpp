#include "client/https_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "common/log.h"

namespace cluster::client {
namespace {

constexpr size_t kMaxBody = size_t{1} << 30;       // a Do() answer (large lists)
constexpr size_t kMaxErrorBody = size_t{1} << 20;  // a refused stream's Status body
constexpr size_t kMaxLine = size_t{64} << 20;      // one watch event
constexpr size_t kMaxQueuedLines = 1024;           // backpressure on a slow reader
constexpr size_t kMaxIdleHandles = 8;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  void Add(const std::string& h) { list = curl_slist_append(list, h.c_str()); }
};

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

// A Warning header is `299 - "text"` (RFC 7234); kubectl prints just the text.
std::string WarningText(std::string_view value) {
  auto first = value.find('"');
  auto last = value.rfind('"');
  if (first == std::string_view::npos || last <= first) return std::string(value);
  std::string out;
  for (size_t i = first + 1; i < last; ++i) {
    if (value[i] == '\\' && i + 1 < last) ++i;
    out += value[i];
  }
  return out;
}

// Collects Warning headers; a new status line (after 100 Continue) starts over.
void OnHeaderLine(std::string_view line, std::vector<std::string>* warnings) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (StartsWithNoCase(line, "http/")) {
    warnings->clear();
  } else if (StartsWithNoCase(line, "warning:")) {
    std::string_view v = line.substr(8);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    warnings->push_back(WarningText(v));
  }
}

std::string BuildUrl(CURL* h, const std::string& server, const Request& req) {
  std::string url = server;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += req.path;
  char sep = '?';
  for (const auto& [k, v] : req.query) {
    char* ek = curl_easy_escape(h, k.data(), static_cast<int>(k.size()));
    char* ev = curl_easy_escape(h, v.data(), static_cast<int>(v.size()));
    url += sep;
    url += ek ? ek : "";
    url += '=';
    url += ev ? ev : "";
    curl_free(ek);
    curl_free(ev);
    sep = '&';
  }
  return url;
}

void SetBlob(CURL* h, CURLoption opt, const std::string& pem) {
  curl_blob blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
  curl_easy_setopt(h, opt, &blob);
}

// Sets everything a request needs except callbacks. `req` and `headers` must outlive the
// transfer (POSTFIELDS is not copied).
void Configure(CURL* h, const HttpsConfig& cfg, const Request& req, HeaderList* headers) {
  curl_easy_reset(h);
  std::string url = BuildUrl(h, cfg.server, req);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(cfg.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_USERAGENT, cfg.user_agent.c_str());
  if (!cfg.ca_pem.empty()) SetBlob(h, CURLOPT_CAINFO_BLOB, cfg.ca_pem);
  if (cfg.insecure_skip_verify) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!cfg.cert_pem.empty()) {
    SetBlob(h, CURLOPT_SSLCERT_BLOB, cfg.cert_pem);
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
  }
  if (!cfg.key_pem.empty()) {
    SetBlob(h, CURLOPT_SSLKEY_BLOB, cfg.key_pem);
    curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
  }
  if (!cfg.token.empty()) headers->Add("Authorization: Bearer " + cfg.token);
  headers->Add("Accept: " + (req.accept.empty() ? std::string("application/json") : req.accept));
  if (!req.content_type.empty()) headers->Add("Content-Type: " + req.content_type);
  headers->Add("Expect:");  // no 100-continue round trip
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers->list);
  if (req.method.empty() || req.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    return;
  }
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  if (!req.body.empty() || req.method != "DELETE") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
  }
}

std::string CurlError(const Request& req, CURLcode rc, const char* errbuf) {
  std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
  return req.method + " " + req.path + ": " + detail;
}

struct DoSink {
  std::string body;
  std::vector<std::string> warnings;
  bool too_large = false;
};

size_t DoWrite(char* data, size_t size, size_t n, void* ud) {
  auto* sink = static_cast<DoSink*>(ud);
  if (sink->body.size() + size * n > kMaxBody) {
    sink->too_large = true;
    return 0;
  }
  sink->body.append(data, size * n);
  return size * n;
}

size_t DoHeader(char* data, size_t size, size_t n, void* ud) {
  OnHeaderLine(std::string_view(data, size * n), &static_cast<DoSink*>(ud)->warnings);
  return size * n;
}

// A watch response on its own easy handle, driven by a private multi handle on its own thread
// so that Cancel can wake it (curl_multi_wakeup) instead of waiting for a progress callback.
class CurlStream : public Stream {
 public:
  CurlStream(const HttpsConfig& cfg, const Request& req) : req_(req) {
    easy_ = curl_easy_init();
    multi_ = curl_multi_init();
    Configure(easy_, cfg, req_, &headers_);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &CurlStream::WriteCb);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &CurlStream::HeaderCb);
    curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, errbuf_);
    header_deadline_ = std::chrono::steady_clock::now() + cfg.request_timeout;
  }

  ~CurlStream() override {
    Cancel();
    if (thread_.joinable()) thread_.join();
    curl_multi_remove_handle(multi_, easy_);
    curl_easy_cleanup(easy_);
    curl_multi_cleanup(multi_);
  }

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }

  // Blocks until the answer is known: a 200 (then the stream is usable) or an error.
  Status WaitForAnswer() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return done_ || (headers_done_ && http_code_ == 200); });
    if (headers_done_ && http_code_ == 200) return Status::Ok();
    if (headers_done_) {
      Response resp;
      resp.code = http_code_;
      resp.body = error_body_;
      return StatusFromResponse(resp);
    }
    return status_.ok() ? Unavailable(req_.path + ": no response") : status_;
  }

  bool Next(std::string* line, std::chrono::milliseconds timeout) override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return !lines_.empty() || done_; });
    if (!lines_.empty()) {
      *line = std::move(lines_.front());
      lines_.pop_front();
      cv_.notify_all();  // a writer may wait for room
      return true;
    }
    if (done_) return false;
    line->clear();
    return true;
  }

  Status status() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

  void Cancel() override {
    cancelled_ = true;
    curl_multi_wakeup(multi_);
    std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_all();
  }

 private:
  static size_t HeaderCb(char* data, size_t size, size_t n, void* ud) {
    auto* self = static_cast<CurlStream*>(ud);
    std::string_view line(data, size * n);
    if (line == "\r\n" || line == "\n") {
      long code = 0;
      curl_easy_getinfo(self->easy_, CURLINFO_RESPONSE_CODE, &code);
      if (code >= 200) {  // not an interim 1xx answer
        std::lock_guard<std::mutex> lock(self->mu_);
        self->headers_done_ = true;
        self->http_code_ = static_cast<int>(code);
        self->cv_.notify_all();
      }
    }
    return size * n;
  }

  static size_t WriteCb(char* data, size_t size, size_t n, void* ud) {
    return static_cast<CurlStream*>(ud)->OnData(std::string_view(data, size * n));
  }

  size_t OnData(std::string_view data) {
    std::unique_lock<std::mutex> lock(mu_);
    if (http_code_ != 200) {
      if (error_body_.size() + data.size() > kMaxErrorBody) return 0;
      error_body_.append(data);
      return data.size();
    }
    partial_.append(data);
    size_t start = 0;
    for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string line = partial_.substr(start, nl - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;  // keep-alive blank lines
      cv_.wait(lock, [&] { return lines_.size() < kMaxQueuedLines || cancelled_; });
      if (cancelled_) return 0;
      lines_.push_back(std::move(line));
      cv_.notify_all();
    }
    partial_.erase(0, start);
    if (partial_.size() > kMaxLine) {
      status_ = Internal(req_.path + ": watch event larger than " + std::to_string(kMaxLine));
      return 0;
    }
    return data.size();
  }

  void Run() {
    curl_multi_add_handle(multi_, easy_);
    int running = 1;
    Status timeout;
    while (running && !cancelled_) {
      curl_multi_perform(multi_, &running);
      if (!running) break;
      {
        std::lock_guard<std::mutex> lock(mu_);
        bool answered = headers_done_ && http_code_ == 200;
        if (!answered && std::chrono::steady_clock::now() > header_deadline_) {
          timeout = Status(Code::kTimeout, req_.path + ": no answer in time");
          break;
        }
      }
      curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
    CURLcode rc = CURLE_OK;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg == CURLMSG_DONE) rc = msg->data.result;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (!status_.ok()) {
      // set by OnData (event too large)
    } else if (!timeout.ok()) {
      status_ = timeout;
    } else if (cancelled_) {
      status_ = Unavailable(req_.path + ": stream cancelled");
    } else if (rc != CURLE_OK) {
      status_ = Unavailable(CurlError(req_, rc, errbuf_));
    } else if (!partial_.empty() && http_code_ == 200) {
      lines_.push_back(std::move(partial_));  // last line without a newline
    }
    done_ = true;
    cv_.notify_all();
  }

  const Request req_;
  HeaderList headers_;
  CURL* easy_;
  CURLM* multi_;
  char errbuf_[CURL_ERROR_SIZE] = {};
  std::chrono::steady_clock::time_point header_deadline_;
  std::thread thread_;
  std::atomic<bool> cancelled_{false};
  std::string partial_;  // touched only by the transfer thread (under mu_ for simplicity)

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> lines_;  // GUARDED_BY(mu_)
  bool headers_done_ = false;      // GUARDED_BY(mu_)
  int http_code_ = 0;              // GUARDED_BY(mu_)
  std::string error_body_;         // GUARDED_BY(mu_)
  bool done_ = false;              // GUARDED_BY(mu_)
  Status status_;                  // GUARDED_BY(mu_)
};

class HttpsTransport : public Transport {
 public:
  explicit HttpsTransport(HttpsConfig cfg) : cfg_(std::move(cfg)) { GlobalInit(); }

  ~HttpsTransport() override {
    for (CURL* h : idle_) curl_easy_cleanup(h);
  }

  Result<Response> Do(const Request& req) override {
    CURL* h = Acquire();
    HeaderList headers;
    Configure(h, cfg_, req, &headers);
    DoSink sink;
    char errbuf[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &DoWrite);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &DoHeader);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(cfg_.request_timeout.count()));
    CURLcode rc = curl_easy_perform(h);
    Response resp;
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    char* ctype = nullptr;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype);
    if (ctype != nullptr) resp.content_type = ctype;
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
    Release(h);
    if (sink.too_large) return Internal(req.method + " " + req.path + ": response too large");
    if (rc != CURLE_OK) {
      if (rc == CURLE_OPERATION_TIMEDOUT) {
        return Status(Code::kTimeout, CurlError(req, rc, errbuf));
      }
      return Unavailable(CurlError(req, rc, errbuf));
    }
    resp.code = static_cast<int>(code);
    resp.body = std::move(sink.body);
    resp.warnings = std::move(sink.warnings);
    return resp;
  }

  Result<std::unique_ptr<Stream>> OpenStream(const Request& req) override {
    auto stream = std::make_unique<CurlStream>(cfg_, req);
    stream->Start();
    RETURN_IF_ERROR(stream->WaitForAnswer());
    return std::unique_ptr<Stream>(std::move(stream));
  }

 private:
  CURL* Acquire() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        CURL* h = idle_.back();
        idle_.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }

  void Release(CURL* h) {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < kMaxIdleHandles) {
      idle_.push_back(h);
    } else {
      curl_easy_cleanup(h);
    }
  }

  const HttpsConfig cfg_;
  std::mutex mu_;
  std::vector<CURL*> idle_;  // GUARDED_BY(mu_): handles with live connections, most recent last
};

}  // namespace

std::shared_ptr<Transport> NewHttpsTransport(const HttpsConfig& config) {
  return std::make_shared<HttpsTransport>(config);
}

}  // namespace cluster::client
