// `cluster kubectl ARGS`: runs the system kubectl with KUBECONFIG pointing at the admin
// kubeconfig the server wrote, unless the user set KUBECONFIG. Returns only on failure.
#pragma once

#include <string>
#include <vector>

namespace cluster::client {

// Replaces the process with kubectl; returns an exit code (and prints one line) when kubectl
// cannot be started.
int ExecKubectl(const std::vector<std::string>& args, const std::string& default_kubeconfig);

}  // namespace cluster::client
