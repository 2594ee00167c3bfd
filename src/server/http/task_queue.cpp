#include "server/http/task_queue.h"

#include <pthread.h>

#include "common/log.h"

namespace cluster::server {

namespace {

using State = ConnectionTaskQueue::State;

struct Start {
  std::shared_ptr<State> state;
  std::function<void()> fn;
};

void RunLoop(const std::shared_ptr<State>& state, std::function<void()> fn) {
  for (;;) {
    try {
      fn();
    } catch (const std::exception& e) {
      LOG_ERROR("http") << "connection handler threw: " << e.what();
    } catch (...) {
      LOG_ERROR("http") << "connection handler threw";
    }
    fn = nullptr;
    std::lock_guard<std::mutex> lock(state->mu);
    if (state->pending.empty() || state->shutdown) {
      state->pending.clear();
      if (--state->running == 0) state->idle_cv.notify_all();
      return;
    }
    fn = std::move(state->pending.front());
    state->pending.pop_front();
  }
}

void* ThreadMain(void* arg) {
  std::unique_ptr<Start> start(static_cast<Start*>(arg));
  RunLoop(start->state, std::move(start->fn));
  return nullptr;
}

}  // namespace

void ConnectionTaskQueue::enqueue(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->shutdown) return;  // the socket closes when fn (which owns it) is destroyed
    if (state_->running >= max_threads_) {
      state_->pending.push_back(std::move(fn));
      return;
    }
    ++state_->running;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_bytes_);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  auto* start = new Start{state_, std::move(fn)};
  pthread_t tid;
  int rc = pthread_create(&tid, &attr, &ThreadMain, start);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    // Out of threads: serve it on the caller (the accept loop) rather than drop it.
    LOG_WARN("http") << "pthread_create failed (" << rc << "), serving inline";
    std::unique_ptr<Start> owned(start);
    RunLoop(state_, std::move(owned->fn));
  }
}

void ConnectionTaskQueue::shutdown() {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->shutdown = true;
  state_->pending.clear();
  state_->idle_cv.wait_for(lock, std::chrono::seconds(10), [&] { return state_->running == 0; });
}

size_t ConnectionTaskQueue::running() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->running;
}

}  // namespace cluster::server
