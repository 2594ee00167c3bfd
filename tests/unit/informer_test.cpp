#include "client/informer.h"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

using namespace cluster;
using namespace cluster::client;
using namespace std::chrono_literals;

namespace {

// ---- a small in-memory apiserver for one namespaced resource ----

// What a watch stream holds; shared by the fake (which feeds it) and the client's Stream.
struct WatchFeed {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> lines;
  bool closed = false;
  std::string ns;  // empty: all namespaces

  void Push(std::string line) {
    std::lock_guard<std::mutex> lock(mu);
    lines.push_back(std::move(line));
    cv.notify_all();
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu);
    closed = true;
    cv.notify_all();
  }
};

class FeedStream : public Stream {
 public:
  explicit FeedStream(std::shared_ptr<WatchFeed> feed) : feed_(std::move(feed)) {}
  ~FeedStream() override { feed_->Close(); }
  bool Next(std::string* line, std::chrono::milliseconds timeout) override {
    std::unique_lock<std::mutex> lock(feed_->mu);
    feed_->cv.wait_for(lock, timeout, [&] { return !feed_->lines.empty() || feed_->closed; });
    if (!feed_->lines.empty()) {
      *line = std::move(feed_->lines.front());
      feed_->lines.pop_front();
      return true;
    }
    if (feed_->closed) return false;
    line->clear();
    return true;
  }
  Status status() const override { return Status::Ok(); }
  void Cancel() override { feed_->Close(); }

 private:
  std::shared_ptr<WatchFeed> feed_;
};

std::string NamespaceOfPath(const std::string& path) {
  const std::string marker = "/namespaces/";
  auto at = path.find(marker);
  if (at == std::string::npos) return "";
  auto start = at + marker.size();
  return path.substr(start, path.find('/', start) - start);
}

Response StatusResponse(int code, const std::string& reason, const std::string& message) {
  Response r;
  r.code = code;
  r.body = R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":")" + reason +
           R"(","message":")" + message + R"(","code":)" + std::to_string(code) + "}";
  return r;
}

// Objects live in a sorted map (so continue tokens can be "last key"), every write takes the next
// resourceVersion and is logged; history up to the compacted revision is forgotten, and a watch
// or continue token from before it is answered 410 like the real apiserver.
class FakeApiServer : public Transport {
 public:
  // Creates or replaces an object given as JSON (metadata.name and .namespace set); returns its
  // new resourceVersion.
  int64_t Apply(std::string_view text) {
    auto parsed = json::Parse(text);
    REQUIRE(parsed.ok());
    json::Document obj = std::move(parsed).value();
    std::lock_guard<std::mutex> lock(mu_);
    int64_t rv = ++rv_;
    json::SetString(json::EnsureObject(obj, {"metadata"}, obj.GetAllocator()), "resourceVersion",
                    std::to_string(rv), obj.GetAllocator());
    std::string key = Informer::KeyOf(obj);
    bool existed = objects_.count(key) > 0;
    objects_[key] = json::Serialize(obj);
    EmitLocked(existed ? "MODIFIED" : "ADDED", obj, rv);
    return rv;
  }

  void Delete(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(key);
    REQUIRE(it != objects_.end());
    json::Document obj = std::move(json::Parse(it->second)).value();
    objects_.erase(it);
    int64_t rv = ++rv_;
    json::SetString(*json::FindMutable(obj, {"metadata"}), "resourceVersion", std::to_string(rv),
                    obj.GetAllocator());
    EmitLocked("DELETED", obj, rv);
  }

