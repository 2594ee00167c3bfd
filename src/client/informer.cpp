#include "client/informer.h"

#include <algorithm>
#include <random>

#include "common/log.h"

namespace cluster::client {
namespace {

constexpr const char* kLog = "informer";

std::string ResourceVersionOf(const json::Value& obj) {
  return json::GetString(obj, {"metadata", "resourceVersion"});
}

std::vector<std::string> NamespaceIndex(const json::Value& obj) {
  std::string ns = json::GetString(obj, {"metadata", "namespace"});
  if (ns.empty()) return {};
  return {ns};
}

std::vector<std::string> LabelIndex(const json::Value& obj) {
  std::vector<std::string> out;
  const json::Value* labels = json::Find(obj, {"metadata", "labels"});
  if (labels == nullptr || !labels->IsObject()) return out;
  for (const auto& m : labels->GetObject()) {
    if (m.value.IsString())
      out.push_back(std::string(m.name.GetString()) + "=" + m.value.GetString());
  }
  return out;
}

std::vector<std::string> OwnerIndex(const json::Value& obj) {
  std::vector<std::string> out;
  const json::Value* refs = json::Find(obj, {"metadata", "ownerReferences"});
  if (refs == nullptr || !refs->IsArray()) return out;
  for (const auto& ref : refs->GetArray()) {
    std::string uid = json::GetString(ref, {"uid"});
    if (!uid.empty()) out.push_back(std::move(uid));
  }
  return out;
}

// List responses may leave kind/apiVersion out of their items; the cache always has them.
// Cached documents are compact copies (json::SharedCopy), not 64 KiB pools each.
ObjectPtr ItemFromList(const json::Value& item, const std::string& kind,
                       const std::string& api_version) {
  bool add_kind = !item.HasMember("kind") && !kind.empty();
  bool add_version = !item.HasMember("apiVersion") && !api_version.empty();
  if (!add_kind && !add_version) return json::SharedCopy(item);
  json::Document doc;
  doc.CopyFrom(item, doc.GetAllocator());
  if (add_kind) json::SetString(doc, "kind", kind, doc.GetAllocator());
  if (add_version) json::SetString(doc, "apiVersion", api_version, doc.GetAllocator());
  return json::SharedCopy(doc);
}

int64_t WatchTimeoutSeconds(std::chrono::seconds base) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int64_t b = std::max<int64_t>(1, base.count());
  return b + static_cast<int64_t>(rng() % static_cast<uint64_t>(b));
}

}  // namespace

Informer::Informer(Client client, InformerOptions opts)
    : client_(std::move(client)), opts_(std::move(opts)) {
  indexers_[kIndexNamespace] = NamespaceIndex;
  indexers_[kIndexLabel] = LabelIndex;
  indexers_[kIndexOwner] = OwnerIndex;
}

Informer::~Informer() { Stop(); }

std::string Informer::KeyOf(const json::Value& obj) {
  std::string name = json::GetString(obj, {"metadata", "name"});
  std::string ns = json::GetString(obj, {"metadata", "namespace"});
  if (name.empty() || ns.empty()) return name;
  return ns + "/" + name;
}

uint64_t Informer::AddHandler(EventHandler handler) {
  std::lock_guard<std::mutex> dispatch(dispatch_mu_);
  if (handler.on_add) {
    for (const ObjectPtr& obj : List()) handler.on_add(obj);
  }
  uint64_t id = next_handler_id_++;
  handlers_.emplace_back(id, std::move(handler));
  return id;
}

void Informer::RemoveHandler(uint64_t id) {
  std::lock_guard<std::mutex> dispatch(dispatch_mu_);
  handlers_.erase(std::remove_if(handlers_.begin(), handlers_.end(),
                                 [id](const auto& h) { return h.first == id; }),
                  handlers_.end());
}

Status Informer::AddIndexer(const std::string& name, IndexFunc fn) {
  std::unique_lock<std::shared_mutex> lock(cache_mu_);
  if (indexers_.count(name)) return AlreadyExists("informer index \"" + name + "\" exists");
  auto& index = indexes_[name];
  for (const auto& [key, obj] : items_) {
    for (const auto& v : fn(*obj)) index[v].insert(key);
  }
  indexers_[name] = std::move(fn);
  return Status::Ok();
}

