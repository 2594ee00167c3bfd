// namespace-controller: when a Namespace is being deleted, deletes everything in it (every
// namespaced resource of the table), waits until it is empty, then removes the "kubernetes"
// finalizer through namespaces/finalize so the apiserver removes the Namespace.
//
// Level-triggered over the Namespace informer: a terminating namespace is looked at again
// every half second until it is gone. Runs on the controller runner.
#pragma once

#include <memory>

#include "client/controller.h"

namespace cluster::server {

class NamespaceController : public client::Controller {
 public:
  explicit NamespaceController(client::ControllerContext ctx);
  Status Sync(const std::string& name) override;

 private:
  std::shared_ptr<client::Informer> namespaces_;
};

}  // namespace cluster::server