  // Forgets all history: older watches and continue tokens get 410.
  void Compact() {
    std::lock_guard<std::mutex> lock(mu_);
    compacted_ = rv_;
    log_.clear();
  }
  // While held, writes are logged but not sent to open watches (a partitioned client).
  void HoldWatches(bool hold) {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = hold;
  }
  // Ends every open watch, as the server does when timeoutSeconds passes.
  void CloseWatches() {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& f : feeds_) f->Close();
    feeds_.clear();
  }
  void BumpRevision() {
    std::lock_guard<std::mutex> lock(mu_);
    ++rv_;
  }
  void SendBookmark() {
    std::lock_guard<std::mutex> lock(mu_);
    std::string line =
        R"({"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":")" +
        std::to_string(rv_) + R"("}}})";
    for (auto& f : feeds_) f->Push(line);
  }
  int64_t resource_version() {
    std::lock_guard<std::mutex> lock(mu_);
    return rv_;
  }

  // Knobs for failure scenarios.
  void FailNextLists(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_lists_ = n;
  }
  void ExpireNextContinue() {
    std::lock_guard<std::mutex> lock(mu_);
    expire_continue_ = true;
  }
  void GoneAsErrorEvent(bool v) {
    std::lock_guard<std::mutex> lock(mu_);
    gone_as_event_ = v;
  }

  std::vector<Request> lists() {
    std::lock_guard<std::mutex> lock(mu_);
    return lists_;
  }
  int watches() {
    std::lock_guard<std::mutex> lock(mu_);
    return watches_;
  }
  size_t open_watches() {
    std::lock_guard<std::mutex> lock(mu_);
    size_t n = 0;
    for (auto& f : feeds_) {
      std::lock_guard<std::mutex> fl(f->mu);
      if (!f->closed) ++n;
    }
    return n;
  }

  Result<Response> Do(const Request& req) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (req.method != "GET") return StatusResponse(405, "MethodNotAllowed", "read-only fake");
    lists_.push_back(req);
    if (fail_lists_ > 0) {
      --fail_lists_;
      return StatusResponse(500, "InternalError", "injected");
    }
    std::string ns = NamespaceOfPath(req.path);
    int64_t limit = req.query.count("limit") ? std::stoll(req.query.at("limit")) : 0;
    std::string after;
    if (req.query.count("continue")) {
      const std::string& token = req.query.at("continue");
      auto bar = token.find('|');
      if (expire_continue_ || std::stoll(token.substr(0, bar)) < compacted_) {
        expire_continue_ = false;
        return StatusResponse(410, "Expired", "continue token too old");
      }
      after = token.substr(bar + 1);
    }
    std::string items;
    int64_t n = 0;
    std::string last;
    bool more = false;
    for (auto it = objects_.upper_bound(after); it != objects_.end(); ++it) {
      if (!ns.empty() && it->first.rfind(ns + "/", 0) != 0) continue;
      if (limit > 0 && n == limit) {
        more = true;
        break;
      }
      items += (n++ ? "," : "") + it->second;
      last = it->first;
    }
    std::string cont = more ? std::to_string(rv_) + "|" + last : "";
    Response r;
    r.code = 200;
    r.body = R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":")" +
             std::to_string(rv_) + R"(","continue":")" + cont + R"("},"items":[)" + items + "]}";
    return r;
  }

  Result<std::unique_ptr<Stream>> OpenStream(const Request& req) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++watches_;
    auto feed = std::make_shared<WatchFeed>();
    feed->ns = NamespaceOfPath(req.path);
    int64_t from =
        req.query.count("resourceVersion") ? std::stoll(req.query.at("resourceVersion")) : rv_;
    if (from < compacted_) {
      if (!gone_as_event_) return StatusFromResponse(StatusResponse(410, "Expired", "too old"));
      feed->Push(R"({"type":"ERROR","object":{"kind":"Status","status":"Failure",)"
                 R"("reason":"Expired","message":"too old","code":410}})");
      feed->Close();
      return std::unique_ptr<Stream>(new FeedStream(feed));
    }
    for (const auto& e : log_) {
      if (e.rv > from && Matches(*feed, e.key)) feed->Push(e.line);
    }
    feeds_.push_back(feed);
    return std::unique_ptr<Stream>(new FeedStream(feed));
  }

 private:
  struct Event {
    int64_t rv;
    std::string key;
    std::string line;
  };

  static bool Matches(const WatchFeed& feed, const std::string& key) {
    return feed.ns.empty() || key.rfind(feed.ns + "/", 0) == 0;
  }

  void EmitLocked(const char* type, const json::Value& obj, int64_t rv) {
    std::string line =
        std::string(R"({"type":")") + type + R"(","object":)" + json::Serialize(obj) + "}";
    std::string key = Informer::KeyOf(obj);
    log_.push_back({rv, key, line});
    if (hold_) return;
    for (auto& f : feeds_) {
      if (Matches(*f, key)) f->Push(line);
    }
  }

  std::mutex mu_;
  int64_t rv_ = 100;
  int64_t compacted_ = 0;
  std::map<std::string, std::string> objects_;
  std::vector<Event> log_;
  std::vector<std::shared_ptr<WatchFeed>> feeds_;
  bool hold_ = false;
  int fail_lists_ = 0;
  bool expire_continue_ = false;
  bool gone_as_event_ = false;
  std::vector<Request> lists_;
  int watches_ = 0;
};

