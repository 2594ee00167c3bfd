#include "client/client.h"

#include <catch2/catch.hpp>
#include <deque>
#include <mutex>

using namespace cluster;
using namespace cluster::client;
using namespace std::chrono_literals;

namespace {

// A stream over fixed lines, as the in-process transport would hand out.
class LinesStream : public Stream {
 public:
  explicit LinesStream(std::deque<std::string> lines) : lines_(std::move(lines)) {}
  bool Next(std::string* line, std::chrono::milliseconds) override {
    if (cancelled_ || lines_.empty()) return false;
    *line = lines_.front();
    lines_.pop_front();
    return true;
  }
  Status status() const override { return Status::Ok(); }
  void Cancel() override { cancelled_ = true; }

 private:
  std::deque<std::string> lines_;
  bool cancelled_ = false;
};

// Records each request and answers with the next canned response.
class RecordingTransport : public Transport {
 public:
  Result<Response> Do(const Request& req) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests.push_back(req);
    if (answers.empty()) return Unavailable("no answer");
    Response r = answers.front();
    answers.pop_front();
    return r;
  }
  Result<std::unique_ptr<Stream>> OpenStream(const Request& req) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests.push_back(req);
    return std::unique_ptr<Stream>(new LinesStream(stream_lines));
  }
  std::vector<Request> requests;
  std::deque<Response> answers;
  std::deque<std::string> stream_lines;

 private:
  std::mutex mu_;
};

Response Json(int code, std::string body) {
  Response r;
  r.code = code;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

json::Document Doc(std::string_view text) {
  auto d = json::Parse(text);
  REQUIRE(d.ok());
  return std::move(d).value();
}

const ResourceRef kPods{"", "v1", "pods", ""};
const ResourceRef kDeployments{"apps", "v1", "deployments", ""};

}  // namespace

TEST_CASE("resource paths follow the Kubernetes REST layout") {
  CHECK(ResourcePath(kPods, "", "") == "/api/v1/pods");
  CHECK(ResourcePath(kPods, "default", "") == "/api/v1/namespaces/default/pods");
  CHECK(ResourcePath(kPods, "default", "web") == "/api/v1/namespaces/default/pods/web");
  CHECK(ResourcePath({"", "v1", "nodes", "status"}, "", "n1") == "/api/v1/nodes/n1/status");
  CHECK(ResourcePath({"apps", "v1", "deployments", "scale"}, "ns", "d") ==
        "/apis/apps/v1/namespaces/ns/deployments/d/scale");
  CHECK(ResourcePath({"", "v1", "namespaces", ""}, "", "kube-system") ==
        "/api/v1/namespaces/kube-system");
}

TEST_CASE("error bodies decode into statuses by reason, then by code") {
  auto status = [](int code, std::string body) { return StatusFromResponse(Json(code, body)); };
  Status s = status(404, R"({"kind":"Status","apiVersion":"v1","status":"Failure",)"
                         R"("message":"pods \"x\" not found","reason":"NotFound","code":404})");
  CHECK(s.code() == Code::kNotFound);
  CHECK(s.message() == "pods \"x\" not found");
  CHECK(status(409, R"({"kind":"Status","reason":"AlreadyExists","code":409})").code() ==
        Code::kAlreadyExists);
  CHECK(status(409, R"({"kind":"Status","reason":"Conflict","code":409})").code() ==
        Code::kConflict);
  CHECK(status(422, R"({"kind":"Status","reason":"Invalid","message":"m"})").code() ==
        Code::kInvalid);
  CHECK(status(410, R"({"kind":"Status","reason":"Expired","code":410})").code() == Code::kGone);
  CHECK(status(410, R"({"kind":"Status","reason":"Gone"})").code() == Code::kGone);
  CHECK(status(429, R"({"kind":"Status","reason":"TooManyRequests"})").code() ==
        Code::kTooManyRequests);
  CHECK(status(405, R"({"kind":"Status","reason":"MethodNotAllowed"})").code() ==
        Code::kMethodNotAllowed);
  CHECK(status(403, R"({"kind":"Status","reason":"Forbidden"})").code() == Code::kForbidden);
  CHECK(status(401, R"({"kind":"Status","reason":"Unauthorized"})").code() == Code::kUnauthorized);
  // Unknown reason: the embedded code, then the HTTP code.
  CHECK(status(500, R"({"kind":"Status","reason":"Odd","code":404})").code() == Code::kNotFound);
  CHECK(status(503, R"({"kind":"Status"})").code() == Code::kUnavailable);
  // Not a Status at all (a proxy's page): the HTTP code and a piece of the body.
  Status plain = status(502, "bad gateway\n");
  CHECK(plain.code() == Code::kInternal);
  CHECK(plain.message() == "HTTP 502: bad gateway");
  CHECK(status(418, "").code() == Code::kBadRequest);
  CHECK(status(200, "{}").ok());
}

