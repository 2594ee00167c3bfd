// The controller manager inside `cluster server` (kube-controller-manager's role): the table of
// every controller we run, with upstream's names, legacy aliases and default state, chosen by
// --controllers; they run on one ControllerRunner over the shared informer factory, only while
// this server holds the Lease kube-system/cluster-controller-manager.
//
// Start/Stop from one thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/controller.h"
#include "client/event_recorder.h"
#include "client/leader_election.h"

namespace cluster::server {

// Settings the controllers read (kube-controller-manager flag names in comments).
struct ControllerManagerOptions {
  client::ControllerSelection selection;                       // --controllers
  std::string ca_pem;                                          // published as kube-root-ca.crt
  std::string cluster_cidr = "10.42.0.0/16";                   // --cluster-cidr
  int node_cidr_mask_size = 24;                                // --node-cidr-mask-size
  std::chrono::milliseconds node_monitor_period{5000};         // --node-monitor-period
  std::chrono::milliseconds node_monitor_grace_period{40000};  // --node-monitor-grace-period
  std::chrono::milliseconds node_startup_grace_period{60000};  // --node-startup-grace-period
  int terminated_pod_gc_threshold = 12500;                     // --terminated-pod-gc-threshold
  int concurrent_syncs = 5;            // --concurrent-*-syncs (one value for all)
  std::string data_dir;                // local-path storage lives under DATA_DIR/storage
  bool disable_local_storage = false;  // --disable=local-storage
  // Leader election (--leader-elect-*). `renew` false: hold the lease without renewing (the
  // SQLite store admits one server only).
  std::string identity;
  bool leader_elect_renew = true;
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
};

// One row of the table: how to build a controller.
struct ControllerDescriptor {
  std::string name;                  // "replicaset-controller"
  std::vector<std::string> aliases;  // {"replicaset"}
  bool on_by_default = true;
  std::function<std::unique_ptr<client::Controller>(client::ControllerContext,
                                                    const ControllerManagerOptions&)>
      build;
};

// Every controller we can run, in start order.
const std::vector<ControllerDescriptor>& KnownControllers();
// Checks --controllers: every name must be "*", known, or "-known" (kInvalid naming the first
// unknown one, as upstream refuses them).
Status ValidateSelection(const client::ControllerSelection& sel);

class ControllerManager {
 public:
  ControllerManager(client::Client client, client::SharedInformerFactory* informers,
                    ControllerManagerOptions opts);
  ~ControllerManager();  // Stop()s

  // Campaigns for the Lease; the controllers start once it is held.
  void Start();
  void Stop();
  bool Leading() const;
  // Names of the running controllers (empty when not leading).
  std::vector<std::string> Running() const;

 private:
  void StartControllers();
  void StopControllers();

  client::Client client_;
  client::SharedInformerFactory* informers_;
  const ControllerManagerOptions opts_;
  std::unique_ptr<client::EventRecorder> events_;
  std::unique_ptr<client::LeaderElector> elector_;
  mutable std::mutex mu_;
  std::unique_ptr<client::ControllerRunner> runner_;  // GUARDED_BY(mu_)
};

}  // namespace cluster::server