// ---- helpers ----

bool Eventually(const std::function<bool()>& cond, std::chrono::milliseconds limit = 10s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

std::string Pod(const std::string& ns, const std::string& name, const std::string& labels = "{}",
                const std::string& owner_uid = "", const std::string& phase = "Pending") {
  std::string owners = owner_uid.empty() ? ""
                                         : R"(,"ownerReferences":[{"kind":"ReplicaSet","uid":")" +
                                               owner_uid + R"("}])";
  return R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns + R"(","labels":)" + labels +
         owners + R"(},"status":{"phase":")" + phase + R"("}})";
}

std::string Name(const ObjectPtr& o) { return json::GetString(*o, {"metadata", "name"}); }
std::string Phase(const ObjectPtr& o) { return json::GetString(*o, {"status", "phase"}); }

std::set<std::string> Names(const std::vector<ObjectPtr>& objs) {
  std::set<std::string> out;
  for (const auto& o : objs) out.insert(Name(o));
  return out;
}

// Records handler calls as "add:name", "update:name:oldphase->newphase", "delete:name".
struct Recorder {
  std::mutex mu;
  std::vector<std::string> events;

  EventHandler Handler() {
    EventHandler h;
    h.on_add = [this](const ObjectPtr& o) { Record("add:" + Name(o)); };
    h.on_update = [this](const ObjectPtr& a, const ObjectPtr& b) {
      Record("update:" + Name(b) + ":" + Phase(a) + "->" + Phase(b));
    };
    h.on_delete = [this](const ObjectPtr& o) { Record("delete:" + Name(o)); };
    return h;
  }
  void Record(std::string e) {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(std::move(e));
  }
  std::vector<std::string> Take() {
    std::lock_guard<std::mutex> lock(mu);
    return std::exchange(events, {});
  }
  size_t Count() {
    std::lock_guard<std::mutex> lock(mu);
    return events.size();
  }
  bool Has(const std::string& e) {
    std::lock_guard<std::mutex> lock(mu);
    return std::find(events.begin(), events.end(), e) != events.end();
  }
};

const ResourceRef kPods{"", "v1", "pods", ""};

InformerOptions PodOptions(const std::string& ns = "") {
  InformerOptions o;
  o.resource = kPods;
  o.ns = ns;
  o.min_backoff = 5ms;
  o.max_backoff = 50ms;
  return o;
}

}  // namespace

