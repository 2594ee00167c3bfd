#include "client/event_recorder.h"

#include <cstdio>

#include "common/ids.h"
#include "common/log.h"

namespace cluster::client {
namespace {

constexpr size_t kMaxQueued = 1000;
constexpr size_t kMaxSeen = 4096;  // upstream's maxLruCacheEntries
constexpr double kBurst = 25;
constexpr std::chrono::seconds kRefill{300};
const ResourceRef kEvents{"", "v1", "events", ""};

}  // namespace

EventRecorder::EventRecorder(Client client, std::string component, std::string host)
    : client_(std::move(client)), component_(std::move(component)), host_(std::move(host)) {
  thread_ = std::thread([this] { Run(); });
}

EventRecorder::~EventRecorder() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(2), [this] { return queue_.empty() && !writing_; });
    stopping_ = true;
    cv_.notify_all();
  }
  thread_.join();
}

void EventRecorder::Record(const json::Value& obj, const std::string& type,
                           const std::string& reason, const std::string& message,
                           const std::string& field_path) {
  RecordAs(component_, obj, type, reason, message, field_path);
}

void EventRecorder::RecordAs(const std::string& component, const json::Value& obj,
                             const std::string& type, const std::string& reason,
                             const std::string& message, const std::string& field_path) {
  Pending p;
  p.component = component;
  p.kind = json::GetString(obj, {"kind"});
  p.api_version = json::GetString(obj, {"apiVersion"});
  p.ns = json::GetString(obj, {"metadata", "namespace"});
  p.name = json::GetString(obj, {"metadata", "name"});
  p.uid = json::GetString(obj, {"metadata", "uid"});
  p.resource_version = json::GetString(obj, {"metadata", "resourceVersion"});
  p.field_path = field_path;
  p.type = type;
  p.reason = reason;
  // Upstream cuts messages at 1 KiB.
  p.message = message.size() > 1024 ? message.substr(0, 1024) : message;
  p.at = std::chrono::system_clock::now();
  if (p.name.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return;
  if (queue_.size() >= kMaxQueued || !Allow(p.kind + "/" + p.ns + "/" + p.name + "/" + p.uid)) {
    ++dropped_;
    return;
  }
  queue_.push_back(std::move(p));
  cv_.notify_all();
}

bool EventRecorder::Allow(const std::string& object_key) {
  auto now = std::chrono::steady_clock::now();
  auto [it, fresh] = buckets_.try_emplace(object_key);
  Bucket& b = it->second;
  if (fresh) b.refilled = now;
  double add = std::chrono::duration<double>(now - b.refilled) / kRefill;
  b.tokens = std::min(kBurst, b.tokens + add);
  b.refilled = now;
  if (buckets_.size() > kMaxSeen) {
    // Forget full buckets: they behave exactly like new ones.
    for (auto i = buckets_.begin(); i != buckets_.end();) {
      i = (i->second.tokens >= kBurst && i != it) ? buckets_.erase(i) : std::next(i);
    }
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

void EventRecorder::FlushForTest() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return queue_.empty() && !writing_; });
}

uint64_t EventRecorder::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

void EventRecorder::Run() {
  for (;;) {
    Pending p;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;
      p = std::move(queue_.front());
      queue_.pop_front();
      writing_ = true;
    }
    try {
      Write(p);
    } catch (const std::exception& e) {
      LOG_ERROR("events") << "writing an event threw: " << e.what();
    }
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    cv_.notify_all();
  }
}

void EventRecorder::Write(const Pending& p) {
  const std::string event_ns = p.ns.empty() ? "default" : p.ns;
  const std::string ts = Rfc3339(p.at);
  std::string key = p.component + "\x1f" + host_ + "\x1f" + p.kind + "\x1f" + p.ns + "\x1f" +
                    p.name + "\x1f" + p.uid + "\x1f" + p.api_version + "\x1f" + p.field_path +
                    "\x1f" + p.type + "\x1f" + p.reason + "\x1f" + p.message;
  auto seen = seen_.find(key);
  if (seen != seen_.end()) {
    Seen& s = seen->second;
    lru_.splice(lru_.begin(), lru_, s.lru);
    std::string patch =
        "{\"count\":" + std::to_string(s.count + 1) + ",\"lastTimestamp\":\"" + ts + "\"}";
    auto r =
        client_.Patch(kEvents, s.event_ns, s.event_name, "application/merge-patch+json", patch);
    if (r.ok()) {
      s.count += 1;
      return;
    }
    // Gone (expired or deleted): start a new Event.
    lru_.erase(s.lru);
    seen_.erase(seen);
  }
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(p.at.time_since_epoch());
  char suffix[32];
  std::snprintf(suffix, sizeof(suffix), ".%llx", static_cast<unsigned long long>(nanos.count()));
  const std::string name = p.name + suffix;

  json::Document ev;
  ev.SetObject();
  auto& a = ev.GetAllocator();
  json::SetString(ev, "apiVersion", "v1", a);
  json::SetString(ev, "kind", "Event", a);
  json::Value& meta = json::EnsureObject(ev, {"metadata"}, a);
  json::SetString(meta, "name", name, a);
  json::SetString(meta, "namespace", event_ns, a);
  json::Value& involved = json::EnsureObject(ev, {"involvedObject"}, a);
  json::SetString(involved, "kind", p.kind, a);
  if (!p.ns.empty()) json::SetString(involved, "namespace", p.ns, a);
  json::SetString(involved, "name", p.name, a);
  if (!p.uid.empty()) json::SetString(involved, "uid", p.uid, a);
  if (!p.api_version.empty()) json::SetString(involved, "apiVersion", p.api_version, a);
  if (!p.resource_version.empty())
    json::SetString(involved, "resourceVersion", p.resource_version, a);
  if (!p.field_path.empty()) json::SetString(involved, "fieldPath", p.field_path, a);
  json::SetString(ev, "reason", p.reason, a);
  json::SetString(ev, "message", p.message, a);
  json::Value& source = json::EnsureObject(ev, {"source"}, a);
  json::SetString(source, "component", p.component, a);
  if (!host_.empty()) json::SetString(source, "host", host_, a);
  json::SetString(ev, "firstTimestamp", ts, a);
  json::SetString(ev, "lastTimestamp", ts, a);
  json::SetInt(ev, "count", 1, a);
  json::SetString(ev, "type", p.type, a);
  json::SetString(ev, "reportingComponent", p.component, a);
  json::SetString(ev, "reportingInstance", host_, a);
  auto created = client_.Create(kEvents, event_ns, ev);
  if (!created.ok()) {
    LOG_V(1, "events") << "event " << event_ns << "/" << name << ": "
                       << created.status().ToString();
    return;
  }
  lru_.push_front(key);
  seen_[key] = Seen{event_ns, name, 1, lru_.begin()};
  if (seen_.size() > kMaxSeen) {
    seen_.erase(lru_.back());
    lru_.pop_back();
  }
}

}  // namespace cluster::client
