#include "client/controller.h"

#include <algorithm>

#include "common/log.h"

namespace cluster::client {

Controller::Controller(std::string name, ControllerContext ctx, int workers,
                       RateLimiterOptions limiter)
    : name_(std::move(name)),
      ctx_(std::move(ctx)),
      workers_(std::max(1, workers)),
      queue_(limiter) {}

Controller::~Controller() { StopAndJoin(); }

std::shared_ptr<Informer> Controller::Watch(const ResourceRef& resource, EventHandler handler,
                                            const std::string& field_selector) {
  return Watch(ctx_.informers->For(resource, "", "", field_selector), std::move(handler));
}

std::shared_ptr<Informer> Controller::Watch(const std::shared_ptr<Informer>& informer,
                                            EventHandler handler) {
  uint64_t id = informer->AddHandler(std::move(handler));
  handlers_.emplace_back(informer, id);
  return informer;
}

EventHandler Controller::EnqueueHandler() {
  EventHandler h;
  h.on_add = [this](const ObjectPtr& obj) { Enqueue(*obj); };
  h.on_update = [this](const ObjectPtr&, const ObjectPtr& obj) { Enqueue(*obj); };
  h.on_delete = [this](const ObjectPtr& obj) { Enqueue(*obj); };
  return h;
}

void Controller::StartWorkers() {
  for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { Work(); });
}

void Controller::StopAndJoin() {
  for (auto& [informer, id] : handlers_) informer->RemoveHandler(id);
  handlers_.clear();
  queue_.ShutDown();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void Controller::Work() {
  std::string key;
  for (;;) {
    if (!queue_.Get(&key, std::chrono::hours(1))) {
      if (queue_.ShuttingDown()) return;
      continue;
    }
    if (queue_.ShuttingDown()) {  // stopping: drop what is left instead of syncing it
      queue_.Done(key);
      continue;
    }
    Status st;
    try {
      st = Sync(key);
    } catch (const std::exception& e) {
      st = Internal(std::string("sync threw: ") + e.what());
    } catch (...) {
      st = Internal("sync threw a non-standard exception");
    }
    syncs_.fetch_add(1, std::memory_order_relaxed);
    if (st.ok()) {
      queue_.Forget(key);
    } else {
      failures_.fetch_add(1, std::memory_order_relaxed);
      if (st.code() == Code::kConflict || st.code() == Code::kUnavailable) {
        LOG_V(2, name_.c_str()) << key << ": " << st.ToString() << " (retrying)";
      } else {
        LOG_WARN(name_.c_str()) << "syncing " << key << ": " << st.ToString();
      }
      queue_.AddRateLimited(key);
    }
    queue_.Done(key);
  }
}

ControllerRunner::~ControllerRunner() { Stop(); }

void ControllerRunner::Add(std::unique_ptr<Controller> c) { controllers_.push_back(std::move(c)); }

Status ControllerRunner::Start(std::chrono::milliseconds sync_timeout) {
  informers_->Start();
  bool synced = informers_->WaitForSync(std::chrono::steady_clock::now() + sync_timeout);
  for (auto& c : controllers_) c->StartWorkers();
  {
    std::lock_guard<std::mutex> lock(timer_mu_);
    stopping_ = false;
  }
  timer_ = std::thread([this] { Timer(); });
  if (!synced) return Status(Code::kTimeout, "informer caches did not sync in time");
  return Status::Ok();
}

void ControllerRunner::Stop() {
  {
    std::lock_guard<std::mutex> lock(timer_mu_);
    stopping_ = true;
    timer_cv_.notify_all();
  }
  if (timer_.joinable()) timer_.join();
  for (auto& c : controllers_) c->StopAndJoin();
  controllers_.clear();
}

std::vector<std::string> ControllerRunner::Names() const {
  std::vector<std::string> out;
  for (const auto& c : controllers_) out.push_back(c->name());
  return out;
}

Controller* ControllerRunner::Find(const std::string& name) const {
  for (const auto& c : controllers_)
    if (c->name() == name) return c.get();
  return nullptr;
}

void ControllerRunner::Timer() {
  using Clock = std::chrono::steady_clock;
  std::vector<Clock::time_point> next(controllers_.size(), Clock::time_point::max());
  auto now = Clock::now();
  for (size_t i = 0; i < controllers_.size(); ++i) {
    auto p = controllers_[i]->ResyncPeriod();
    if (p.count() > 0) next[i] = now + p;
  }
  std::unique_lock<std::mutex> lock(timer_mu_);
  while (!stopping_) {
    auto wake =
        next.empty() ? Clock::time_point::max() : *std::min_element(next.begin(), next.end());
    if (wake == Clock::time_point::max()) {
      timer_cv_.wait(lock, [this] { return stopping_; });
      break;
    }
    timer_cv_.wait_until(lock, wake, [this] { return stopping_; });
    if (stopping_) break;
    now = Clock::now();
    for (size_t i = 0; i < controllers_.size(); ++i) {
      if (next[i] > now) continue;
      lock.unlock();
      try {
        controllers_[i]->Resync();
      } catch (const std::exception& e) {
        LOG_ERROR(controllers_[i]->name().c_str()) << "resync threw: " << e.what();
      }
      lock.lock();
      next[i] = now + controllers_[i]->ResyncPeriod();
    }
  }
}

bool ControllerSelection::Enabled(const std::string& name, const std::vector<std::string>& aliases,
                                  bool on_by_default) const {
  auto is_me = [&](const std::string& s) {
    return s == name || std::find(aliases.begin(), aliases.end(), s) != aliases.end();
  };
  bool star = false;
  for (const auto& f : flags) {
    if (!f.empty() && f[0] == '-' && is_me(f.substr(1))) return false;
  }
  for (const auto& f : flags) {
    if (is_me(f)) return true;
    if (f == "*") star = true;
  }
  return star && on_by_default;
}

}  // namespace cluster::client
