#include "server/apiserver/watch.h"

#include "common/log.h"
#include "server/apiserver/errors.h"
#include "server/apiserver/object_store.h"

namespace cluster::server {

std::string EventLine(const char* type, const std::string& object_json) {
  std::string line;
  line.reserve(object_json.size() + 32);
  line += "{\"type\":\"";
  line += type;
  line += "\",\"object\":";
  line += object_json;
  line += "}\n";
  return line;
}

std::string GoneEvent(const std::string& message) {
  return EventLine("ERROR", StatusBody(Status(Code::kGone, message)));
}

ApiWatch::ApiWatch(std::unique_ptr<store::WatchStream> stream, WatchOptions opts,
                   WatchRegistry* reg)
    : stream_(std::move(stream)),
      opts_(std::move(opts)),
      registry_(reg),
      pending_(std::move(opts_.initial)),
      last_sent_(std::chrono::steady_clock::now()) {
  registry_->Add(this);
}

ApiWatch::~ApiWatch() { registry_->Remove(this); }

void ApiWatch::Cancel() { stream_->Cancel(); }

std::string ApiWatch::Bookmark(int64_t rev) const {
  std::string obj = "{\"kind\":\"" + opts_.bookmark_kind + "\",\"apiVersion\":\"" +
                    opts_.bookmark_api_version + "\",\"metadata\":{\"resourceVersion\":\"" +
                    std::to_string(rev) + "\"}}";
  return EventLine("BOOKMARK", obj);
}

void ApiWatch::Convert(const store::Event& ev) {
  LOG_V(3, "apiserver") << "watch event " << (ev.type == store::Event::Type::kPut ? "PUT " : "DELETE ")
                        << ev.kv.key << " rev " << ev.kv.mod_revision << " prev " << (ev.prev_kv ? 1 : 0);
  auto decode = [this](const store::KeyValue& kv, int64_t rev) -> std::optional<json::Document> {
    store::KeyValue copy = kv;
    copy.mod_revision = rev;
    auto d = DecodeFromStore(copy);
    if (!d.ok()) return std::nullopt;
    if (opts_.from_storage) opts_.from_storage(*d);
    return std::move(d).value();
  };
  const int64_t rev = ev.kv.mod_revision;
  std::optional<json::Document> now;
  std::optional<json::Document> before;
  if (ev.type == store::Event::Type::kPut) now = decode(ev.kv, rev);
  if (ev.prev_kv) before = decode(*ev.prev_kv, ev.type == store::Event::Type::kDelete ? rev : ev.prev_kv->mod_revision);
  bool now_sel = now && (!opts_.selected || opts_.selected(*now));
  bool before_sel = before && (!opts_.selected || opts_.selected(*before));
  const char* type = nullptr;
  const json::Value* obj = nullptr;
  json::Document deleted;
  if (ev.type == store::Event::Type::kDelete) {
    if (!before_sel) return;
    type = "DELETED";
    obj = &*before;
  } else if (now_sel) {
    bool created = ev.kv.create_revision == ev.kv.mod_revision;
    type = (created || (before && !before_sel)) ? "ADDED" : "MODIFIED";
    if (!created && !before && opts_.selected) type = "MODIFIED";
    obj = &*now;
  } else if (before_sel) {
    // Left the selection: upstream sends DELETED with the new state.
    type = "DELETED";
    obj = &*now;
  } else {
    return;
  }
  std::string encoded = opts_.encode(*obj);
  if (!encoded.empty()) pending_.push_back(EventLine(type, encoded));
}

bool ApiWatch::Next(std::string* chunk, std::chrono::milliseconds timeout) {
  chunk->clear();
  auto now = std::chrono::steady_clock::now();
  if (!pending_.empty()) {
    while (!pending_.empty() && chunk->size() < 256 * 1024) {
      *chunk += pending_.front();
      pending_.pop_front();
    }
    last_sent_ = now;
    return true;
  }
  if (ended_) return false;
  if (now >= opts_.deadline) return false;
  auto wait = std::min<std::chrono::milliseconds>(
      timeout, std::chrono::duration_cast<std::chrono::milliseconds>(opts_.deadline - now));
  std::vector<store::Event> events;
  if (!stream_->Next(&events, wait)) {
    ended_ = true;
    Status st = stream_->status();
    if (st.code() == Code::kGone) pending_.push_back(GoneEvent(st.message()));
    else if (st.code() == Code::kTooManyRequests)
      pending_.push_back(EventLine(
          "ERROR", StatusBody(Status(Code::kGone, "watch fell behind; resume with a re-list"))));
    return Next(chunk, timeout);
  }
  for (const auto& ev : events) Convert(ev);
  if (pending_.empty() && opts_.bookmarks &&
      std::chrono::steady_clock::now() - last_sent_ >= opts_.bookmark_interval) {
    pending_.push_back(Bookmark(stream_->ProgressRevision()));
  }
  if (pending_.empty()) return true;  // timeout: nothing yet
  return Next(chunk, timeout);
}

void WatchRegistry::Add(ApiWatch* w) {
  std::lock_guard<std::mutex> lock(mu_);
  live_.insert(w);
}

void WatchRegistry::Remove(ApiWatch* w) {
  std::lock_guard<std::mutex> lock(mu_);
  live_.erase(w);
}

void WatchRegistry::CancelAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (ApiWatch* w : live_) w->Cancel();
}

size_t WatchRegistry::Count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return live_.size();
}

}  // namespace cluster::server