TEST_CASE("informer lists in pages, fills the cache and reports sync") {
  auto api = std::make_shared<FakeApiServer>();
  for (int i = 0; i < 1203; ++i)
    api->Apply(Pod("ns" + std::to_string(i % 3), "p" + std::to_string(i)));
  Informer inf(Client(api), PodOptions());
  Recorder rec;
  inf.AddHandler(rec.Handler());
  CHECK_FALSE(inf.HasSynced());
  inf.Start();
  REQUIRE(inf.WaitForSync(std::chrono::steady_clock::now() + 10s));
  CHECK(inf.List().size() == 1203);
  CHECK(rec.Count() == 1203);  // adds were delivered before sync was reported
  CHECK(inf.LastResourceVersion() == std::to_string(api->resource_version()));

  auto lists = api->lists();
  REQUIRE(lists.size() == 3);
  CHECK(lists[0].query.at("limit") == "500");
  CHECK(lists[0].query.count("continue") == 0);
  CHECK(lists[1].query.count("continue") == 1);
  CHECK(lists[2].query.count("continue") == 1);

  ObjectPtr p7 = inf.Get("ns1/p7");
  REQUIRE(p7);
  CHECK(json::GetString(*p7, {"kind"}) == "Pod");  // filled in from the list's kind
  CHECK(json::GetString(*p7, {"apiVersion"}) == "v1");
  CHECK(inf.Get("ns0/p7") == nullptr);
  CHECK(inf.ByNamespace("ns2").size() == 401);
}

TEST_CASE("informer applies watch events to the cache and its handlers") {
  auto api = std::make_shared<FakeApiServer>();
  api->Apply(Pod("default", "a"));
  Informer inf(Client(api), PodOptions());
  Recorder rec;
  inf.AddHandler(rec.Handler());
  inf.Start();
  REQUIRE(inf.WaitForSync(std::chrono::steady_clock::now() + 10s));
  REQUIRE(Eventually([&] { return api->open_watches() == 1; }));
  CHECK(rec.Take() == std::vector<std::string>{"add:a"});

  ObjectPtr before = inf.Get("default/a");
  api->Apply(Pod("default", "b"));
  api->Apply(Pod("default", "a", "{}", "", "Running"));
  api->Delete("default/b");
  REQUIRE(Eventually([&] { return rec.Count() == 3; }));
  CHECK(rec.Take() == std::vector<std::string>{"add:b", "update:a:Pending->Running", "delete:b"});
  CHECK(Phase(inf.Get("default/a")) == "Running");
  CHECK(Phase(before) == "Pending");  // a held object never changes under its reader
  CHECK(inf.Get("default/b") == nullptr);
  CHECK(inf.LastResourceVersion() == std::to_string(api->resource_version()));

  // Bookmarks move the resourceVersion without touching the cache.
  api->Apply(Pod("other", "x"));
  REQUIRE(Eventually([&] { return inf.Get("other/x") != nullptr; }));
  api->BumpRevision();  // a write to some other resource
  api->SendBookmark();
  REQUIRE(Eventually(
      [&] { return inf.LastResourceVersion() == std::to_string(api->resource_version()); }));
  inf.Stop();
  CHECK(api->open_watches() == 0);
}