void Informer::Start() {
  std::lock_guard<std::mutex> lock(state_mu_);
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] { Run(); });
}

void Informer::Stop() {
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    stopping_ = true;
    if (watch_ != nullptr) watch_->Cancel();
    state_cv_.notify_all();
  }
  // A handler calling Stop() must not join its own thread; the destructor joins later.
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool Informer::HasSynced() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return synced_;
}

bool Informer::WaitForSync(std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock<std::mutex> lock(state_mu_);
  state_cv_.wait_until(lock, deadline, [&] { return synced_ || stopping_; });
  return synced_;
}

bool Informer::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(state_mu_);
  return !state_cv_.wait_for(lock, d, [&] { return stopping_.load(); });
}

ObjectPtr Informer::Get(const std::string& key) const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Informer::List() const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  std::vector<ObjectPtr> out;
  out.reserve(items_.size());
  for (const auto& [key, obj] : items_) out.push_back(obj);
  return out;
}

std::vector<ObjectPtr> Informer::ByNamespace(const std::string& ns) const {
  return ByIndex(kIndexNamespace, ns);
}

std::vector<ObjectPtr> Informer::ByIndex(const std::string& name, const std::string& value) const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  std::vector<ObjectPtr> out;
  auto index = indexes_.find(name);
  if (index == indexes_.end()) return out;
  auto keys = index->second.find(value);
  if (keys == index->second.end()) return out;
  for (const auto& key : keys->second) {
    auto it = items_.find(key);
    if (it != items_.end()) out.push_back(it->second);
  }
  return out;
}

std::string Informer::LastResourceVersion() const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  return resource_version_;
}

// ---- the list/watch loop ----

void Informer::Run() {
  auto backoff = opts_.min_backoff;
  bool need_list = true;
  bool last_was_gone = false;
  const std::string what = ResourcePath(opts_.resource, opts_.ns, "");
  while (!stopping()) {
    Status st;
    auto started = std::chrono::steady_clock::now();
    try {
      if (need_list) st = ListAndReplace();
      if (st.ok()) {
        need_list = false;
        started = std::chrono::steady_clock::now();
        st = WatchOnce();
      }
    } catch (const std::exception& e) {
      st = Internal(std::string("informer: ") + e.what());
    }
    if (stopping()) break;
    if (st.ok()) {
      backoff = opts_.min_backoff;
      last_was_gone = false;
      // A server that ends every watch at once must not make us spin.
      if (std::chrono::steady_clock::now() - started < std::chrono::seconds(1) &&
          !SleepFor(opts_.min_backoff)) {
        break;
      }
      continue;
    }
    if (st.code() == Code::kGone) {
      need_list = true;
      // Re-list at once the first time; a second Gone in a row backs off like any error.
      if (!last_was_gone) {
        LOG_V(1, kLog) << what << ": " << st.ToString() << "; re-listing";
        last_was_gone = true;
        continue;
      }
    }
    LOG_WARN(kLog) << what << ": " << st.ToString() << "; retrying in " << backoff.count() << "ms";
    if (!SleepFor(backoff)) break;
    backoff = std::min(backoff * 2, opts_.max_backoff);
  }
}

