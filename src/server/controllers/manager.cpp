#include "server/controllers/manager.h"

#include <algorithm>

#include "common/log.h"
#include "server/controllers/namespace_controller.h"
#include "server/controllers/namespace_defaults.h"

namespace cluster::server {
namespace {

const char* kLog = "controller-manager";

template <typename T>
ControllerDescriptor Row(std::string name, std::vector<std::string> aliases) {
  return {std::move(name), std::move(aliases), true,
          [](client::ControllerContext ctx, const ControllerManagerOptions&) {
            return std::unique_ptr<client::Controller>(new T(std::move(ctx)));
          }};
}

}  // namespace

const std::vector<ControllerDescriptor>& KnownControllers() {
  static const std::vector<ControllerDescriptor> kAll = [] {
    std::vector<ControllerDescriptor> v;
    v.push_back(Row<NamespaceController>("namespace-controller", {"namespace"}));
    v.push_back({"serviceaccount-controller",
                 {"serviceaccount"},
                 true,
                 [](client::ControllerContext ctx, const ControllerManagerOptions&) {
                   return std::unique_ptr<client::Controller>(
                       new NamespaceDefaultController(std::move(ctx), DefaultServiceAccountSpec()));
                 }});
    v.push_back({"root-ca-certificate-publisher-controller",
                 {"root-ca-cert-publisher"},
                 true,
                 [](client::ControllerContext ctx, const ControllerManagerOptions& o) {
                   return std::unique_ptr<client::Controller>(new NamespaceDefaultController(
                       std::move(ctx), RootCaConfigMapSpec(o.ca_pem)));
                 }});
    return v;
  }();
  return kAll;
}

Status ValidateSelection(const client::ControllerSelection& sel) {
  for (const auto& f : sel.flags) {
    std::string name = (!f.empty() && f[0] == '-') ? f.substr(1) : f;
    if (name == "*") continue;
    bool known = false;
    for (const auto& d : KnownControllers()) {
      if (d.name == name ||
          std::find(d.aliases.begin(), d.aliases.end(), name) != d.aliases.end()) {
        known = true;
      }
    }
    if (!known) return Invalid("--controllers: \"" + name + "\" is not a known controller");
  }
  return Status::Ok();
}

ControllerManager::ControllerManager(client::Client client,
                                     client::SharedInformerFactory* informers,
                                     ControllerManagerOptions opts)
    : client_(std::move(client)), informers_(informers), opts_(std::move(opts)) {}

ControllerManager::~ControllerManager() { Stop(); }

void ControllerManager::Start() {
  events_ = std::make_unique<client::EventRecorder>(client_, "kube-controller-manager");
  client::LeaderElectionConfig le;
  le.name = "cluster-controller-manager";
  le.identity = opts_.identity;
  le.renew = opts_.leader_elect_renew;
  le.lease_duration = opts_.lease_duration;
  le.renew_deadline = opts_.renew_deadline;
  le.retry_period = opts_.retry_period;
  le.on_started_leading = [this] { StartControllers(); };
  le.on_stopped_leading = [this] { StopControllers(); };
  elector_ = std::make_unique<client::LeaderElector>(client_, le);
  elector_->Start();
}

void ControllerManager::Stop() {
  if (elector_) elector_->Stop();  // stops the controllers through the callback
  elector_.reset();
  events_.reset();
}

bool ControllerManager::Leading() const { return elector_ && elector_->IsLeader(); }

std::vector<std::string> ControllerManager::Running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return runner_ ? runner_->Names() : std::vector<std::string>{};
}

void ControllerManager::StartControllers() {
  auto runner = std::make_unique<client::ControllerRunner>(informers_);
  client::ControllerContext ctx{client_, informers_, events_.get()};
  for (const auto& d : KnownControllers()) {
    if (!opts_.selection.Enabled(d.name, d.aliases, d.on_by_default)) continue;
    runner->Add(d.build(ctx, opts_));
  }
  Status st = runner->Start();
  if (!st.ok()) LOG_WARN(kLog) << st.ToString();
  LOG_INFO(kLog) << "started " << runner->Names().size() << " controllers";
  std::lock_guard<std::mutex> lock(mu_);
  runner_ = std::move(runner);
}

void ControllerManager::StopControllers() {
  std::unique_ptr<client::ControllerRunner> runner;
  {
    std::lock_guard<std::mutex> lock(mu_);
    runner = std::move(runner_);
  }
  if (runner) runner->Stop();
  LOG_INFO(kLog) << "controllers stopped";
}

}  // namespace cluster::server
