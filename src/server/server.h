// `cluster server`: starts the control plane in named steps, each gated on the previous one
// being ready (store → etcd API → apiserver → scheduler/controllers/agent), then runs until
// SIGINT/SIGTERM. Returns the process exit code; a failed step logs which step and why.
#pragma once

#include "server/config.h"

namespace cluster::server {

int RunServer(const ServerConfig& config);

}  // namespace cluster::server