Result<std::unordered_map<std::string, ObjectPtr>> Informer::ListAll(std::string* rv) {
  ListOptions o;
  o.label_selector = opts_.label_selector;
  o.field_selector = opts_.field_selector;
  o.limit = opts_.page_size;
  o.metadata_only = opts_.metadata_only;
  std::unordered_map<std::string, ObjectPtr> items;
  for (;;) {
    if (stopping()) return Unavailable("informer stopping");
    auto page = client_.List(opts_.resource, opts_.ns, o);
    if (!page.ok()) {
      // The continue token expired (compaction during paging): fall back to one whole list.
      if (page.status().code() == Code::kGone && !o.continue_token.empty() && o.limit > 0) {
        o.continue_token.clear();
        o.limit = 0;
        items.clear();
        continue;
      }
      return page.status();
    }
    std::string kind = json::GetString(*page, {"kind"});
    if (kind.size() > 4 && kind.compare(kind.size() - 4, 4, "List") == 0) {
      kind.resize(kind.size() - 4);
    } else {
      kind.clear();
    }
    std::string api_version = json::GetString(*page, {"apiVersion"});
    const json::Value* list = json::Find(*page, {"items"});
    if (list != nullptr && list->IsArray()) {
      for (const auto& item : list->GetArray()) {
        std::string key = KeyOf(item);
        if (key.empty()) continue;
        items[key] = ItemFromList(item, kind, api_version);
      }
    } else if (list != nullptr && !list->IsNull()) {
      return Internal("list " + ResourcePath(opts_.resource, opts_.ns, "") +
                      ": items is not an array");
    }
    *rv = json::GetString(*page, {"metadata", "resourceVersion"});
    o.continue_token = json::GetString(*page, {"metadata", "continue"});
    if (o.continue_token.empty()) return items;
  }
}

Status Informer::ListAndReplace() {
  std::string rv;
  ASSIGN_OR_RETURN(auto items, ListAll(&rv));
  {
    std::lock_guard<std::mutex> dispatch(dispatch_mu_);
    Dispatch(Replace(std::move(items), rv));
  }
  std::lock_guard<std::mutex> lock(state_mu_);
  synced_ = true;
  state_cv_.notify_all();
  return Status::Ok();
}

Status Informer::WatchOnce() {
  ListOptions o;
  o.label_selector = opts_.label_selector;
  o.field_selector = opts_.field_selector;
  o.resource_version = LastResourceVersion();
  o.allow_watch_bookmarks = true;
  o.metadata_only = opts_.metadata_only;
  o.timeout_seconds = WatchTimeoutSeconds(opts_.watch_timeout);
  ASSIGN_OR_RETURN(std::unique_ptr<WatchStream> watch, client_.Watch(opts_.resource, opts_.ns, o));
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    if (stopping_) return Status::Ok();
    watch_ = watch.get();
  }
  Status result;
  WatchEvent event;
  bool has_event = false;
  while (!stopping()) {
    if (!watch->Next(&event, &has_event, std::chrono::seconds(1))) {
      result = watch->status();
      break;
    }
    if (!has_event) continue;
    result = ApplyEvent(&event);
    if (!result.ok()) break;
  }
  std::lock_guard<std::mutex> lock(state_mu_);
  watch_ = nullptr;
  return result;
}

Status Informer::ApplyEvent(WatchEvent* event) {
  using T = WatchEvent::Type;
  if (event->type == T::kError) {
    Status st = StatusFromObject(event->object, 500);
    return st.ok() ? Internal("watch error event without a status") : st;
  }
  if (event->type == T::kBookmark) {
    std::string rv = ResourceVersionOf(event->object);
    std::unique_lock<std::shared_mutex> lock(cache_mu_);
    if (!rv.empty()) resource_version_ = rv;
    return Status::Ok();
  }
  std::string key = KeyOf(event->object);
  if (key.empty()) {
    LOG_WARN(kLog) << ResourcePath(opts_.resource, opts_.ns, "") << ": event without a name";
    return Status::Ok();
  }
  ObjectPtr obj = json::SharedCopy(event->object);
  std::lock_guard<std::mutex> dispatch(dispatch_mu_);
  Change change = event->type == T::kDeleted ? Remove(key, obj) : Upsert(key, obj);
  if (change.old_obj || change.new_obj) Dispatch({change});
  return Status::Ok();
}

// ---- cache ----

void Informer::IndexLocked(const std::string& key, const json::Value& obj, bool add) {
  for (const auto& [name, fn] : indexers_) {
    auto& index = indexes_[name];
    for (const auto& value : fn(obj)) {
      if (add) {
        index[value].insert(key);
        continue;
      }
      auto it = index.find(value);
      if (it == index.end()) continue;
      it->second.erase(key);
      if (it->second.empty()) index.erase(it);
    }
  }
}

