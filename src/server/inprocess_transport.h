// The in-process client transport: requests go straight to ApiServer::Handle (no HTTP, no TLS)
// as a named internal user, through the same authorization, admission and validation as remote
// requests. Used by the scheduler, the controllers and the local agent inside `cluster server`.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "client/client.h"
#include "server/apiserver/apiserver.h"

namespace cluster::server {

// `user` and `groups` identify the component (e.g. "system:kube-scheduler").
std::shared_ptr<client::Transport> NewInProcessTransport(ApiServer* api, const std::string& user,
                                                         const std::vector<std::string>& groups);

}  // namespace cluster::server
