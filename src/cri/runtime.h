// The container runtime's contract, shaped like the CRI (k8s.io/cri-api runtime/v1 api.proto):
// RuntimeService runs pod sandboxes and containers, ImageService pulls and keeps images. The
// kubelet (src/agent) is written against these interfaces only; runc_runtime.h implements them
// over runc (or crun) with a per-container shim, and tests use the same implementation.
//
// A pod sandbox is the set of namespaces its containers share (network, IPC, UTS; PID when
// asked), pinned by nsfs bind mounts under the runtime's state dir so they outlive an agent
// restart; there is no pause container. The pod network is configured by a NetworkPlugin the
// runtime calls when it creates and destroys a sandbox's network namespace (CNI's place).
//
// Errors: kNotFound for an unknown id, kInvalid for a config that cannot run, kUnavailable for
// a failing runtime binary or registry, each with a message the kubelet can show to users.
// Times are nanoseconds since the Unix epoch. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace cluster::cri {

using Labels = std::map<std::string, std::string>;

// ---- sandboxes ----

struct PodSandboxMetadata {
  std::string name;
  std::string uid;
  std::string ns;
  uint32_t attempt = 0;
};

struct DnsConfig {
  std::vector<std::string> servers;
  std::vector<std::string> searches;
  std::vector<std::string> options;  // "ndots:5"
};

// Which namespace a container or sandbox uses (CRI NamespaceMode).
enum class NamespaceMode { kPod, kContainer, kNode, kTarget };

struct NamespaceOptions {
  NamespaceMode network = NamespaceMode::kPod;  // kNode: hostNetwork
  NamespaceMode pid = NamespaceMode::kContainer;  // kPod: shareProcessNamespace; kNode: hostPID
  NamespaceMode ipc = NamespaceMode::kPod;      // kNode: hostIPC
  std::string target_id;  // kTarget: the container whose namespaces to join (ephemeral)
};

struct PortMapping {
  std::string protocol = "TCP";
  int32_t container_port = 0;
  int32_t host_port = 0;
  std::string host_ip;
};

struct PodSandboxConfig {
  PodSandboxMetadata metadata;
  std::string hostname;
  // Where the pod's container logs go: /var/log/pods/NS_NAME_UID.
  std::string log_directory;
  DnsConfig dns;
  std::vector<PortMapping> port_mappings;
  Labels labels;
  Labels annotations;
  std::string cgroup_parent;  // the pod's cgroup, relative to the cgroup root
  NamespaceOptions namespaces;
  bool privileged = false;
  std::map<std::string, std::string> sysctls;
};

enum class SandboxState { kReady, kNotReady };

struct PodSandboxStatus {
  std::string id;
  PodSandboxMetadata metadata;
  SandboxState state = SandboxState::kNotReady;
  int64_t created_at = 0;
  std::string ip;                    // the pod IP (empty for host network)
  std::vector<std::string> more_ips;  // e.g. IPv6
  std::string netns_path;            // empty for host network
  Labels labels;
  Labels annotations;
};

struct PodSandboxFilter {
  std::string id;
  std::optional<SandboxState> state;
  Labels labels;  // all must match
};

// ---- containers ----

struct ContainerMetadata {
  std::string name;
  uint32_t attempt = 0;
};

struct Mount {
  std::string container_path;
  std::string host_path;
  bool readonly = false;
  // "private" (default), "rslave" (HostToContainer) or "rshared" (Bidirectional).
  std::string propagation = "private";
};

struct LinuxResources {
  int64_t cpu_period = 0;  // 0: unset
  int64_t cpu_quota = 0;
  int64_t cpu_shares = 0;
  int64_t memory_limit_bytes = 0;
  int64_t oom_score_adj = 0;
  int64_t pids_limit = 0;
  std::string cpuset_cpus;
};

struct SecurityContext {
  bool privileged = false;
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::string run_as_username;  // from the image's USER when it is a name
  std::vector<int64_t> supplemental_groups;
  bool readonly_rootfs = false;
  bool no_new_privs = false;  // allowPrivilegeEscalation: false
  std::vector<std::string> add_capabilities;   // "NET_ADMIN" (no CAP_ prefix), "ALL"
  std::vector<std::string> drop_capabilities;
  NamespaceOptions namespaces;
  std::vector<std::string> masked_paths;    // empty: the runtime's defaults
  std::vector<std::string> readonly_paths;  // empty: the runtime's defaults
};

struct ContainerConfig {
  ContainerMetadata metadata;
  std::string image;  // a reference or image id, as ImageService::PullImage returned
  // As in the pod spec: the runtime applies the image's entrypoint/cmd rules (command replaces
  // ENTRYPOINT and drops CMD; args alone replace CMD) and puts the image's env first.
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::string working_dir;
  std::vector<std::pair<std::string, std::string>> envs;
  std::vector<Mount> mounts;
  Labels labels;
  Labels annotations;
  // Relative to the sandbox's log_directory: "web/0.log".
  std::string log_path;
  bool stdin_open = false;
  bool stdin_once = false;
  bool tty = false;
  LinuxResources resources;
  SecurityContext security;
  std::string stop_signal;  // empty: the image's, else SIGTERM
};

enum class ContainerState { kCreated, kRunning, kExited, kUnknown };

struct Container {
  std::string id;
  std::string pod_sandbox_id;
  ContainerMetadata metadata;
  std::string image;
  std::string image_ref;
  ContainerState state = ContainerState::kUnknown;
  int64_t created_at = 0;
  Labels labels;
  Labels annotations;
};