TEST_CASE("informer indexes by namespace, label, owner and custom functions") {
  auto api = std::make_shared<FakeApiServer>();
  api->Apply(Pod("a", "web-1", R"({"app":"web","tier":"front"})", "rs-1"));
  api->Apply(Pod("a", "web-2", R"({"app":"web"})", "rs-1"));
  api->Apply(Pod("b", "db-1", R"({"app":"db"})", "rs-2"));
  Informer inf(Client(api), PodOptions());
  REQUIRE(inf.AddIndexer("phase",
                         [](const json::Value& o) {
                           return std::vector<std::string>{json::GetString(o, {"status", "phase"})};
                         })
              .ok());
  CHECK(inf.AddIndexer("phase", [](const json::Value&) { return std::vector<std::string>{}; })
            .code() == Code::kAlreadyExists);
  inf.Start();
  REQUIRE(inf.WaitForSync(std::chrono::steady_clock::now() + 10s));

  CHECK(Names(inf.ByNamespace("a")) == std::set<std::string>{"web-1", "web-2"});
  CHECK(Names(inf.ByIndex(kIndexLabel, "app=web")) == std::set<std::string>{"web-1", "web-2"});
  CHECK(Names(inf.ByIndex(kIndexLabel, "tier=front")) == std::set<std::string>{"web-1"});
  CHECK(Names(inf.ByIndex(kIndexOwner, "rs-2")) == std::set<std::string>{"db-1"});
  CHECK(Names(inf.ByIndex("phase", "Pending")).size() == 3);
  CHECK(inf.ByIndex("no-such-index", "x").empty());

  // An update moves the object between index values; a delete removes it.
  api->Apply(Pod("a", "web-2", R"({"app":"api"})", "rs-3", "Running"));
  api->Delete("b/db-1");
  REQUIRE(Eventually([&] { return inf.Get("b/db-1") == nullptr; }));
  CHECK(Names(inf.ByIndex(kIndexLabel, "app=web")) == std::set<std::string>{"web-1"});
  CHECK(Names(inf.ByIndex(kIndexLabel, "app=api")) == std::set<std::string>{"web-2"});
  CHECK(Names(inf.ByIndex(kIndexOwner, "rs-1")) == std::set<std::string>{"web-1"});
  CHECK(inf.ByIndex(kIndexOwner, "rs-2").empty());
  CHECK(Names(inf.ByIndex("phase", "Running")) == std::set<std::string>{"web-2"});
  CHECK(inf.ByNamespace("b").empty());

  // An index added later covers what is cached already.
  REQUIRE(
      inf.AddIndexer("name",
                     [](const json::Value& o) {
                       return std::vector<std::string>{json::GetString(o, {"metadata", "name"})};
                     })
          .ok());
  CHECK(Names(inf.ByIndex("name", "web-1")) == std::set<std::string>{"web-1"});
}

TEST_CASE("informer re-lists after 410 Gone and emits the difference") {
  bool as_event = GENERATE(false, true);
  auto api = std::make_shared<FakeApiServer>();
  api->GoneAsErrorEvent(as_event);
  api->Apply(Pod("default", "a"));
  api->Apply(Pod("default", "b"));
  api->Apply(Pod("default", "c"));
  Informer inf(Client(api), PodOptions());
  Recorder rec;
  inf.AddHandler(rec.Handler());
  inf.Start();
  REQUIRE(inf.WaitForSync(std::chrono::steady_clock::now() + 10s));
  REQUIRE(Eventually([&] { return api->open_watches() == 1; }));
  rec.Take();

  // The informer misses these writes, and the history that would replay them is compacted.
  api->HoldWatches(true);
  api->Delete("default/b");
  api->Apply(Pod("default", "d"));
  api->Apply(Pod("default", "a", "{}", "", "Running"));
  api->Compact();
  api->HoldWatches(false);
  api->CloseWatches();

  REQUIRE(Eventually([&] { return rec.Count() == 3; }));
  auto events = rec.Take();
  std::sort(events.begin(), events.end());
  CHECK(events == std::vector<std::string>{"add:d", "delete:b", "update:a:Pending->Running"});
  CHECK(api->lists().size() == 2);
  CHECK(Names(inf.List()) == std::set<std::string>{"a", "c", "d"});
  CHECK(inf.LastResourceVersion() == std::to_string(api->resource_version()));

  // And it watches again from the new list.
  REQUIRE(Eventually([&] { return api->open_watches() == 1; }));
  api->Apply(Pod("default", "e"));
  REQUIRE(Eventually([&] { return rec.Has("add:e"); }));
}

