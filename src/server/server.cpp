#include "server/server.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>

#include "client/etcdctl.h"
#include "client/informer.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/memory_trim.h"
#include "server/apiserver/apiserver.h"
#include "server/apiserver/https_front.h"
#include "server/bootstrap/kubeconfig.h"
#include "server/bootstrap/pki.h"
#include "server/controllers/manager.h"
#include "server/etcd_api/etcd_api.h"
#include "server/inprocess_transport.h"
#include "store/store.h"

namespace cluster::server {
namespace {

const char* kComponent = "server";

// Blocks until SIGINT or SIGTERM arrives.
void WaitForTermination() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  LOG_INFO(kComponent) << "received signal " << sig << ", shutting down";
}

int StepFailed(const char* step, const Status& st) {
  LOG_ERROR(kComponent) << "startup step '" << step << "' failed: " << st.ToString();
  return 1;
}

Status WriteAdminKubeconfig(const ServerConfig& config, const bootstrap::PkiPaths& pki, int port) {
  int mode = 0600;
  if (!config.write_kubeconfig_mode.empty()) {
    try {
      mode = std::stoi(config.write_kubeconfig_mode, nullptr, 8);
    } catch (...) {
      return Invalid("--write-kubeconfig-mode " + config.write_kubeconfig_mode + ": not octal");
    }
  }
  ASSIGN_OR_RETURN(std::string ca, bootstrap::ReadFile(pki.server_ca.cert));
  ASSIGN_OR_RETURN(std::string cert, bootstrap::ReadFile(pki.admin.cert));
  ASSIGN_OR_RETURN(std::string key, bootstrap::ReadFile(pki.admin.key));
  return bootstrap::WriteKubeconfig(config.write_kubeconfig, mode,
                                    "https://127.0.0.1:" + std::to_string(port), ca, cert, key);
}

// This server's name in leader elections: the host name and an id kept in the data dir, so a
// restarted server takes its own Lease back at once, while another server waits for it.
std::string ServerIdentity(const ServerConfig& config) {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  const std::string path = config.ServerDir() + "/id";
  auto id = bootstrap::ReadFile(path);
  std::string value = id.ok() ? *id : "";
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  if (value.empty()) {
    value = NewUuid();
    Status st = bootstrap::WriteFileAtomic(path, value + "\n", 0600);
    if (!st.ok()) LOG_WARN(kComponent) << "cannot keep the server id: " << st.ToString();
  }
  return std::string(host) + "_" + value;
}

}  // namespace

