// The controller runner, leader election and the event recorder, against a real apiserver.
#include "client/controller.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "client/event_recorder.h"
#include "client/leader_election.h"
#include "test_cluster.h"

namespace cluster::testing {
namespace {

// Counts syncs per key; fails the first `fail_first` syncs of each key, throws on "boom".
class CountingController : public client::Controller {
 public:
  CountingController(client::ControllerContext ctx, int fail_first)
      : Controller("counting", std::move(ctx), 2,
                   client::RateLimiterOptions{std::chrono::milliseconds(1),
                                              std::chrono::milliseconds(20), 1000, 1000}),
        fail_first_(fail_first) {
    Watch(refs::kConfigMaps, EnqueueHandler());
  }
  Status Sync(const std::string& key) override {
    int n;
    {
      std::lock_guard<std::mutex> lock(mu_);
      n = ++calls_[key];
      if (in_flight_.count(key)) concurrent_same_key_ = true;
      in_flight_.insert(key);
    }
    std::this_thread::sleep_for(1ms);
    {
      std::lock_guard<std::mutex> lock(mu_);
      in_flight_.erase(key);
    }
    if (key == "default/boom" && n == 1) throw std::runtime_error("boom");
    if (n <= fail_first_) return Internal("not yet");
    return Status::Ok();
  }
  int Calls(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_[key];
  }
  bool concurrent_same_key() {
    std::lock_guard<std::mutex> lock(mu_);
    return concurrent_same_key_;
  }

 private:
  const int fail_first_;
  std::mutex mu_;
  std::map<std::string, int> calls_;
  std::set<std::string> in_flight_;
  bool concurrent_same_key_ = false;
};

std::string ConfigMap(const std::string& name) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name +
         "\n  namespace: default\ndata:\n  a: b\n";
}

}  // namespace

TEST_CASE("the runner syncs every key once its informers have synced, and retries failures",
          "[controller]") {
  TestCluster tc;
  tc.Create(refs::kConfigMaps, ConfigMap("before"));
  client::SharedInformerFactory factory(tc.admin());
  client::ControllerRunner runner(&factory);
  auto owned = std::make_unique<CountingController>(
      client::ControllerContext{tc.admin(), &factory, nullptr}, 2);
  CountingController* c = owned.get();
  runner.Add(std::move(owned));
  REQUIRE(runner.Start(10s).ok());
  CHECK(runner.Names() == std::vector<std::string>{"counting"});
  CHECK(runner.Find("counting") == c);

  // Objects from before the start and after it; each fails twice, then succeeds.
  tc.Create(refs::kConfigMaps, ConfigMap("after"));
  tc.Create(refs::kConfigMaps, ConfigMap("boom"));
  CHECK(Eventually([&] { return c->Calls("default/before") >= 3; }));
  CHECK(Eventually([&] { return c->Calls("default/after") >= 3; }));
  // A throwing sync is caught and retried like an error.
  CHECK(Eventually([&] { return c->Calls("default/boom") >= 3; }));
  CHECK(c->failures() >= 6);
  // Success forgets the key: no more syncs without a new event.
  int settled = c->Calls("default/after");
  std::this_thread::sleep_for(100ms);
  CHECK(c->Calls("default/after") == settled);
  CHECK_FALSE(c->concurrent_same_key());

  runner.Stop();
  CHECK(runner.Names().empty());
  // Handlers are detached: events after Stop reach no destroyed controller.
  tc.Create(refs::kConfigMaps, ConfigMap("later"));
  std::this_thread::sleep_for(50ms);
}

TEST_CASE("a controller is resynced on its period", "[controller]") {
  class Ticking : public client::Controller {
   public:
    explicit Ticking(client::ControllerContext ctx) : Controller("ticking", std::move(ctx)) {}
    std::chrono::milliseconds ResyncPeriod() const override { return 20ms; }
    void Resync() override { queue().Add("tick"); }
    Status Sync(const std::string&) override {
      ++ticks;
      return Status::Ok();
    }
    std::atomic<int> ticks{0};
  };
  TestCluster tc;
  client::SharedInformerFactory factory(tc.admin());
  client::ControllerRunner runner(&factory);
  auto owned = std::make_unique<Ticking>(client::ControllerContext{tc.admin(), &factory, nullptr});
  Ticking* t = owned.get();
  runner.Add(std::move(owned));
  REQUIRE(runner.Start(5s).ok());
  CHECK(Eventually([&] { return t->ticks >= 3; }));
}

