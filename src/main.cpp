// cluster: a Kubernetes distribution in one executable. This file only defines the command
// line (k3s flag names) and hands each subcommand to the function that runs it.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "client/etcdctl.h"
#include "client/kubectl_exec.h"
#include "common/duration.h"
#include "common/log.h"
#include "common/yaml_config.h"
#include "server/config.h"
#include "server/server.h"

#ifndef CLUSTER_VERSION
#define CLUSTER_VERSION "0.0.0"
#endif

namespace {

// Flags whose values need converting after parsing (durations, k3s' pass-through args).
struct ServerFlagText {
  std::string node_monitor_period;
  std::string node_monitor_grace_period;
  std::string node_startup_grace_period;
  std::vector<std::string> controller_manager_args;
};

// Applies the duration flags and `--kube-controller-manager-arg key=value` (as k3s passes flags
// to its embedded kube-controller-manager). One line on stderr and false on a bad value.
bool FinishServerConfig(const ServerFlagText& t, cluster::server::ServerConfig* c) {
  auto& o = c->controller_options;
  std::vector<std::pair<std::string, std::string>> kv = {
      {"node-monitor-period", t.node_monitor_period},
      {"node-monitor-grace-period", t.node_monitor_grace_period},
      {"node-startup-grace-period", t.node_startup_grace_period}};
  for (const auto& arg : t.controller_manager_args) {
    std::string a = arg.rfind("--", 0) == 0 ? arg.substr(2) : arg;
    auto eq = a.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "cluster: --kube-controller-manager-arg %s: want key=value\n",
                   arg.c_str());
      return false;
    }
    kv.emplace_back(a.substr(0, eq), a.substr(eq + 1));
  }
  for (const auto& [key, value] : kv) {
    if (value.empty()) continue;
    std::chrono::milliseconds* dst = nullptr;
    if (key == "node-monitor-period") dst = &o.node_monitor_period;
    if (key == "node-monitor-grace-period") dst = &o.node_monitor_grace_period;
    if (key == "node-startup-grace-period") dst = &o.node_startup_grace_period;
    if (dst != nullptr) {
      auto d = cluster::ParseDuration(value);
      if (!d.ok()) {
        std::fprintf(stderr, "cluster: --%s: %s\n", key.c_str(), d.status().message().c_str());
        return false;
      }
      *dst = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
      continue;
    }
    try {
      if (key == "controllers") {
        o.selection.flags.clear();
        size_t start = 0;
        for (;;) {
          auto comma = value.find(',', start);
          o.selection.flags.push_back(value.substr(start, comma - start));
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
      } else if (key == "terminated-pod-gc-threshold") {
        o.terminated_pod_gc_threshold = std::stoi(value);
      } else if (key == "node-cidr-mask-size") {
        o.node_cidr_mask_size = std::stoi(value);
      } else if (key == "cluster-cidr") {
        c->cluster_cidr = value;
      } else {
        std::fprintf(stderr, "cluster: --kube-controller-manager-arg: unknown flag %s\n",
                     key.c_str());
        return false;
      }
    } catch (const std::exception&) {
      std::fprintf(stderr, "cluster: --%s=%s: not a number\n", key.c_str(), value.c_str());
      return false;
    }
  }
  return true;
}

void AddServerFlags(CLI::App* cmd, cluster::server::ServerConfig* c, ServerFlagText* t) {
  // --config is expanded into flags before parsing (ExpandConfigFile); declared here for --help.
  std::string unused;
  cmd->add_option("--config,-c", unused,
                  "YAML file whose keys are flag names (as k3s config.yaml; default "
                  "/etc/cluster/config.yaml when present)");
  cmd->add_option("--data-dir,-d", c->data_dir, "Folder for state")->capture_default_str();
  cmd->add_option("--bind-address", c->bind_address, "Address the apiserver binds")
      ->capture_default_str();
  cmd->add_option("--https-listen-port", c->https_listen_port, "Apiserver HTTPS port")
      ->capture_default_str();
  cmd->add_option("--tls-san", c->tls_san, "Extra host names or IPs for the serving cert");
  cmd->add_option("--datastore-endpoint", c->datastore_endpoint,
                  "Store URL (default sqlite://DATA_DIR/server/db/state.db)");
  cmd->add_flag("--disable-etcd-api", c->disable_etcd_api, "Do not serve the store's etcd API");
  cmd->add_option("--etcd-listen-client-urls", c->etcd_listen_client_urls,
                  "URLs for the store's etcd API (default https://127.0.0.1:2379)")
      ->delimiter(',');
  cmd->add_option("--write-kubeconfig,-o", c->write_kubeconfig,
                  "Where to write the admin kubeconfig")
      ->capture_default_str();
  cmd->add_option("--write-kubeconfig-mode", c->write_kubeconfig_mode, "Mode of the kubeconfig");
  cmd->add_flag("--disable-agent", c->disable_agent, "Do not run a local node");
  cmd->add_flag("--disable-scheduler", c->disable_scheduler, "Do not run the scheduler");
  cmd->add_flag("--disable-controller-manager", c->disable_controller_manager,
                "Do not run the controllers");
  cmd->add_option("--cluster-cidr", c->cluster_cidr, "Pod network")->capture_default_str();
  cmd->add_option("--service-cidr", c->service_cidr, "Service network")->capture_default_str();
  cmd->add_option("--service-node-port-range", c->service_node_port_range, "NodePort range")
      ->capture_default_str();
  cmd->add_option("--cluster-dns", c->cluster_dns, "Cluster DNS address")->capture_default_str();
  cmd->add_option("--cluster-domain", c->cluster_domain, "Cluster domain")->capture_default_str();
  cmd->add_option("--default-not-ready-toleration-seconds", c->default_not_ready_toleration_seconds)
      ->capture_default_str();
  cmd->add_option("--default-unreachable-toleration-seconds",
                  c->default_unreachable_toleration_seconds)
      ->capture_default_str();
  cmd->add_option("--token,-t", c->token, "Shared secret nodes use to join");
  cmd->add_option("--etcd-compaction-window", c->compact_window_seconds,
                  "Seconds of store history kept (0 disables automatic compaction)")
      ->capture_default_str();
  cmd->add_option("--etcd-compaction-min-revisions", c->compact_keep_revisions,
                  "Revisions of store history always kept")
      ->capture_default_str();
  cmd->add_option("--controllers", c->controller_options.selection.flags,
                  "Controllers to run: * (the default set), NAME, -NAME (upstream names or "
                  "aliases)")
      ->delimiter(',');
  cmd->add_option("--node-monitor-period", t->node_monitor_period,
                  "How often node health is checked (default 5s)");
  cmd->add_option("--node-monitor-grace-period", t->node_monitor_grace_period,
                  "Silence after which a node is marked unhealthy (default 40s)");
  cmd->add_option("--node-startup-grace-period", t->node_startup_grace_period,
                  "Grace for a new node to report Ready (default 1m0s)");
  cmd->add_option("--kube-controller-manager-arg", t->controller_manager_args,
                  "key=value flags for the controllers, as k3s passes them");
  cmd->add_option("--disable", c->disable_components,
                  "Packaged components not to run (local-storage, servicelb, ...)")
      ->delimiter(',');
}

