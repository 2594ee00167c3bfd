// cluster: a Kubernetes distribution in one executable. This file only defines the command
// line (k3s flag names) and hands each subcommand to the function that runs it.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "client/etcdctl.h"
#include "client/kubectl_exec.h"
#include "common/log.h"
#include "common/yaml_config.h"
#include "server/config.h"
#include "server/server.h"

#ifndef CLUSTER_VERSION
#define CLUSTER_VERSION "0.0.0"
#endif

namespace {

void AddServerFlags(CLI::App* cmd, cluster::server::ServerConfig* c) {
  cmd->config_formatter(std::make_shared<cluster::YamlConfig>());
  cmd->set_config("--config,-c", "", "YAML file whose keys are flag names (as k3s config.yaml)");
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
  cmd->add_option("--write-kubeconfig,-o", c->write_kubeconfig, "Where to write the admin kubeconfig")
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
  cmd->add_option("--default-not-ready-toleration-seconds",
                  c->default_not_ready_toleration_seconds)
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
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cluster: a Kubernetes distribution in one executable"};
  app.require_subcommand(1);
  int verbosity = 0;
  app.add_option("-v,--v", verbosity, "Log verbosity")->capture_default_str();

  cluster::server::ServerConfig server_config;
  CLI::App* server = app.add_subcommand("server", "Run a control plane (and a node)");
  AddServerFlags(server, &server_config);
  server->add_option("-v,--v", verbosity, "Log verbosity");

  CLI::App* version = app.add_subcommand("version", "Print the version");

  CLI::App* kubectl = app.add_subcommand("kubectl", "Run kubectl against this cluster");
  kubectl->prefix_command();
  std::string kubeconfig = "/etc/cluster/cluster.yaml";

  int etcdctl_rc = 0;
  cluster::client::AddEtcdctlCommand(&app, &etcdctl_rc);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  cluster::log::SetVerbosity(verbosity);

  if (*version) {
    std::printf("cluster version v%s (Kubernetes v1.32.0)\n", CLUSTER_VERSION);
    return 0;
  }
  if (*server) return cluster::server::RunServer(server_config);
  if (*kubectl) return cluster::client::ExecKubectl(kubectl->remaining(), kubeconfig);
  return etcdctl_rc;
}
