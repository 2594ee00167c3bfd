#include "server/etcd_api/watch.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "server/etcd_api/etcd_json.h"

namespace cluster::server::etcd {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPollInterval = std::chrono::milliseconds(500);
constexpr auto kProgressInterval = std::chrono::minutes(10);  // etcd's progress_notify period

// ---- Noticing a client that went away. A watch can be idle for hours, and cpp-httplib 0.11
// only reports a dead peer when a write fails, so the stream looks at its socket directly.

int PeerPort(int fd, std::string* addr, bool local) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  int rc = local ? getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len)
                 : getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (rc != 0) return -1;
  char buf[INET6_ADDRSTRLEN] = {0};
  if (ss.ss_family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf));
    *addr = buf;
    return ntohs(in->sin_port);
  }
  if (ss.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
    *addr = buf;
    return ntohs(in6->sin6_port);
  }
  return -1;
}

// The connection's socket: from the TLS session, or for plain HTTP (where cpp-httplib does not
// expose it) the open socket whose two ends match the request's addresses. -1 when not found.
int ConnectionFd(const httplib::Request& req) {
  if (req.ssl != nullptr) return SSL_get_fd(req.ssl);
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int found = -1;
  while (dirent* e = readdir(dir)) {
    int fd = std::atoi(e->d_name);
    if (fd <= 2 || fd == dirfd(dir)) continue;
    std::string peer, local;
    if (PeerPort(fd, &peer, false) != req.remote_port || peer != req.remote_addr) continue;
    if (PeerPort(fd, &local, true) != req.local_port) continue;
    found = fd;
    break;
  }
  closedir(dir);
  return found;
}

bool PeerClosed(int fd) {
  if (fd < 0) return false;
  pollfd p{fd, POLLRDHUP, 0};
  if (poll(&p, 1, 0) <= 0) return false;
  return (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

// ---- One watch stream.

class WatchSession {
 public:
  WatchSession(store::Store* s, std::shared_ptr<WatchRegistry> registry, WatchCreate create,
               std::unique_ptr<store::WatchStream> stream, int fd)
      : store_(s),
        registry_(std::move(registry)),
        create_(std::move(create)),
        stream_(std::move(stream)),
        fd_(fd) {}
  ~WatchSession() {
    if (stream_) registry_->Remove(stream_.get());
  }

  // One content-provider call: false aborts the connection.
  bool Pump(httplib::DataSink& sink) {
    if (!created_sent_) {
      created_sent_ = true;
      last_sent_ = Clock::now();
      return Send(sink, Message(store_->CurrentRevision(), {}, true));
    }
    if (!stream_) return Finish(sink, Gone("compacted"));
    if (PeerClosed(fd_)) return false;
    std::vector<store::Event> events;
    if (!stream_->Next(&events, kPollInterval)) return Finish(sink, stream_->status());
    Filter(&events);
    if (!events.empty()) {
      int64_t rev = std::max(events.back().kv.mod_revision, stream_->ProgressRevision());
      return Send(sink, Message(rev, events, false));
    }
    if (create_.progress_notify && Clock::now() - last_sent_ >= kProgressInterval)
      return Send(sink, Message(stream_->ProgressRevision(), {}, false));
    return true;
  }

 private:
  void Filter(std::vector<store::Event>* events) const {
    events->erase(std::remove_if(events->begin(), events->end(),
                                 [&](const store::Event& e) {
                                   return e.type == store::Event::Type::kPut ? create_.no_put
                                                                             : create_.no_delete;
                                 }),
                  events->end());
  }

  // {"result":{header, watch_id, created, events}}
  std::string Message(int64_t revision, const std::vector<store::Event>& events, bool created) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    w.Key("result");
    w.StartObject();
    WriteHeader(w, revision);
    WriteInt(w, "watch_id", create_.watch_id);
    WriteBool(w, "created", created);
    if (!events.empty()) {
      w.Key("events");
      w.StartArray();
      for (const auto& e : events) WriteEvent(w, e);
      w.EndArray();
    }
    w.EndObject();
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize());
  }

  // The stream ended: tell the client why (etcd's canceled message), then end the response.
  bool Finish(httplib::DataSink& sink, const Status& why) {
    if (why.ok()) {  // cancelled by Stop(): just end the response
      sink.done();
      return true;
    }
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartObject();
    w.Key("result");
    w.StartObject();
    WriteHeader(w, 0);  // etcd leaves the revision out of a canceled message
    WriteInt(w, "watch_id", create_.watch_id);
    WriteBool(w, "canceled", true);
    if (why.code() == Code::kGone) {
      WriteInt(w, "compact_revision", store_->CompactRevision());
    } else {
      w.Key("cancel_reason");
      w.String(("etcdserver: " + why.message()).c_str());
    }
    w.EndObject();
    w.EndObject();
    bool ok = Send(sink, std::string(buf.GetString(), buf.GetSize()));
    if (ok) sink.done();
    return ok;
  }

  bool Send(httplib::DataSink& sink, std::string line) {
    line.push_back('\n');
    last_sent_ = Clock::now();
    return sink.write(line.data(), line.size());
  }

  store::Store* store_;
  std::shared_ptr<WatchRegistry> registry_;
  WatchCreate create_;
  std::unique_ptr<store::WatchStream> stream_;  // null: start revision was compacted
  int fd_;
  bool created_sent_ = false;
  Clock::time_point last_sent_;
};