TEST_CASE("client verbs send the right method, path, query and body") {
  auto t = std::make_shared<RecordingTransport>();
  Client c(t);
  const std::string pod = R"({"kind":"Pod","metadata":{"name":"web","namespace":"ns"}})";
  for (int i = 0; i < 6; ++i) t->answers.push_back(Json(200, pod));

  REQUIRE(c.Get(kPods, "ns", "web").ok());
  ListOptions opts;
  opts.label_selector = "app=web";
  opts.field_selector = "spec.nodeName=n1";
  opts.limit = 500;
  opts.continue_token = "tok";
  opts.resource_version = "12";
  auto listed = c.List(kPods, "", opts);
  REQUIRE(listed.ok());
  CHECK(json::GetString(*listed, {"metadata", "name"}) == "web");
  json::Document obj = Doc(pod);
  REQUIRE(c.Create(kPods, "ns", obj).ok());
  REQUIRE(c.Update(kPods, "ns", obj).ok());
  REQUIRE(c.Patch(kDeployments, "ns", "d", "application/merge-patch+json", R"({"a":1})").ok());
  REQUIRE(c.Delete(kPods, "ns", "web", R"({"propagationPolicy":"Foreground"})").ok());

  REQUIRE(t->requests.size() == 6);
  const auto& r = t->requests;
  CHECK(r[0].method == "GET");
  CHECK(r[0].path == "/api/v1/namespaces/ns/pods/web");
  CHECK(r[1].path == "/api/v1/pods");
  CHECK(r[1].query == std::map<std::string, std::string>{{"labelSelector", "app=web"},
                                                         {"fieldSelector", "spec.nodeName=n1"},
                                                         {"limit", "500"},
                                                         {"continue", "tok"},
                                                         {"resourceVersion", "12"}});
  CHECK(r[2].method == "POST");
  CHECK(r[2].path == "/api/v1/namespaces/ns/pods");
  CHECK(r[2].content_type == "application/json");
  CHECK(json::GetString(Doc(r[2].body), {"metadata", "name"}) == "web");
  CHECK(r[3].method == "PUT");
  CHECK(r[3].path == "/api/v1/namespaces/ns/pods/web");
  CHECK(r[4].method == "PATCH");
  CHECK(r[4].path == "/apis/apps/v1/namespaces/ns/deployments/d");
  CHECK(r[4].content_type == "application/merge-patch+json");
  CHECK(r[4].body == R"({"a":1})");
  CHECK(r[5].method == "DELETE");
  CHECK(r[5].body == R"({"propagationPolicy":"Foreground"})");
}

TEST_CASE("client verbs turn error answers and transport failures into statuses") {
  auto t = std::make_shared<RecordingTransport>();
  Client c(t);
  t->answers.push_back(Json(404, R"({"kind":"Status","reason":"NotFound","message":"gone"})"));
  auto got = c.Get(kPods, "ns", "x");
  REQUIRE_FALSE(got.ok());
  CHECK(got.status().code() == Code::kNotFound);
  auto failed = c.Get(kPods, "ns", "x");  // no answer queued: network failure
  CHECK(failed.status().code() == Code::kUnavailable);
  t->answers.push_back(Json(200, "{not json"));
  CHECK(c.Get(kPods, "ns", "x").status().code() == Code::kBadRequest);
  CHECK(c.Get(kPods, "ns", "").status().code() == Code::kBadRequest);
  json::Document nameless = Doc(R"({"metadata":{}})");
  CHECK(c.Update(kPods, "ns", nameless).status().code() == Code::kBadRequest);
}

TEST_CASE("a subresource create posts to the object the body names") {
  auto t = std::make_shared<RecordingTransport>();
  Client c(t);
  t->answers.push_back(Json(201, R"({"kind":"Status","status":"Success"})"));
  json::Document binding = Doc(R"({"kind":"Binding","metadata":{"name":"web"},)"
                               R"("target":{"kind":"Node","name":"n1"}})");
  REQUIRE(c.Create({"", "v1", "pods", "binding"}, "ns", binding).ok());
  CHECK(t->requests[0].path == "/api/v1/namespaces/ns/pods/web/binding");
}

TEST_CASE("watch streams decode events and stop at a malformed line") {
  auto t = std::make_shared<RecordingTransport>();
  Client c(t);
  t->stream_lines = {
      R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}})",
      "",
      R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}})",
      R"({"type":"DELETED","object":{"metadata":{"name":"a"}}})",
      R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired"}})",
      R"({"type":"SURPRISE","object":{}})",
  };
  ListOptions opts;
  opts.resource_version = "4";
  opts.allow_watch_bookmarks = true;
  auto w = c.Watch(kPods, "ns", opts);
  REQUIRE(w.ok());
  CHECK(t->requests[0].query.at("watch") == "true");
  CHECK(t->requests[0].query.at("resourceVersion") == "4");
  CHECK(t->requests[0].query.at("allowWatchBookmarks") == "true");

  WatchEvent ev;
  bool has = false;
  REQUIRE((*w)->Next(&ev, &has, 10ms));
  REQUIRE(has);
  CHECK(ev.type == WatchEvent::Type::kAdded);
  CHECK(json::GetString(ev.object, {"metadata", "name"}) == "a");
  CHECK(json::Find(ev.object, {"type"}) == nullptr);  // the object itself, not the envelope
  REQUIRE((*w)->Next(&ev, &has, 10ms));
  CHECK_FALSE(has);  // an empty line is a timeout
  REQUIRE((*w)->Next(&ev, &has, 10ms));
  CHECK(ev.type == WatchEvent::Type::kBookmark);
  CHECK(json::GetString(ev.object, {"metadata", "resourceVersion"}) == "9");
  REQUIRE((*w)->Next(&ev, &has, 10ms));
  CHECK(ev.type == WatchEvent::Type::kDeleted);
  REQUIRE((*w)->Next(&ev, &has, 10ms));
  CHECK(ev.type == WatchEvent::Type::kError);
  CHECK(StatusFromObject(ev.object, 500).code() == Code::kGone);
  CHECK_FALSE((*w)->Next(&ev, &has, 10ms));
  CHECK((*w)->status().code() == Code::kInternal);
}