TEST_CASE("--controllers takes *, names, aliases and -name", "[controller]") {
  client::ControllerSelection all;
  CHECK(all.Enabled("replicaset-controller", {"replicaset"}));
  CHECK_FALSE(all.Enabled("bootstrap-signer-controller", {"bootstrapsigner"}, false));

  client::ControllerSelection some{{"*", "-replicaset", "bootstrapsigner"}};
  CHECK_FALSE(some.Enabled("replicaset-controller", {"replicaset"}));
  CHECK(some.Enabled("deployment-controller", {"deployment"}));
  CHECK(some.Enabled("bootstrap-signer-controller", {"bootstrapsigner"}, false));

  client::ControllerSelection only{{"deployment-controller"}};
  CHECK(only.Enabled("deployment-controller", {"deployment"}));
  CHECK_FALSE(only.Enabled("replicaset-controller", {"replicaset"}));

  client::ControllerSelection none{{"-*"}};
  CHECK_FALSE(none.Enabled("job-controller", {"job"}));
}

namespace {

client::LeaderElectionConfig FastElection(const std::string& identity, std::atomic<int>* leading) {
  client::LeaderElectionConfig cfg;
  cfg.name = "test-lease";
  cfg.identity = identity;
  cfg.lease_duration = 1000ms;
  cfg.renew_deadline = 600ms;
  cfg.retry_period = 100ms;
  cfg.on_started_leading = [leading] { ++*leading; };
  cfg.on_stopped_leading = [leading] { --*leading; };
  return cfg;
}

}  // namespace

TEST_CASE("one candidate leads; another takes over when it stops", "[leader]") {
  TestCluster tc;
  std::atomic<int> a_leading{0}, b_leading{0};
  auto a = std::make_unique<client::LeaderElector>(tc.admin(), FastElection("a", &a_leading));
  client::LeaderElector b(tc.admin(), FastElection("b", &b_leading));
  a->Start();
  REQUIRE(Eventually([&] { return a->IsLeader() && a_leading == 1; }));
  b.Start();
  std::this_thread::sleep_for(1500ms);  // past a lease duration: a keeps renewing
  CHECK(a->IsLeader());
  CHECK_FALSE(b.IsLeader());
  CHECK(b_leading == 0);
  auto lease = tc.Get(refs::kLeases, "kube-system", "test-lease");
  CHECK(json::GetString(lease, {"spec", "holderIdentity"}) == "a");

  a->Stop();  // releases the lease
  CHECK(a_leading == 0);
  CHECK(Eventually([&] { return b.IsLeader() && b_leading == 1; }, 3s));
  lease = tc.Get(refs::kLeases, "kube-system", "test-lease");
  CHECK(json::GetString(lease, {"spec", "holderIdentity"}) == "b");
  CHECK(json::GetInt(lease, {"spec", "leaseTransitions"}) == 0);  // a released it
}

TEST_CASE("a crashed leader's lease is taken after it expires; its own identity at once",
          "[leader]") {
  TestCluster tc;
  // A lease held by "ghost", renewed just now, that nobody renews any more.
  tc.Create(refs::kLeases, R"(
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: test-lease, namespace: kube-system}
spec: {holderIdentity: ghost, leaseDurationSeconds: 1, leaseTransitions: 3}
)");
  std::atomic<int> leading{0};
  client::LeaderElector other(tc.admin(), FastElection("other", &leading));
  auto started = std::chrono::steady_clock::now();
  other.Start();
  REQUIRE(Eventually([&] { return other.IsLeader(); }, 5s));
  CHECK(std::chrono::steady_clock::now() - started >= 900ms);
  auto lease = tc.Get(refs::kLeases, "kube-system", "test-lease");
  CHECK(json::GetInt(lease, {"spec", "leaseTransitions"}) == 4);
  other.Stop();

  // The same identity as the holder takes it without waiting.
  std::atomic<int> again{0};
  auto cfg = FastElection("ghost", &again);
  cfg.lease_duration = 60s;
  client::LeaderElector same(tc.admin(), cfg);
  lease = tc.Get(refs::kLeases, "kube-system", "test-lease");
  json::SetString(lease["spec"], "holderIdentity", "ghost", lease.GetAllocator());
  REQUIRE(tc.admin().Update(refs::kLeases, "kube-system", lease).ok());
  started = std::chrono::steady_clock::now();
  same.Start();
  REQUIRE(Eventually([&] { return same.IsLeader(); }, 5s));
  CHECK(std::chrono::steady_clock::now() - started < 900ms);
}

