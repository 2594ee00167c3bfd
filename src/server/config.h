// Settings of `cluster server`. Flag names follow k3s so users' habits carry over; main.cpp
// maps flags (and --config YAML keys, which are the same names) onto this struct.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/controllers/manager.h"

namespace cluster::server {

struct ServerConfig {
  std::string data_dir = "/var/lib/cluster";
  std::string bind_address = "0.0.0.0";
  int https_listen_port = 6443;
  std::vector<std::string> tls_san;     // extra SANs for the serving certificate
  std::string datastore_endpoint;       // default sqlite://DATA_DIR/server/db/state.db
  bool disable_etcd_api = false;
  std::vector<std::string> etcd_listen_client_urls;  // default https://127.0.0.1:2379
  std::string write_kubeconfig = "/etc/cluster/cluster.yaml";
  std::string write_kubeconfig_mode;    // octal, e.g. "0644"; default 0600
  bool disable_agent = false;
  bool disable_scheduler = false;
  bool disable_controller_manager = false;
  std::string cluster_cidr = "10.42.0.0/16";
  std::string service_cidr = "10.43.0.0/16";
  std::string service_node_port_range = "30000-32767";
  std::string cluster_dns = "10.43.0.10";
  std::string cluster_domain = "cluster.local";
  int64_t default_not_ready_toleration_seconds = 300;
  int64_t default_unreachable_toleration_seconds = 300;
  std::string token;                    // node join token; generated when empty
  // Store history kept by automatic compaction.
  int64_t compact_window_seconds = 300;
  int64_t compact_keep_revisions = 1000;

  std::vector<std::string> disable_components;  // --disable: local-storage, servicelb, ...
  // Controllers: --controllers and the kube-controller-manager flags we take.
  ControllerManagerOptions controller_options;

  std::string ServerDir() const { return data_dir + "/server"; }
  std::string TlsDir() const { return data_dir + "/server/tls"; }
};

}  // namespace cluster::server
