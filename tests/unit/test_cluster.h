// Shared by the controller, scheduler and kubelet unit tests: a real apiserver (the REST engine
// over a SQLite store in a temp dir, with its validation and defaulting) reached through the
// in-process client, so components are tested against the real thing, not a mock. Objects are
// written as YAML or JSON literals; Eventually() polls with a deadline instead of sleeping.
#pragma once

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "client/client.h"
#include "client/informer.h"
#include "common/json.h"
#include "common/yaml_json.h"
#include "server/apiserver/apiserver.h"
#include "server/inprocess_transport.h"
#include "store/store.h"

namespace cluster::testing {

using namespace std::chrono_literals;

class TestCluster {
 public:
  explicit TestCluster(server::ApiServerOptions opts = {}) {
    // /dev/shm keeps fsyncs out of the tests' time when it exists.
    std::string base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string tmpl = base + "/cluster_test_XXXXXX";
    char* p = mkdtemp(tmpl.data());
    REQUIRE(p != nullptr);
    dir_ = p;
    auto opened = store::OpenStore("sqlite://" + dir_ + "/state.db");
    REQUIRE(opened.ok());
    store_ = std::move(opened).value();
    api_ = std::make_unique<server::ApiServer>(store_.get(), std::move(opts));
    REQUIRE(api_->Bootstrap().ok());
    client_ = std::make_unique<client::Client>(Client("test-admin", {"system:masters"}));
  }
  ~TestCluster() {
    api_->CancelWatches();
    api_.reset();
    store_->Close();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A client acting as `user` (in `groups`), through the in-process transport.
  client::Client Client(const std::string& user = "test-admin",
                        const std::vector<std::string>& groups = {"system:masters"}) {
    return client::Client(server::NewInProcessTransport(api_.get(), user, groups));
  }
  client::Client& admin() { return *client_; }
  server::ApiServer& api() { return *api_; }

  // Creates an object from YAML (or JSON); fails the test when the server refuses it.
  json::Document Create(const client::ResourceRef& ref, const std::string& yaml) {
    auto obj = YamlToJson(yaml);
    INFO(yaml);
    REQUIRE(obj.ok());
    std::string ns = json::GetString(*obj, {"metadata", "namespace"});
    auto r = client_->Create(ref, ns, *obj);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return std::move(r).value();
  }
  // The object, or a null document when it does not exist.
  json::Document Get(const client::ResourceRef& ref, const std::string& ns,
                     const std::string& name) {
    auto r = client_->Get(ref, ns, name);
    if (!r.ok()) {
      json::Document d;
      return d;
    }
    return std::move(r).value();
  }
  std::vector<json::Document> List(const client::ResourceRef& ref, const std::string& ns = "",
                                   const std::string& label_selector = "") {
    client::ListOptions o;
    o.label_selector = label_selector;
    auto r = client_->List(ref, ns, o);
    REQUIRE(r.ok());
    std::vector<json::Document> out;
    for (auto& item : (*r)["items"].GetArray()) out.push_back(json::Copy(item));
    return out;
  }

 private:
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<server::ApiServer> api_;
  std::unique_ptr<client::Client> client_;
};

// Polls `cond` until it is true or `timeout` passes; returns its last value.
inline bool Eventually(const std::function<bool()>& cond, std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (cond()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

namespace refs {
inline const client::ResourceRef kPods{"", "v1", "pods", ""};
inline const client::ResourceRef kNodes{"", "v1", "nodes", ""};
inline const client::ResourceRef kNamespaces{"", "v1", "namespaces", ""};
inline const client::ResourceRef kServices{"", "v1", "services", ""};
inline const client::ResourceRef kEndpoints{"", "v1", "endpoints", ""};
inline const client::ResourceRef kEvents{"", "v1", "events", ""};
inline const client::ResourceRef kConfigMaps{"", "v1", "configmaps", ""};
inline const client::ResourceRef kSecrets{"", "v1", "secrets", ""};
inline const client::ResourceRef kServiceAccounts{"", "v1", "serviceaccounts", ""};
inline const client::ResourceRef kPvcs{"", "v1", "persistentvolumeclaims", ""};
inline const client::ResourceRef kPvs{"", "v1", "persistentvolumes", ""};
inline const client::ResourceRef kReplicaSets{"apps", "v1", "replicasets", ""};
inline const client::ResourceRef kDeployments{"apps", "v1", "deployments", ""};
inline const client::ResourceRef kDaemonSets{"apps", "v1", "daemonsets", ""};
inline const client::ResourceRef kStatefulSets{"apps", "v1", "statefulsets", ""};
inline const client::ResourceRef kJobs{"batch", "v1", "jobs", ""};
inline const client::ResourceRef kCronJobs{"batch", "v1", "cronjobs", ""};
inline const client::ResourceRef kLeases{"coordination.k8s.io", "v1", "leases", ""};
inline const client::ResourceRef kEndpointSlices{"discovery.k8s.io", "v1", "endpointslices", ""};
}  // namespace refs

}  // namespace cluster::testing
