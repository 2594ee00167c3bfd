// The command line: version, --config YAML (k3s-style keys, command line wins), cluster kubectl.
#include <catch2/catch.hpp>
#include <fstream>

#include "harness.h"

using namespace cluster::e2e;

TEST_CASE("cluster version prints the Kubernetes version", "[cli]") {
  CommandResult r = Run({ClusterBinary(), "version"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("v1.32") != std::string::npos);
}

TEST_CASE("unknown flags and unreadable config files fail with one line", "[cli]") {
  CommandResult r = Run({ClusterBinary(), "server", "--no-such-flag"});
  CHECK(r.exit_code != 0);
  CommandResult c = Run({ClusterBinary(), "server", "--config", "/nonexistent/config.yaml"});
  CHECK(c.exit_code == 1);
  CHECK(c.err.find("cannot be read") != std::string::npos);
}

TEST_CASE("--config keys are flag names; the command line wins", "[cli]") {
  TempDir dir("cluster-cli");
  std::string config = dir.path() + "/config.yaml";
  std::ofstream(config) << "service-cidr: 10.99.0.0/16\n"
                           "https-listen-port: 1\n"  // replaced by the harness's flag
                           "tls-san:\n  - cluster.example\n";
  ServerProcess s({"--config", config});
  s.set_ready_probe(ServerProcess::ApiserverReady);
  REQUIRE(s.Start());
  std::map<std::string, std::string> env = {{"KUBECONFIG", s.kubeconfig()}};
  CommandResult ip =
      Run({"kubectl", "get", "svc", "kubernetes", "-o", "jsonpath={.spec.clusterIP}"}, env);
  CHECK(ip.out == "10.99.0.1");
  // `cluster kubectl` runs kubectl with the given KUBECONFIG.
  CommandResult wrapped =
      Run({ClusterBinary(), "kubectl", "get", "ns", "default", "-o", "name"}, env);
  CHECK(wrapped.exit_code == 0);
  CHECK(wrapped.out.find("namespace/default") != std::string::npos);
}
