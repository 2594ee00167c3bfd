// The namespace controller: when a Namespace is being deleted, deletes everything in it (every
// namespaced resource of the table), waits until it is empty, then removes the "kubernetes"
// finalizer through namespaces/finalize so the apiserver removes the Namespace.
//
// Level-triggered: it watches Namespaces through the shared informer and re-checks each
// terminating namespace until it is gone. Start/Stop from one thread; internally one worker.
#pragma once

#include <memory>
#include <thread>

#include "client/client.h"
#include "client/informer.h"
#include "client/work_queue.h"

namespace cluster::server {

class NamespaceController {
 public:
  NamespaceController(client::Client client, client::SharedInformerFactory* factory);
  ~NamespaceController();
  void Start();
  void Stop();

 private:
  void Work();
  // Ok when done with this namespace for now; kUnavailable (retry) when content remains.
  Status Sync(const std::string& name);

  client::Client client_;
  std::shared_ptr<client::Informer> namespaces_;
  client::WorkQueue queue_;
  std::thread worker_;
};

}  // namespace cluster::server