void SetError(httplib::Response& res, const Reply& r) {
  res.status = r.http_status;
  res.set_content(r.body, "application/json");
}

}  // namespace

bool WatchRegistry::Add(store::WatchStream* s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return false;
  live_.insert(s);
  return true;
}

void WatchRegistry::Remove(store::WatchStream* s) {
  std::lock_guard<std::mutex> lock(mu_);
  live_.erase(s);
}

void WatchRegistry::CancelAll() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
  for (auto* s : live_) s->Cancel();
}

Result<WatchCreate> ParseWatchCreate(std::string_view body) {
  size_t len = FirstValueLength(body);
  if (len == 0) return BadRequest("watch: malformed request object");
  auto doc = ParseRequest(body.substr(0, len));
  if (!doc.ok()) return doc.status();
  ASSIGN_OR_RETURN(const JsonValue* c, GetObject(*doc, "create_request"));
  if (c == nullptr) return BadRequest("watch: the first request must be a create_request");
  WatchCreate out;
  RETURN_IF_ERROR(GetBytes(*c, "key", &out.req.key));
  RETURN_IF_ERROR(GetBytes(*c, "range_end", &out.req.range_end));
  RETURN_IF_ERROR(GetInt64(*c, "start_revision", &out.req.start_revision));
  RETURN_IF_ERROR(GetBool(*c, "progress_notify", &out.progress_notify));
  RETURN_IF_ERROR(GetBool(*c, "prev_kv", &out.req.prev_kv));
  RETURN_IF_ERROR(GetInt64(*c, "watch_id", &out.watch_id));
  ASSIGN_OR_RETURN(const JsonValue* filters, GetArray(*c, "filters"));
  for (rapidjson::SizeType i = 0; filters != nullptr && i < filters->Size(); ++i) {
    rapidjson::Document one;  // reuse the enum reader on {"f": element}
    one.SetObject();
    one.AddMember("f", rapidjson::Value((*filters)[i], one.GetAllocator()), one.GetAllocator());
    int f = -1;
    RETURN_IF_ERROR(GetEnum(one, "f", {"NOPUT", "NODELETE"}, &f));
    if (f == 0)
      out.no_put = true;
    else if (f == 1)
      out.no_delete = true;
    else
      return BadRequest("watch: unknown filter");
  }
  if (out.req.key.empty()) return BadRequest(kErrNoKey);
  return out;
}

void HandleWatch(store::Store* s, const std::shared_ptr<WatchRegistry>& registry,
                 const httplib::Request& req, const std::string& body, httplib::Response& res) {
  auto create = ParseWatchCreate(body);
  if (!create.ok())
    return SetError(res, ErrorReply(Grpc::kInvalidArgument, create.status().message()));
  auto stream = s->Watch(create->req);
  std::unique_ptr<store::WatchStream> live;
  if (stream.ok()) {
    live = std::move(stream).value();
  } else if (stream.status().code() != Code::kGone) {
    return SetError(res, StoreErrorReply(stream.status()));
  }
  if (live && !registry->Add(live.get()))
    return SetError(res, ErrorReply(Grpc::kUnavailable, "etcdserver: server stopped"));
  auto session = std::make_shared<WatchSession>(s, registry, std::move(create).value(),
                                                std::move(live), ConnectionFd(req));
  res.set_chunked_content_provider("application/json", [session](size_t, httplib::DataSink& sink) {
    return session->Pump(sink);
  });
}

}  // namespace cluster::server::etcd