std::vector<Informer::Change> Informer::Replace(std::unordered_map<std::string, ObjectPtr> items,
                                                const std::string& rv) {
  std::vector<Change> changes;
  std::unique_lock<std::shared_mutex> lock(cache_mu_);
  for (const auto& [key, obj] : items) {
    auto old = items_.find(key);
    if (old == items_.end()) {
      changes.push_back({nullptr, obj});
    } else if (ResourceVersionOf(*old->second) != ResourceVersionOf(*obj)) {
      changes.push_back({old->second, obj});
    }
  }
  for (const auto& [key, old] : items_) {
    if (!items.count(key)) changes.push_back({old, nullptr});
  }
  items_ = std::move(items);
  for (auto& [name, index] : indexes_) index.clear();
  for (const auto& [key, obj] : items_) IndexLocked(key, *obj, true);
  resource_version_ = rv;
  return changes;
}

Informer::Change Informer::Upsert(const std::string& key, ObjectPtr obj) {
  std::unique_lock<std::shared_mutex> lock(cache_mu_);
  ObjectPtr old;
  auto it = items_.find(key);
  if (it != items_.end()) {
    old = it->second;
    IndexLocked(key, *old, false);
  }
  IndexLocked(key, *obj, true);
  std::string rv = ResourceVersionOf(*obj);
  if (!rv.empty()) resource_version_ = rv;
  items_[key] = obj;
  return {old, obj};
}

Informer::Change Informer::Remove(const std::string& key, ObjectPtr last_seen) {
  std::unique_lock<std::shared_mutex> lock(cache_mu_);
  std::string rv = ResourceVersionOf(*last_seen);
  if (!rv.empty()) resource_version_ = rv;
  auto it = items_.find(key);
  if (it == items_.end()) return {};
  IndexLocked(key, *it->second, false);
  items_.erase(it);
  return {last_seen, nullptr};
}

void Informer::Dispatch(const std::vector<Change>& changes) {
  for (const auto& c : changes) {
    for (const auto& [id, h] : handlers_) {
      try {
        if (!c.old_obj && h.on_add) h.on_add(c.new_obj);
        if (c.old_obj && c.new_obj && h.on_update) h.on_update(c.old_obj, c.new_obj);
        if (!c.new_obj && h.on_delete) h.on_delete(c.old_obj);
      } catch (const std::exception& e) {
        LOG_ERROR(kLog) << ResourcePath(opts_.resource, opts_.ns, "")
                        << ": event handler threw: " << e.what();
      }
    }
  }
}

// ---- factory ----

SharedInformerFactory::~SharedInformerFactory() { Stop(); }

std::shared_ptr<Informer> SharedInformerFactory::For(const ResourceRef& resource,
                                                     const std::string& ns,
                                                     const std::string& label_selector,
                                                     const std::string& field_selector) {
  InformerOptions opts;
  opts.resource = resource;
  opts.ns = ns;
  opts.label_selector = label_selector;
  opts.field_selector = field_selector;
  return For(opts);
}

std::shared_ptr<Informer> SharedInformerFactory::For(const InformerOptions& opts) {
  const auto& r = opts.resource;
  std::string key = r.group + "/" + r.version + "/" + r.resource + "|" + opts.ns + "|" +
                    opts.label_selector + "|" + opts.field_selector +
                    (opts.metadata_only ? "|metadata" : "");
  std::lock_guard<std::mutex> lock(mu_);
  auto& informer = informers_[key];
  if (!informer) {
    informer = std::make_shared<Informer>(client_, opts);
    if (started_) informer->Start();
  }
  return informer;
}

void SharedInformerFactory::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  started_ = true;
  for (auto& [key, informer] : informers_) informer->Start();
}

bool SharedInformerFactory::WaitForSync(std::chrono::steady_clock::time_point deadline) const {
  std::vector<std::shared_ptr<Informer>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, informer] : informers_) all.push_back(informer);
  }
  for (const auto& informer : all) {
    if (!informer->WaitForSync(deadline)) return false;
  }
  return true;
}

void SharedInformerFactory::Stop() {
  std::vector<std::shared_ptr<Informer>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, informer] : informers_) all.push_back(informer);
  }
  for (const auto& informer : all) informer->Stop();
}

}  // namespace cluster::client