int RunServer(const ServerConfig& config) {
  // Signals are taken by sigwait in this thread; every thread started below inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::error_code ec;
  std::filesystem::create_directories(config.ServerDir() + "/db", ec);
  if (ec) return StepFailed("data-dir", Internal(config.ServerDir() + ": " + ec.message()));
  chmod(config.ServerDir().c_str(), 0700);

  // Step 1: PKI.
  bootstrap::PkiOptions pki_opts;
  pki_opts.tls_dir = config.TlsDir();
  pki_opts.extra_sans = config.tls_san;
  auto pki = bootstrap::EnsurePki(pki_opts);
  if (!pki.ok()) return StepFailed("pki", pki.status());
  LOG_INFO(kComponent) << "pki ready in " << pki->dir;

  // Step 2: the store.
  std::string endpoint = config.datastore_endpoint;
  if (endpoint.empty()) endpoint = "sqlite://" + config.ServerDir() + "/db/state.db";
  store::StoreOptions store_opts;
  store_opts.compact_window = std::chrono::seconds(config.compact_window_seconds);
  store_opts.compact_keep_revisions = config.compact_keep_revisions;
  auto opened = store::OpenStore(endpoint, store_opts);
  if (!opened.ok()) return StepFailed("store", opened.status());
  std::unique_ptr<store::Store> kv = std::move(opened).value();
  LOG_INFO(kComponent) << "store ready at revision " << kv->CurrentRevision();

  // Step 3: the store's etcd v3 JSON API.
  std::unique_ptr<EtcdApiServer> etcd_api;
  if (!config.disable_etcd_api) {
    EtcdApiOptions opts;
    if (!config.etcd_listen_client_urls.empty()) opts.listen_urls = config.etcd_listen_client_urls;
    opts.cert_file = pki->etcd_server.cert;
    opts.key_file = pki->etcd_server.key;
    opts.client_ca_file = pki->etcd_ca.cert;
    auto started = StartEtcdApi(kv.get(), opts);
    if (!started.ok()) return StepFailed("etcd-api", started.status());
    etcd_api = std::move(started).value();
    // `cluster etcdctl` reads the actual URLs from here (the port may not be 2379).
    Status wrote = bootstrap::WriteFileAtomic(client::EtcdEndpointsFile(config.data_dir),
                                              ClientUrls(opts, *etcd_api), 0600);
    if (!wrote.ok()) return StepFailed("etcd-api", wrote);
    for (size_t i = 0; i < opts.listen_urls.size(); ++i)
      LOG_INFO(kComponent) << "etcd API listening on " << opts.listen_urls[i];
  }

  // Step 4: the apiserver.
  MemoryTrimmer::Start();
  ApiServerOptions api_opts;
  api_opts.service_cidr = config.service_cidr;
  api_opts.node_port_range = config.service_node_port_range;
  api_opts.defaulting.not_ready_toleration_seconds = config.default_not_ready_toleration_seconds;
  api_opts.defaulting.unreachable_toleration_seconds =
      config.default_unreachable_toleration_seconds;
  api_opts.advertise_port = config.https_listen_port;
  auto ca_pem = bootstrap::ReadFile(pki->server_ca.cert);
  if (!ca_pem.ok()) return StepFailed("apiserver", ca_pem.status());
  api_opts.ca_pem = *ca_pem;
  api_opts.tokens = TokenFileAuthenticator(config.ServerDir() + "/cred/known-tokens.csv");
  auto sa_key = bootstrap::ReadFile(pki->service_account_key);
  if (!sa_key.ok()) return StepFailed("apiserver", sa_key.status());
  auto sa_tokens = ServiceAccountTokens::Create(*sa_key, {ServiceAccountTokens::kIssuer});
  if (!sa_tokens.ok()) return StepFailed("apiserver", sa_tokens.status());
  api_opts.service_account_tokens = *sa_tokens;
  ApiServer api(kv.get(), api_opts);
  Status boot = api.Bootstrap();
  if (!boot.ok()) return StepFailed("apiserver", boot);
  HttpsFrontOptions front_opts;
  front_opts.bind_address = config.bind_address;
  front_opts.port = config.https_listen_port;
  front_opts.cert_file = pki->serving.cert;
  front_opts.key_file = pki->serving.key;
  front_opts.client_ca_file = pki->client_ca.cert;
  front_opts.tokens = api.authenticator();
  auto front = StartHttpsFront(&api, front_opts);
  if (!front.ok()) return StepFailed("apiserver", front.status());
  LOG_INFO(kComponent) << "apiserver listening on https://" << config.bind_address << ":"
                       << (*front)->Port();

  // Step 5: the admin kubeconfig.
  Status kc = WriteAdminKubeconfig(config, *pki, (*front)->Port());
  if (!kc.ok()) return StepFailed("kubeconfig", kc);
  LOG_INFO(kComponent) << "wrote kubeconfig " << config.write_kubeconfig;

  // Step 6: controllers (in-process clients through the same REST path), while this server
  // holds the controller-manager Lease.
  std::unique_ptr<client::SharedInformerFactory> informers;
  std::unique_ptr<ControllerManager> controllers;
  client::Client cm(
      NewInProcessTransport(&api, "system:kube-controller-manager", {"system:masters"}));
  informers = std::make_unique<client::SharedInformerFactory>(cm);
  const std::string identity = ServerIdentity(config);
  const bool exclusive_store = endpoint.rfind("sqlite://", 0) == 0;
  if (!config.disable_controller_manager) {
    ControllerManagerOptions cm_opts = config.controller_options;
    cm_opts.ca_pem = api_opts.ca_pem;
    cm_opts.cluster_cidr = config.cluster_cidr;
    cm_opts.data_dir = config.data_dir;
    cm_opts.identity = identity;
    cm_opts.leader_elect_renew = !exclusive_store;
    cm_opts.disable_local_storage =
        std::count(config.disable_components.begin(), config.disable_components.end(),
                   "local-storage") > 0;
    Status valid = ValidateSelection(cm_opts.selection);
    if (!valid.ok()) return StepFailed("controllers", valid);
    controllers = std::make_unique<ControllerManager>(cm, informers.get(), cm_opts);
    controllers->Start();
    LOG_INFO(kComponent) << "controller manager started";
  }

  LOG_INFO(kComponent) << "cluster server ready";
  WaitForTermination();

  if (controllers) controllers->Stop();
  if (informers) informers->Stop();
  (*front)->Stop();
  if (etcd_api) etcd_api->Stop();
  MemoryTrimmer::Stop();
  kv->Close();
  LOG_INFO(kComponent) << "stopped";
  return 0;
}

}  // namespace cluster::server