// k3s-style config file: `cluster server --config FILE` (or /etc/cluster/config.yaml when it
// exists and no --config is given) becomes flags inserted right after "server", so flags given
// on the command line come later and win (options take the last value). Exits with one line on
// a missing or malformed file.
std::vector<std::string> ExpandConfigFile(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  auto server = std::find(args.begin(), args.end(), "server");
  if (server == args.end()) return args;
  std::string path;
  bool explicit_path = false;
  for (auto it = server + 1; it != args.end(); ++it) {
    if ((*it == "--config" || *it == "-c") && it + 1 != args.end()) {
      path = *(it + 1);
      explicit_path = true;
      args.erase(it, it + 2);
      break;
    }
    if (it->rfind("--config=", 0) == 0) {
      path = it->substr(9);
      explicit_path = true;
      args.erase(it);
      break;
    }
  }
  if (!explicit_path) path = "/etc/cluster/config.yaml";
  std::ifstream in(path);
  if (!in) {
    if (!explicit_path) return args;
    std::fprintf(stderr, "cluster: config file %s: cannot be read\n", path.c_str());
    std::exit(1);
  }
  std::vector<CLI::ConfigItem> items;
  try {
    items = cluster::YamlConfig().from_config(in);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cluster: %s (%s)\n", e.what(), path.c_str());
    std::exit(1);
  }
  std::vector<std::string> flags;
  auto on_command_line = [&args](const std::string& name) {
    for (const auto& a : args)
      if (a == "--" + name || a.rfind("--" + name + "=", 0) == 0) return true;
    return false;
  };
  for (const auto& item : items) {
    // The command line replaces a config value, lists included (as k3s).
    if (on_command_line(item.name)) continue;
    if (item.inputs.size() == 1 && (item.inputs[0] == "true" || item.inputs[0] == "false")) {
      if (item.inputs[0] == "true") flags.push_back("--" + item.name);
      continue;
    }
    for (const auto& v : item.inputs) flags.push_back("--" + item.name + "=" + v);
  }
  server = std::find(args.begin(), args.end(), "server");
  args.insert(server + 1, flags.begin(), flags.end());
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cluster: a Kubernetes distribution in one executable"};
  app.require_subcommand(1);
  int verbosity = 0;
  app.add_option("-v,--v", verbosity, "Log verbosity")->capture_default_str();

  cluster::server::ServerConfig server_config;
  CLI::App* server = app.add_subcommand("server", "Run a control plane (and a node)");
  ServerFlagText server_flag_text;
  AddServerFlags(server, &server_config, &server_flag_text);
  server->add_option("-v,--v", verbosity, "Log verbosity");

  CLI::App* version = app.add_subcommand("version", "Print the version");

  CLI::App* kubectl = app.add_subcommand("kubectl", "Run kubectl against this cluster");
  kubectl->prefix_command();
  std::string kubeconfig = "/etc/cluster/cluster.yaml";

  int etcdctl_rc = 0;
  cluster::client::AddEtcdctlCommand(&app, &etcdctl_rc);

  // Later occurrences of a flag win (config-file flags come first).
  for (CLI::Option* opt : server->get_options())
    if (opt->get_items_expected_max() == 1)
      opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  std::vector<std::string> args = ExpandConfigFile(argc, argv);
  try {
    // CLI11 parses a reversed vector of the arguments after the program name.
    std::vector<std::string> rest(args.rbegin(), args.rend() - 1);
    app.parse(rest);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  cluster::log::SetVerbosity(verbosity);

  if (*version) {
    std::printf("cluster version v%s (Kubernetes v1.32.0)\n", CLUSTER_VERSION);
    return 0;
  }
  if (*server) {
    if (!FinishServerConfig(server_flag_text, &server_config)) return 1;
    return cluster::server::RunServer(server_config);
  }
  if (*kubectl) return cluster::client::ExecKubectl(kubectl->remaining(), kubeconfig);
  return etcdctl_rc;
}
