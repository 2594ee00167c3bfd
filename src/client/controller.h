// The controller runner every control loop stands on (kube-controller-manager's shape):
// informers from one SharedInformerFactory feed event handlers that enqueue keys, N worker
// threads per controller take keys from a rate-limited WorkQueue and call Sync(key), and a failed
// Sync is retried with per-key exponential backoff. Controllers are level-triggered: Sync reads
// the current state from the informer caches, computes what should be, acts through the client
// and returns an error to be retried; it never trusts the event that woke it.
//
// Lifecycle: a Controller registers its informers and handlers in its constructor (through
// Watch(), so the runner can detach them), the runner starts the factory, waits until every
// informer has synced, then starts the workers. Stop() detaches the handlers, shuts the queues
// down and joins the workers; after it returns the controller may be destroyed.
//
// Thread safety: Sync runs on up to workers() threads at once, never twice for one key at a
// time (the queue guarantees it). Handlers run on informer threads and must only enqueue.
// Exceptions thrown by Sync are caught per key, logged and retried as errors.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/client.h"
#include "client/informer.h"
#include "client/work_queue.h"

namespace cluster::client {

class EventRecorder;

// What every controller is built with.
struct ControllerContext {
  Client client;
  SharedInformerFactory* informers = nullptr;
  EventRecorder* events = nullptr;  // may be null (tests): then no Events are recorded
};

class Controller {
 public:
  Controller(std::string name, ControllerContext ctx, int workers = 1,
             RateLimiterOptions limiter = {});
  virtual ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Reconciles one key (usually "ns/name"). Ok: done, the key's failure count is forgotten.
  // An error: the key is retried after the rate limiter's delay. Codes kConflict (a stale
  // cache) and kUnavailable (waiting on something) are expected and logged only at -v 2.
  virtual Status Sync(const std::string& key) = 0;

  // Called every ResyncPeriod() on the runner's timer thread while running (0: never). For
  // controllers that act on time passing (node lifecycle, cron schedules): enqueue, never block.
  virtual std::chrono::milliseconds ResyncPeriod() const { return std::chrono::milliseconds(0); }
  virtual void Resync() {}

  const std::string& name() const { return name_; }
  int workers() const { return workers_; }
  WorkQueue& queue() { return queue_; }
  const ControllerContext& context() const { return ctx_; }
  Client& client() { return ctx_.client; }
  EventRecorder* events() const { return ctx_.events; }

  // Syncs processed since start, and how many failed (for tests and metrics).
  uint64_t syncs() const { return syncs_.load(); }
  uint64_t failures() const { return failures_.load(); }

 protected:
  // An informer from the shared factory, with `handler` attached until Stop().
  std::shared_ptr<Informer> Watch(const ResourceRef& resource, EventHandler handler,
                                  const std::string& field_selector = "");
  std::shared_ptr<Informer> Watch(const std::shared_ptr<Informer>& informer, EventHandler handler);
  // A handler that enqueues Informer::KeyOf(obj) on every add, update and delete.
  EventHandler EnqueueHandler();
  void Enqueue(const json::Value& obj) { queue_.Add(Informer::KeyOf(obj)); }
  // For a Sync that must look again later without counting as a failure (waiting on something
  // that has no event, such as time passing): queues `key` after `delay` and returns Ok.
  Status RequeueAfter(const std::string& key, std::chrono::milliseconds delay) {
    queue_.AddAfter(key, delay);
    return Status::Ok();
  }

 private:
  friend class ControllerRunner;
  void StartWorkers();
  void StopAndJoin();
  void Work();

  const std::string name_;
  ControllerContext ctx_;
  const int workers_;
  WorkQueue queue_;
  std::vector<std::pair<std::shared_ptr<Informer>, uint64_t>> handlers_;
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> syncs_{0};
  std::atomic<uint64_t> failures_{0};
};

// Runs a set of controllers over one informer factory. Start/Stop from one thread.
class ControllerRunner {
 public:
  explicit ControllerRunner(SharedInformerFactory* informers) : informers_(informers) {}
  ~ControllerRunner();  // Stop()s

  void Add(std::unique_ptr<Controller> c);
  // Starts the factory, waits up to `sync_timeout` for every informer's first list, then
  // starts every controller's workers and the resync timer. kTimeout when the caches did not
  // sync (the workers are started anyway: the informers keep retrying, as upstream).
  Status Start(std::chrono::milliseconds sync_timeout = std::chrono::seconds(60));
  // Stops and destroys the controllers (the factory's informers keep running).
  void Stop();

  std::vector<std::string> Names() const;
  // The running controller called `name`, or null.
  Controller* Find(const std::string& name) const;

 private:
  void Timer();

  SharedInformerFactory* informers_;
  std::vector<std::unique_ptr<Controller>> controllers_;
  std::mutex timer_mu_;
  std::condition_variable timer_cv_;
  bool stopping_ = false;  // GUARDED_BY(timer_mu_)
  std::thread timer_;
};

// --controllers selection with upstream's syntax: "*" enables the ones on by default, "name"
// enables one, "-name" disables one; names are the canonical ones or their legacy aliases.
struct ControllerSelection {
  std::vector<std::string> flags = {"*"};
  // True when `name` (or one of its aliases) is enabled.
  bool Enabled(const std::string& name, const std::vector<std::string>& aliases,
               bool on_by_default = true) const;
};

}  // namespace cluster::client
