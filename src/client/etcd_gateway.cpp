#include "client/etcd_gateway.h"

#include <curl/curl.h>

#include "common/json.h"

namespace cluster::client {

// What a transfer collects: the whole body, or lines handed to on_line as they arrive.
struct GatewaySink {
  std::string data;
  const std::function<bool(const std::string&)>* on_line = nullptr;
  bool stopped = false;  // on_line asked to stop
};

namespace {

using Sink = GatewaySink;

size_t OnData(char* ptr, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  sink->data.append(ptr, size * n);
  if (sink->on_line == nullptr) return size * n;
  size_t nl;
  while ((nl = sink->data.find('\n')) != std::string::npos) {
    std::string line = sink->data.substr(0, nl);
    sink->data.erase(0, nl + 1);
    if (!line.empty() && !(*sink->on_line)(line)) {
      sink->stopped = true;
      return 0;  // aborts the transfer
    }
  }
  return size * n;
}

// The gateway's {"error","message","code"} body as a Status; the raw body when it is not one.
Status ErrorFromBody(long http, const std::string& body) {
  auto doc = json::Parse(body);
  std::string msg;
  if (doc.ok() && doc->IsObject()) msg = json::GetString(*doc, {"message"});
  if (msg.empty()) msg = "HTTP " + std::to_string(http) + ": " + body;
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  return Status(http == 404 ? Code::kNotFound : Code::kBadRequest, msg);
}

}  // namespace

struct EtcdGateway::Impl {
  CURL* curl = curl_easy_init();
  ~Impl() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }

  // One POST; the handle (and its connection) is reused across calls. Returns the curl result.
  CURLcode Perform(const EtcdGatewayConfig& c, const std::string& url, const std::string& body,
                   bool stream, Sink* sink, long* http) {
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnData);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, std::min(c.timeout_ms, 2000L));
    if (!stream) curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, c.timeout_ms);
    if (!c.cacert.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, c.cacert.c_str());
    if (!c.cert.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, c.cert.c_str());
    if (!c.key.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, c.key.c_str());
    struct curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    *http = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, http);
    return rc;
  }
};

EtcdGateway::EtcdGateway(EtcdGatewayConfig config)
    : config_(std::move(config)), impl_(std::make_unique<Impl>()) {}
EtcdGateway::~EtcdGateway() = default;

Result<std::string> EtcdGateway::Call(const std::string& path, const std::string& body) {
  Sink sink;
  Status st = Run(path, body, false, &sink);
  if (!st.ok()) return st;
  return std::move(sink.data);
}

Status EtcdGateway::Stream(const std::string& path, const std::string& body,
                           const std::function<bool(const std::string&)>& on_line) {
  Sink sink;
  sink.on_line = &on_line;
  return Run(path, body, true, &sink);
}

Status EtcdGateway::Run(const std::string& path, const std::string& body, bool stream, Sink* sink) {
  if (impl_->curl == nullptr) return Internal("curl_easy_init failed");
  std::string last_error = "no endpoints";
  for (const std::string& ep : config_.endpoints) {
    std::string base = ep;
    while (!base.empty() && base.back() == '/') base.pop_back();
    long http = 0;
    sink->data.clear();
    CURLcode rc = impl_->Perform(config_, base + path, body, stream, sink, &http);
    if (rc == CURLE_WRITE_ERROR && sink->stopped) return Status::Ok();
    if (rc != CURLE_OK && http == 0) {  // never reached this endpoint: try the next one
      last_error = ep + ": " + curl_easy_strerror(rc);
      continue;
    }
    endpoint_ = ep;
    if (rc != CURLE_OK) return Unavailable(ep + ": " + curl_easy_strerror(rc));
    if (http != 200) return ErrorFromBody(http, sink->data);
    return Status::Ok();
  }
  return Unavailable(last_error);
}

}  // namespace cluster::client