TEST_CASE("without renewals the lease is taken once and not written again", "[leader]") {
  TestCluster tc;
  std::atomic<int> leading{0};
  auto cfg = FastElection("solo", &leading);
  cfg.renew = false;
  client::LeaderElector solo(tc.admin(), cfg);
  solo.Start();
  REQUIRE(Eventually([&] { return solo.IsLeader(); }));
  std::string rv = json::GetString(tc.Get(refs::kLeases, "kube-system", "test-lease"),
                                   {"metadata", "resourceVersion"});
  std::this_thread::sleep_for(1500ms);
  CHECK(solo.IsLeader());
  CHECK(json::GetString(tc.Get(refs::kLeases, "kube-system", "test-lease"),
                        {"metadata", "resourceVersion"}) == rv);
}

TEST_CASE("events are recorded, repeats counted, floods dropped", "[events]") {
  TestCluster tc;
  auto pod = tc.Create(refs::kPods, R"(
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default}
spec: {containers: [{name: c, image: busybox}]}
)");
  client::EventRecorder rec(tc.admin(), "test-controller", "node-a");
  rec.Record(pod, "Normal", "Scheduled", "Successfully assigned default/web to node-a");
  rec.Record(pod, "Normal", "Scheduled", "Successfully assigned default/web to node-a");
  rec.Record(pod, "Warning", "BackOff", "Back-off restarting failed container",
             "spec.containers{c}");
  rec.FlushForTest();
  auto events = tc.List(refs::kEvents, "default");
  REQUIRE(events.size() == 2);
  for (auto& e : events) {
    CHECK(json::GetString(e, {"involvedObject", "name"}) == "web");
    CHECK(json::GetString(e, {"involvedObject", "kind"}) == "Pod");
    CHECK(json::GetString(e, {"involvedObject", "uid"}) ==
          json::GetString(pod, {"metadata", "uid"}));
    CHECK(json::GetString(e, {"source", "component"}) == "test-controller");
    CHECK(json::GetString(e, {"source", "host"}) == "node-a");
    if (json::GetString(e, {"reason"}) == "Scheduled") {
      CHECK(json::GetInt(e, {"count"}) == 2);
      CHECK(json::GetString(e, {"type"}) == "Normal");
    } else {
      CHECK(json::GetString(e, {"involvedObject", "fieldPath"}) == "spec.containers{c}");
      CHECK(json::GetInt(e, {"count"}) == 1);
    }
  }
  // Cluster-scoped objects' events go to "default".
  auto node = tc.Create(refs::kNodes, "apiVersion: v1\nkind: Node\nmetadata: {name: node-a}\n");
  rec.Record(node, "Normal", "RegisteredNode", "Node node-a event: Registered Node node-a");
  // A flood about one object: past the burst of 25, the rest are dropped.
  for (int i = 0; i < 40; ++i) rec.Record(node, "Normal", "Flood", "message " + std::to_string(i));
  rec.FlushForTest();
  CHECK(rec.dropped() >= 14);
  size_t about_node = 0;
  for (auto& e : tc.List(refs::kEvents, "default"))
    if (json::GetString(e, {"involvedObject", "name"}) == "node-a") ++about_node;
  CHECK(about_node == 25);
}

}  // namespace cluster::testing

namespace cluster::testing {

TEST_CASE("a metadata-only informer caches PartialObjectMetadata from list and watch",
          "[informer]") {
  TestCluster tc;
  tc.Create(refs::kConfigMaps, ConfigMap("listed"));
  client::InformerOptions o;
  o.resource = refs::kConfigMaps;
  o.metadata_only = true;
  client::Informer inf(tc.admin(), o);
  inf.Start();
  REQUIRE(inf.WaitForSync(std::chrono::steady_clock::now() + 10s));
  tc.Create(refs::kConfigMaps, ConfigMap("watched"));
  REQUIRE(Eventually([&] { return inf.Get("default/watched") != nullptr; }));
  for (const char* key : {"default/listed", "default/watched"}) {
    auto obj = inf.Get(key);
    REQUIRE(obj);
    CHECK(json::GetString(*obj, {"kind"}) == "PartialObjectMetadata");
    CHECK(json::GetString(*obj, {"apiVersion"}) == "meta.k8s.io/v1");
    CHECK_FALSE(json::GetString(*obj, {"metadata", "uid"}).empty());
    CHECK(json::Find(*obj, {"data"}) == nullptr);
  }
}

}  // namespace cluster::testing
