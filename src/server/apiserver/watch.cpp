#include "server/apiserver/watch.h"

#include "common/log.h"
#include "server/apiserver/errors.h"
#include "server/apiserver/media.h"
#include "server/apiserver/object_store.h"

namespace cluster::server {

std::string GoneEvent(bool protobuf, const std::string& message) {
  return WatchEventFromJson(protobuf, "ERROR", StatusBody(Status(Code::kGone, message)));
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
  return WatchEventFromJson(opts_.protobuf, "BOOKMARK", obj);
}

void ApiWatch::Convert(const store::Event& ev) {
  // Stored values are parsed once for all watches (shared, read-only); only shapes that differ
  // from storage (events.k8s.io) are converted on a private copy.
  auto decode = [this](const store::KeyValue& kv,
                       int64_t rev) -> std::shared_ptr<const json::Document> {
    std::shared_ptr<const json::Document> d = registry_->Decoded(kv, rev);
    if (!d || !opts_.from_storage) return d;
    auto copy = std::make_shared<json::Document>();
    copy->CopyFrom(*d, copy->GetAllocator());
    opts_.from_storage(*copy);
    return copy;
  };
  const int64_t rev = ev.kv.mod_revision;
  std::shared_ptr<const json::Document> now;
  std::shared_ptr<const json::Document> before;
  if (ev.type == store::Event::Type::kPut) now = decode(ev.kv, rev);
  if (ev.prev_kv)
    before = decode(*ev.prev_kv,
                    ev.type == store::Event::Type::kDelete ? rev : ev.prev_kv->mod_revision);
  bool now_sel = now && (!opts_.selected || opts_.selected(*now));
  bool before_sel = before && (!opts_.selected || opts_.selected(*before));
  const char* type = nullptr;
  const json::Value* obj = nullptr;
  if (ev.type == store::Event::Type::kDelete) {
    if (!before_sel) return;
    type = "DELETED";
    obj = &*before;
  } else if (now_sel) {
    bool created = ev.kv.create_revision == ev.kv.mod_revision;
    type = (created || (before && !before_sel)) ? "ADDED" : "MODIFIED";
    obj = &*now;
  } else if (before_sel) {
    // Left the selection: upstream sends DELETED with the new state.
    type = "DELETED";
    obj = &*now;
  } else {
    return;
  }
  if (opts_.encode_tag.empty()) {
    std::string encoded = opts_.encode(*obj);
    if (!encoded.empty()) pending_.push_back(WatchEventBytes(opts_.protobuf, type, encoded));
    return;
  }
  std::string cache_key =
      opts_.encode_tag + '\n' + type + '\n' + ev.kv.key + '\n' + std::to_string(rev);
  auto line = registry_->Encoded(cache_key, [&] {
    std::string encoded = opts_.encode(*obj);
    return encoded.empty() ? std::string() : WatchEventBytes(opts_.protobuf, type, encoded);
  });
  if (!line->empty()) pending_.push_back(*line);
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
    if (st.code() == Code::kGone)
      pending_.push_back(GoneEvent(opts_.protobuf, st.message()));
    else if (st.code() == Code::kTooManyRequests)
      pending_.push_back(GoneEvent(opts_.protobuf, "watch fell behind; resume with a re-list"));
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

std::shared_ptr<const json::Document> WatchRegistry::Decoded(const store::KeyValue& kv,
                                                             int64_t rev) {
  std::string key = kv.key + '\n' + std::to_string(kv.mod_revision) + '\n' + std::to_string(rev);
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = decoded_.find(key);
    if (it != decoded_.end()) return it->second;
  }
  store::KeyValue copy = kv;
  copy.mod_revision = rev;
  auto d = DecodeFromStore(copy);
  std::shared_ptr<const json::Document> doc;
  if (d.ok()) doc = std::make_shared<const json::Document>(std::move(d).value());
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (decoded_.emplace(key, doc).second) {
    decoded_order_.push_back(key);
    if (decoded_order_.size() > kCacheEntries) {
      decoded_.erase(decoded_order_.front());
      decoded_order_.pop_front();
    }
  }
  return doc;
}

std::shared_ptr<const std::string> WatchRegistry::Encoded(
    const std::string& key, const std::function<std::string()>& make) {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = encoded_.find(key);
    if (it != encoded_.end()) return it->second;
  }
  auto line = std::make_shared<const std::string>(make());
  std::lock_guard<std::mutex> lock(cache_mu_);
  auto [it, inserted] = encoded_.emplace(key, line);
  if (inserted) {
    encoded_order_.push_back(key);
    if (encoded_order_.size() > kCacheEntries) {
      encoded_.erase(encoded_order_.front());
      encoded_order_.pop_front();
    }
  }
  return it->second;
}

size_t WatchRegistry::Count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return live_.size();
}

}  // namespace cluster::server
