// Every kubectl a user may have (1.27 to 1.33, installed beside the resolved `kubectl` as
// kubectl.1.NN) runs the same scenario against one server: discovery (aggregated v2beta1 for
// 1.27-1.29, v2 later), reads, client-side and server-side apply, explain, auth, label, patch,
// watch, dry-run and delete.
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "kubectl_helpers.h"

namespace cluster::e2e {
namespace {

// The directory of the real kubectl (the PATH's `kubectl` may be a dispatcher or a link).
std::string KubectlDir() {
  const char* path = getenv("PATH");
  std::string p = path ? path : "";
  size_t start = 0;
  while (start <= p.size()) {
    size_t colon = p.find(':', start);
    std::string dir =
        p.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    std::string candidate = dir + "/kubectl";
    char resolved[PATH_MAX];
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0 &&
        realpath(candidate.c_str(), resolved) != nullptr)
      return std::filesystem::path(resolved).parent_path().string();
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return "";
}

struct Versioned {
  std::string binary;
  CommandResult Run(const std::vector<std::string>& args, const std::string& in = "",
                    std::chrono::milliseconds timeout = 60s) const {
    std::vector<std::string> argv = {binary};
    argv.insert(argv.end(), args.begin(), args.end());
    return e2e::Run(argv, {{"KUBECONFIG", Server().kubeconfig()}}, in, timeout);
  }
  std::string Ok(const std::vector<std::string>& args, const std::string& in = "") const {
    CommandResult r = Run(args, in);
    INFO(binary << " " << args[0] << " " << (args.size() > 1 ? args[1] : "") << ": " << r.err
                << r.out);
    REQUIRE(r.exit_code == 0);
    return r.out + r.err;
  }
};

void Scenario(const Versioned& k, const std::string& minor) {
  const std::string ns = "skew-" + minor;
  INFO("kubectl 1." << minor);
  CHECK(Contains(k.Ok({"create", "namespace", ns}), "namespace/" + ns + " created"));
  CHECK(Contains(k.Ok({"get", "ns"}), ns));
  CHECK(Contains(k.Ok({"get", "all", "-A"}), "service/kubernetes"));
  std::string resources = k.Ok({"api-resources"});
  CHECK(Contains(resources, "deployments"));
  CHECK(Contains(resources, "configmaps"));
  CHECK(Contains(k.Ok({"create", "deployment", "web", "--image=nginx", "-n", ns}),
                 "deployment.apps/web created"));

  // Client-side apply (the last-applied-configuration annotation), twice.
  std::string cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: " + ns +
                   "\ndata:\n  a: \"1\"\n";
  CHECK(Contains(k.Ok({"apply", "-f", "-"}, cm), "configmap/cfg created"));
  std::string changed = cm + "  b: \"2\"\n";
  CHECK(Contains(k.Ok({"apply", "-f", "-"}, changed), "configmap/cfg configured"));
  CHECK(Contains(k.Ok({"get", "cm", "cfg", "-n", ns, "-o", "yaml"}),
                 "kubectl.kubernetes.io/last-applied-configuration"));
  std::string ssa = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: " + ns +
                    "\ndata:\n  a: \"1\"\n";
  CHECK(Contains(k.Ok({"apply", "--server-side", "-f", "-"}, ssa),
                 "configmap/ssa serverside-applied"));

  CHECK(Contains(k.Ok({"explain", "pods.spec.containers.image"}), "Container image name"));
  CHECK(Contains(k.Ok({"auth", "can-i", "list", "pods", "-n", ns}), "yes"));
  CHECK(Contains(k.Ok({"label", "cm", "cfg", "tier=web", "-n", ns}), "configmap/cfg labeled"));
  CHECK(Contains(k.Ok({"patch", "cm", "cfg", "-n", ns, "-p", R"({"data":{"x":"y"}})"}),
                 "configmap/cfg patched"));
  CHECK(Contains(k.Ok({"get", "cm", "-n", ns, "-o", "name"}), "configmap/cfg"));
  CHECK(Contains(k.Ok({"get", "cm", "-n", ns, "-l", "tier=web"}), "cfg"));

  // Server-side dry run: answered as created, nothing stored.
  CHECK(Contains(
      k.Ok({"create", "configmap", "dry", "--from-literal=a=b", "-n", ns, "--dry-run=server"}),
      "configmap/dry created (server dry run)"));
  CHECK(k.Run({"get", "cm", "dry", "-n", ns}).exit_code != 0);

  // A watch sees an update made while it runs.
  std::atomic<bool> done{false};
  CommandResult watched;
  std::thread watcher([&] {
    watched = k.Run({"get", "cm", "cfg", "-n", ns, "-w", "--output-watch-events"}, "", 3s);
    done = true;
  });
  for (int i = 0; !done && i < 60; ++i) {
    std::this_thread::sleep_for(150ms);
    k.Run({"label", "cm", "cfg", "-n", ns, "--overwrite", "round=" + std::to_string(i)});
  }
  watcher.join();
  INFO("watch output: " << watched.out << watched.err);
  CHECK(Contains(watched.out, "MODIFIED"));

  CHECK(Contains(k.Ok({"delete", "cm", "cfg", "-n", ns}), "configmap \"cfg\" deleted"));
  CHECK(k.Run({"get", "cm", "cfg", "-n", ns}).exit_code != 0);
}

}  // namespace

TEST_CASE("kubectl 1.27 through 1.33 all work") {
  std::string dir = KubectlDir();
  REQUIRE_FALSE(dir.empty());
  for (int minor = 27; minor <= 33; ++minor) {
    std::string bin = dir + "/kubectl.1." + std::to_string(minor);
    INFO(bin);
    REQUIRE(access(bin.c_str(), X_OK) == 0);
    Scenario(Versioned{bin}, std::to_string(minor));
  }
}

}  // namespace cluster::e2e