struct ContainerStatus {
  std::string id;
  ContainerMetadata metadata;
  ContainerState state = ContainerState::kUnknown;
  int64_t created_at = 0;
  int64_t started_at = 0;
  int64_t finished_at = 0;
  int32_t exit_code = 0;
  std::string image;
  std::string image_ref;
  // For exited containers: "Completed" (0), "Error", "OOMKilled"; message: details.
  std::string reason;
  std::string message;
  Labels labels;
  Labels annotations;
  std::string log_path;  // absolute
};

struct ContainerFilter {
  std::string id;
  std::string pod_sandbox_id;
  std::optional<ContainerState> state;
  Labels labels;
};

struct ExecSyncResult {
  std::string out;
  std::string err;
  int32_t exit_code = 0;
  bool timed_out = false;
};

struct ContainerStats {
  std::string id;
  int64_t timestamp = 0;
  uint64_t cpu_usage_ns = 0;          // cumulative
  uint64_t memory_working_set = 0;    // bytes (usage minus inactive file)
  uint64_t memory_usage = 0;
  uint64_t rootfs_used_bytes = 0;
};

struct VersionInfo {
  std::string runtime_name;     // "cluster-runc"
  std::string runtime_version;  // "runc 1.1.5"
  std::string runtime_api_version = "v1";
};

class RuntimeService {
 public:
  virtual ~RuntimeService() = default;

  virtual Result<VersionInfo> Version() = 0;

  virtual Result<std::string> RunPodSandbox(const PodSandboxConfig& config) = 0;
  // Stops every container of the sandbox and tears its network down; idempotent.
  virtual Status StopPodSandbox(const std::string& id) = 0;
  // Removes a stopped sandbox, its containers and namespaces; idempotent (ok when gone).
  virtual Status RemovePodSandbox(const std::string& id) = 0;
  virtual Result<PodSandboxStatus> PodSandboxStatus(const std::string& id) = 0;
  virtual Result<std::vector<PodSandboxStatus>> ListPodSandbox(const PodSandboxFilter& f) = 0;

  virtual Result<std::string> CreateContainer(const std::string& sandbox_id,
                                              const ContainerConfig& config,
                                              const PodSandboxConfig& sandbox) = 0;
  virtual Status StartContainer(const std::string& id) = 0;
  // Sends the stop signal, waits up to timeout_s, then SIGKILL; ok when already stopped.
  virtual Status StopContainer(const std::string& id, int64_t timeout_s) = 0;
  virtual Status RemoveContainer(const std::string& id) = 0;
  virtual Result<std::vector<Container>> ListContainers(const ContainerFilter& f) = 0;
  virtual Result<ContainerStatus> GetContainerStatus(const std::string& id) = 0;
  virtual Status UpdateContainerResources(const std::string& id, const LinuxResources& r) = 0;
  // Runs `cmd` inside the container and collects its output (probes, hooks).
  virtual Result<ExecSyncResult> ExecSync(const std::string& id,
                                          const std::vector<std::string>& cmd,
                                          int64_t timeout_s) = 0;
  virtual Result<ContainerStats> GetContainerStats(const std::string& id) = 0;
  // After log rotation: the shim reopens the container's log file.
  virtual Status ReopenContainerLog(const std::string& id) = 0;
};

// ---- images ----

struct AuthConfig {
  std::string username;
  std::string password;
  std::string auth;            // base64 "user:password"
  std::string identity_token;  // OAuth refresh token
  std::string registry_token;  // bearer token
};

struct ImageConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "K=V"
  std::string working_dir;
  std::string user;  // "1000", "1000:1000", "nginx"
  std::string stop_signal;
  Labels labels;
};

struct Image {
  std::string id;  // "sha256:<config digest>"
  std::vector<std::string> repo_tags;     // "docker.io/library/nginx:latest"
  std::vector<std::string> repo_digests;  // "docker.io/library/nginx@sha256:..."
  uint64_t size = 0;
  ImageConfig config;
  bool pinned = false;
};

struct ImageFsInfo {
  std::string mountpoint;
  uint64_t used_bytes = 0;
  uint64_t inodes_used = 0;
};

class ImageService {
 public:
  virtual ~ImageService() = default;
  // Pulls `image` (a reference, normalised as docker does: "nginx" is
  // "docker.io/library/nginx:latest") and returns its id. Errors name the registry and reason:
  // kNotFound for a missing repository or tag, kUnauthorized for refused credentials,
  // kUnavailable for an unreachable registry, kInvalid for a malformed reference or manifest.
  virtual Result<std::string> PullImage(const std::string& image, const AuthConfig& auth) = 0;
  virtual Result<std::vector<Image>> ListImages() = 0;
  // nullopt when the image is not present.
  virtual Result<std::optional<Image>> ImageStatus(const std::string& image) = 0;
  virtual Status RemoveImage(const std::string& image) = 0;
  virtual Result<ImageFsInfo> FsInfo() = 0;
  // Imports a docker-archive or OCI-layout tarball (gzip/zstd or plain) and returns the ids of
  // the images it held (airgap images).
  virtual Result<std::vector<std::string>> ImportArchive(const std::string& path) = 0;
};

// ---- the pod network seam ----

struct PodNetworkStatus {
  std::string ip;
  std::vector<std::string> more_ips;
};

// Configures a sandbox's network namespace (the bridge and veth of src/agent/network, or a CNI
// plugin). SetUp may be called again for a sandbox that already has its network (agent restart)
// and must then report the existing address; TearDown is idempotent.
class NetworkPlugin {
 public:
  virtual ~NetworkPlugin() = default;
  virtual Result<PodNetworkStatus> SetUp(const std::string& sandbox_id,
                                         const PodSandboxConfig& pod,
                                         const std::string& netns_path) = 0;
  virtual Status TearDown(const std::string& sandbox_id, const PodSandboxConfig& pod,
                          const std::string& netns_path) = 0;
};

}  // namespace cluster::cri
