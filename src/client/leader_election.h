// Lease-based leader election, as client-go's leaderelection with a LeaseLock: candidates race
// to write their identity into a coordination.k8s.io/v1 Lease; the holder renews it every
// retry_period and stays leader while renewals succeed within renew_deadline; others take it
// over once it has not changed for lease_duration (measured on their own clock from when they
// last saw it change, so clock skew between servers does not matter). On Stop() a leader
// releases the Lease so a successor need not wait.
//
// A candidate whose identity already holds the Lease (the same server restarted) takes it at
// once. With `renew` false the Lease is taken and then held without renewals, and kept on Stop():
// for a store that only one server can open (SQLite), where nobody can compete and renewing
// would only write to disk every two seconds; a restart then writes nothing.
//
// Callbacks run on one callback thread, in order (started, stopped, started, ...), never on the
// renewal thread, so a slow start does not delay renewals. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "client/client.h"

namespace cluster::client {

struct LeaderElectionConfig {
  std::string ns = "kube-system";
  std::string name;      // the Lease: "cluster-controller-manager"
  std::string identity;  // this candidate: "<host>_<id>"
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  bool renew = true;
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
};

class LeaderElector {
 public:
  LeaderElector(Client client, LeaderElectionConfig config);
  ~LeaderElector();  // Stop()s

  void Start();
  // Stops campaigning; a leader calls on_stopped_leading and releases the Lease.
  void Stop();
  bool IsLeader() const { return leader_.load(); }
  const LeaderElectionConfig& config() const { return cfg_; }

 private:
  void Run();
  void CallbackLoop();
  void Post(bool started);
  // One attempt: true when this candidate holds the Lease afterwards.
  bool TryAcquireOrRenew();
  void Release();
  bool SleepFor(std::chrono::milliseconds d);

  Client client_;
  const LeaderElectionConfig cfg_;
  std::atomic<bool> leader_{false};

  // What we last saw in the Lease, and when (our clock) it last changed.
  std::string observed_holder_;
  std::string observed_renew_;
  int64_t observed_duration_s_ = 0;
  std::chrono::steady_clock::time_point observed_at_{};

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;       // GUARDED_BY(mu_): ends the renewal loop
  bool closing_ = false;        // GUARDED_BY(mu_): ends the callback loop once drained
  std::deque<bool> callbacks_;  // GUARDED_BY(mu_): true = started
  std::thread thread_;
  std::thread callback_thread_;
};

}  // namespace cluster::client
