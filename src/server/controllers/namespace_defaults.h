// Objects every namespace has, kept there by small controllers as in kube-controller-manager:
// - serviceaccount-controller: the "default" ServiceAccount (re-created when deleted);
// - root-ca-cert-publisher: the ConfigMap "kube-root-ca.crt" holding the cluster CA (ca.crt),
//   re-created when deleted and put back when edited.
// One generic controller does both: informers on Namespaces and on the object's resource, a
// work queue of namespace names, and a sync that creates (or restores) the object in every
// namespace that is not terminating. Runs on the controller runner.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "client/controller.h"

namespace cluster::server {

class NamespaceDefaultController : public client::Controller {
 public:
  struct Spec {
    std::string component;    // the controller's name: "serviceaccount-controller"
    client::ResourceRef ref;  // what it keeps: {"", "v1", "serviceaccounts", ""}
    std::string name;         // its name in every namespace: "default"
    // The object as it must be created in `ns` (JSON).
    std::function<json::Document(const std::string& ns)> desired;
    // When set, an existing object is put back if this says it drifted.
    std::function<bool(const json::Value& current, const json::Value& desired)> drifted;
  };

  NamespaceDefaultController(client::ControllerContext ctx, Spec spec);
  // Keys are namespace names.
  Status Sync(const std::string& ns) override;

 private:
  Spec spec_;
  std::shared_ptr<client::Informer> namespaces_;
  std::shared_ptr<client::Informer> objects_;
};

// The two instances kube-controller-manager runs.
NamespaceDefaultController::Spec DefaultServiceAccountSpec();
NamespaceDefaultController::Spec RootCaConfigMapSpec(std::string ca_pem);

}  // namespace cluster::server
