// Allocation of Service cluster IPs (from --service-cidr) and node ports (from
// --service-node-port-range). State is rebuilt from the stored Services on first use and kept
// in memory afterwards; this server is the store's only writer, so memory stays in step.
// Thread-safe (one mutex guards everything).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace cluster::server {

class IpAllocator {
 public:
  // Lists (cluster IPs, node ports) of existing Services; called once, lazily.
  using Loader = std::function<void(std::vector<std::string>* ips, std::vector<int>* ports)>;

  IpAllocator(const std::string& cidr, const std::string& port_range);
  Status Init();  // parses the settings; kInvalid when malformed
  void SetLoader(Loader loader) { loader_ = std::move(loader); }

  // Allocates `wanted` (an address) or, when empty, the next free address.
  Result<std::string> AllocateIp(const std::string& wanted);
  void ReleaseIp(const std::string& ip);
  bool InRange(const std::string& ip) const;
  // The first usable address (10.43.0.1), reserved for the kubernetes Service.
  std::string FirstIp() const;

  Result<int> AllocatePort(int wanted);  // 0: next free
  void ReleasePort(int port);
  std::string PortRange() const;

 private:
  void LoadLocked();

  std::string cidr_;
  std::string port_range_;
  uint32_t base_ = 0;
  uint32_t size_ = 0;
  int port_min_ = 30000;
  int port_max_ = 32767;
  Loader loader_;
  std::mutex mu_;
  bool loaded_ = false;     // guarded by mu_
  std::set<uint32_t> ips_;  // guarded by mu_
  std::set<int> ports_;     // guarded by mu_
  uint32_t next_ip_ = 10;   // guarded by mu_
  int next_port_ = 0;       // guarded by mu_
};

}  // namespace cluster::server
