#include "client/kubectl_exec.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cluster::client {

int ExecKubectl(const std::vector<std::string>& args, const std::string& default_kubeconfig) {
  const char* set = getenv("KUBECONFIG");
  if (set == nullptr || *set == '\0') setenv("KUBECONFIG", default_kubeconfig.c_str(), 1);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>("kubectl"));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execvp("kubectl", argv.data());
  if (errno == ENOENT) {
    fprintf(stderr,
            "cluster kubectl: kubectl is not installed; install kubectl v1.32 (for example the "
            "kubernetes-client package or the upstream binary) and put it on the PATH\n");
    return 127;
  }
  fprintf(stderr, "cluster kubectl: cannot run kubectl: %s\n", strerror(errno));
  return 126;
}

}  // namespace cluster::client
