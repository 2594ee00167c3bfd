#include "client/leader_election.h"

#include "common/ids.h"
#include "common/log.h"

namespace cluster::client {
namespace {

constexpr const char* kLog = "leader-election";
const ResourceRef kLeases{"coordination.k8s.io", "v1", "leases", ""};

json::Document NewLease(const LeaderElectionConfig& cfg) {
  json::Document d;
  d.SetObject();
  auto& a = d.GetAllocator();
  json::SetString(d, "apiVersion", "coordination.k8s.io/v1", a);
  json::SetString(d, "kind", "Lease", a);
  json::Value& meta = json::EnsureObject(d, {"metadata"}, a);
  json::SetString(meta, "name", cfg.name, a);
  json::SetString(meta, "namespace", cfg.ns, a);
  return d;
}

}  // namespace

LeaderElector::LeaderElector(Client client, LeaderElectionConfig config)
    : client_(std::move(client)), cfg_(std::move(config)) {}

LeaderElector::~LeaderElector() { Stop(); }

void LeaderElector::Start() {
  if (thread_.joinable()) return;
  callback_thread_ = std::thread([this] { CallbackLoop(); });
  thread_ = std::thread([this] { Run(); });
}

void LeaderElector::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  const bool was_leader = leader_.exchange(false);
  if (was_leader) Post(false);
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
    cv_.notify_all();
  }
  // Drains the callbacks (the owner has stopped its work) before a successor may take over.
  if (callback_thread_.joinable()) callback_thread_.join();
  // Without renewals nobody can compete (one server per store): keep the Lease, so a restart
  // writes nothing.
  if (was_leader && cfg_.renew) Release();
}

bool LeaderElector::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stopping_; });
}

void LeaderElector::Post(bool started) {
  std::lock_guard<std::mutex> lock(mu_);
  callbacks_.push_back(started);
  cv_.notify_all();
}

void LeaderElector::CallbackLoop() {
  bool told_started = false;  // what the owner was last told
  for (;;) {
    bool started;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return !callbacks_.empty() || closing_; });
      if (callbacks_.empty()) return;
      started = callbacks_.front();
      callbacks_.pop_front();
    }
    if (started == told_started) continue;
    told_started = started;
    try {
      if (started && cfg_.on_started_leading) cfg_.on_started_leading();
      if (!started && cfg_.on_stopped_leading) cfg_.on_stopped_leading();
    } catch (const std::exception& e) {
      LOG_ERROR(kLog) << cfg_.name << ": leadership callback threw: " << e.what();
    }
  }
}

void LeaderElector::Run() {
  auto last_renew = std::chrono::steady_clock::now();
  bool announced_wait = false;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    bool held = false;
    if (!leader_ || cfg_.renew) {
      held = TryAcquireOrRenew();
    } else {
      held = true;  // holding without renewals
    }
    auto now = std::chrono::steady_clock::now();
    if (held) {
      last_renew = now;
      if (!leader_.exchange(true)) {
        LOG_INFO(kLog) << "became leader of " << cfg_.ns << "/" << cfg_.name << " as "
                       << cfg_.identity;
        Post(true);
      }
      announced_wait = false;
    } else if (leader_ && now - last_renew > cfg_.renew_deadline) {
      LOG_WARN(kLog) << "lost the lease " << cfg_.ns << "/" << cfg_.name << ": not renewed within "
                     << cfg_.renew_deadline.count() << "ms";
      leader_ = false;
      Post(false);
    } else if (!leader_ && !announced_wait) {
      LOG_INFO(kLog) << "waiting for " << cfg_.ns << "/" << cfg_.name << ", held by "
                     << observed_holder_;
      announced_wait = true;
    }
    // A holder without renewals has nothing to do until stopped.
    auto wait = (leader_ && !cfg_.renew) ? std::chrono::hours(24) : cfg_.retry_period;
    if (!SleepFor(std::chrono::duration_cast<std::chrono::milliseconds>(wait))) return;
  }
}