TEST_CASE("informer re-watches from its last resourceVersion when a watch ends") {
  auto api = std::make_shared<FakeApiServer>();
  Informer inf(Client(api), PodOptions());
  Recorder rec;
  inf.AddHandler(rec.Handler());
  inf.Start();
  REQUIRE(inf.WaitForSync(std::chrono::steady_clock::now() + 10s));
  REQUIRE(Eventually([&] { return api->open_watches() == 1; }));
  // Writes made while no watch is open are replayed from history on the next watch.
  api->HoldWatches(true);
  api->Apply(Pod("default", "a"));
  api->HoldWatches(false);
  api->CloseWatches();
  api->Apply(Pod("default", "b"));
  REQUIRE(Eventually([&] { return rec.Count() == 2; }));
  CHECK(rec.Take() == std::vector<std::string>{"add:a", "add:b"});
  CHECK(api->lists().size() == 1);  // no re-list needed
  CHECK(api->watches() >= 2);
}

TEST_CASE("informer retries failed lists and falls back from an expired continue token") {
  auto api = std::make_shared<FakeApiServer>();
  for (int i = 0; i < 12; ++i) api->Apply(Pod("default", "p" + std::to_string(i)));
  api->FailNextLists(2);
  api->ExpireNextContinue();
  InformerOptions opts = PodOptions();
  opts.page_size = 5;
  Informer inf(Client(api), opts);
  inf.Start();
  REQUIRE(inf.WaitForSync(std::chrono::steady_clock::now() + 10s));
  CHECK(inf.List().size() == 12);
  auto lists = api->lists();
  // two failures, the first page, the expired continue, then one unpaged list
  REQUIRE(lists.size() == 5);
  CHECK(lists[3].query.count("continue") == 1);
  CHECK(lists[4].query.count("limit") == 0);
}

TEST_CASE("namespaced informer sees only its namespace") {
  auto api = std::make_shared<FakeApiServer>();
  api->Apply(Pod("a", "x"));
  api->Apply(Pod("b", "y"));
  Informer inf(Client(api), PodOptions("a"));
  inf.Start();
  REQUIRE(inf.WaitForSync(std::chrono::steady_clock::now() + 10s));
  REQUIRE(Eventually([&] { return api->open_watches() == 1; }));
  api->Apply(Pod("b", "z"));
  api->Apply(Pod("a", "w"));
  REQUIRE(Eventually([&] { return inf.Get("a/w") != nullptr; }));
  CHECK(Names(inf.List()) == std::set<std::string>{"x", "w"});
  CHECK(api->lists()[0].path == "/api/v1/namespaces/a/pods");
}

TEST_CASE("a handler added after sync first gets the cached objects") {
  auto api = std::make_shared<FakeApiServer>();
  api->Apply(Pod("default", "a"));
  api->Apply(Pod("default", "b"));
  Informer inf(Client(api), PodOptions());
  inf.Start();
  REQUIRE(inf.WaitForSync(std::chrono::steady_clock::now() + 10s));
  Recorder rec;
  inf.AddHandler(rec.Handler());
  auto events = rec.Take();
  std::sort(events.begin(), events.end());
  CHECK(events == std::vector<std::string>{"add:a", "add:b"});
  api->Apply(Pod("default", "c"));
  REQUIRE(Eventually([&] { return rec.Has("add:c"); }));
}

TEST_CASE("shared informer factory hands out one informer per resource and selectors") {
  auto api = std::make_shared<FakeApiServer>();
  api->Apply(Pod("a", "x"));
  SharedInformerFactory factory{Client(api)};
  auto all1 = factory.For(kPods);
  auto all2 = factory.For(kPods);
  auto in_a = factory.For(kPods, "a");
  CHECK(all1 == all2);
  CHECK(all1 != in_a);
  CHECK(factory.For(kPods, "", "app=web") != all1);
  factory.Start();
  REQUIRE(factory.WaitForSync(std::chrono::steady_clock::now() + 10s));
  auto late = factory.For(kPods, "b");  // made after Start: started at once
  REQUIRE(late->WaitForSync(std::chrono::steady_clock::now() + 10s));
  CHECK(all1->Get("a/x") != nullptr);
  CHECK(in_a->Get("a/x") != nullptr);
  CHECK(late->List().empty());
  factory.Stop();
  CHECK(api->open_watches() == 0);
}
