// A cpp-httplib TaskQueue that runs each accepted connection on its own thread, up to a cap.
//
// cpp-httplib keeps a connection on one task for its whole keep-alive life, and a watch is a
// response that never ends, so a fixed pool of N threads stalls every other client once N
// watches are open. Here a connection costs one thread with a small stack (threads are
// created on demand and exit when their connection closes); above `max_threads` connections
// wait in a FIFO until a thread frees up.
//
// Thread-safe. shutdown() waits for running connections to finish (the caller must have
// stopped the server and ended long-lived responses first).
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace cluster::server {

class ConnectionTaskQueue : public httplib::TaskQueue {
 public:
  explicit ConnectionTaskQueue(size_t max_threads, size_t stack_bytes = 512 * 1024)
      : max_threads_(max_threads), stack_bytes_(stack_bytes) {}
  ~ConnectionTaskQueue() override { shutdown(); }

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

  size_t running() const;

  // Shared with the connection threads, which may outlive the queue after a shutdown timeout.
  struct State {
    mutable std::mutex mu;
    std::condition_variable idle_cv;
    size_t running = 0;                        // guarded by mu
    std::deque<std::function<void()>> pending; // guarded by mu
    bool shutdown = false;                     // guarded by mu
  };

 private:
  const size_t max_threads_;
  const size_t stack_bytes_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace cluster::server