bool LeaderElector::TryAcquireOrRenew() {
  const std::string now_text = NowRfc3339Micro();
  const int64_t duration_s = std::max<int64_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(cfg_.lease_duration).count());
  auto current = client_.Get(kLeases, cfg_.ns, cfg_.name);
  if (!current.ok()) {
    if (current.status().code() != Code::kNotFound) {
      LOG_V(1, kLog) << cfg_.name << ": " << current.status().ToString();
      return false;
    }
    json::Document lease = NewLease(cfg_);
    auto& a = lease.GetAllocator();
    json::Value& spec = json::EnsureObject(lease, {"spec"}, a);
    json::SetString(spec, "holderIdentity", cfg_.identity, a);
    json::SetInt(spec, "leaseDurationSeconds", duration_s, a);
    json::SetString(spec, "acquireTime", now_text, a);
    json::SetString(spec, "renewTime", now_text, a);
    json::SetInt(spec, "leaseTransitions", 0, a);
    auto created = client_.Create(kLeases, cfg_.ns, lease);
    if (!created.ok()) return false;
    observed_holder_ = cfg_.identity;
    observed_renew_ = now_text;
    observed_at_ = std::chrono::steady_clock::now();
    return true;
  }
  json::Document& lease = *current;
  std::string holder = json::GetString(lease, {"spec", "holderIdentity"});
  std::string renew = json::GetString(lease, {"spec", "renewTime"});
  int64_t lease_s = json::GetInt(lease, {"spec", "leaseDurationSeconds"}, duration_s);
  auto now = std::chrono::steady_clock::now();
  if (holder != observed_holder_ || renew != observed_renew_ || lease_s != observed_duration_s_) {
    observed_holder_ = holder;
    observed_renew_ = renew;
    observed_duration_s_ = lease_s;
    observed_at_ = now;
  }
  const bool mine = holder == cfg_.identity;
  if (!mine && !holder.empty() && observed_at_ + std::chrono::seconds(lease_s) > now) {
    return false;  // someone else holds a live lease
  }
  if (mine && !cfg_.renew) return true;  // held without renewals: nothing to write
  auto& a = lease.GetAllocator();
  json::Value& spec = json::EnsureObject(lease, {"spec"}, a);
  if (!mine) {
    json::SetString(spec, "acquireTime", now_text, a);
    json::SetInt(spec, "leaseTransitions",
                 json::GetInt(spec, {"leaseTransitions"}) + (holder.empty() ? 0 : 1), a);
  } else if (!spec.HasMember("acquireTime")) {
    json::SetString(spec, "acquireTime", now_text, a);
  }
  json::SetString(spec, "holderIdentity", cfg_.identity, a);
  json::SetInt(spec, "leaseDurationSeconds", duration_s, a);
  json::SetString(spec, "renewTime", now_text, a);
  auto updated = client_.Update(kLeases, cfg_.ns, lease);
  if (!updated.ok()) {
    LOG_V(1, kLog) << cfg_.name << ": " << updated.status().ToString();
    return false;
  }
  observed_holder_ = cfg_.identity;
  observed_renew_ = now_text;
  observed_duration_s_ = duration_s;
  observed_at_ = now;
  return true;
}

void LeaderElector::Release() {
  auto current = client_.Get(kLeases, cfg_.ns, cfg_.name);
  if (!current.ok()) return;
  json::Document& lease = *current;
  if (json::GetString(lease, {"spec", "holderIdentity"}) != cfg_.identity) return;
  auto& a = lease.GetAllocator();
  json::Value& spec = json::EnsureObject(lease, {"spec"}, a);
  // As client-go's ReleaseOnCancel: no holder, a one-second lease.
  json::SetString(spec, "holderIdentity", "", a);
  json::SetInt(spec, "leaseDurationSeconds", 1, a);
  json::SetString(spec, "renewTime", NowRfc3339Micro(), a);
  auto updated = client_.Update(kLeases, cfg_.ns, lease);
  if (!updated.ok()) {
    LOG_V(1, kLog) << cfg_.name << ": release: " << updated.status().ToString();
  }
}

}  // namespace cluster::client
