// Shared by the kubectl scenarios: one `cluster server` per test program (stopped by PID when
// the program exits) and kubectl run against its admin kubeconfig.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "harness.h"

namespace cluster::e2e {

inline ServerProcess& Server() {
  static ServerProcess server;
  static bool started = [] {
    server.set_ready_probe(ServerProcess::ApiserverReady);
    return server.Start();
  }();
  if (!started) FAIL("server did not start: " << server.last_error());
  return server;
}

inline CommandResult Kubectl(const std::vector<std::string>& args,
                             const std::string& stdin_data = "",
                             std::chrono::milliseconds timeout = 60s) {
  std::vector<std::string> argv = {"kubectl"};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, {{"KUBECONFIG", Server().kubeconfig()}}, stdin_data, timeout);
}

// kubectl that must succeed; returns stdout.
inline std::string Ok(const std::vector<std::string>& args, const std::string& stdin_data = "") {
  CommandResult r = Kubectl(args, stdin_data);
  INFO("kubectl " << args[0] << " ...: " << r.err << r.out);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

// kubectl that must succeed; returns stdout and stderr (where kubectl prints warnings).
inline std::string OkAll(const std::vector<std::string>& args, const std::string& stdin_data = "") {
  CommandResult r = Kubectl(args, stdin_data);
  INFO("kubectl " << args[0] << " ...: " << r.err << r.out);
  REQUIRE(r.exit_code == 0);
  return r.out + r.err;
}

// kubectl that must fail; returns stderr.
inline std::string Fails(const std::vector<std::string>& args, const std::string& stdin_data = "") {
  CommandResult r = Kubectl(args, stdin_data);
  INFO("stdout: " << r.out);
  REQUIRE(r.exit_code != 0);
  return r.err;
}

inline bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace cluster::e2e
