#include "server/apiserver/ip_allocator.h"

#include <arpa/inet.h>

namespace cluster::server {
namespace {

bool ParseIp(const std::string& s, uint32_t* out) {
  in_addr a;
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) return false;
  *out = ntohl(a.s_addr);
  return true;
}

std::string FormatIp(uint32_t ip) {
  in_addr a;
  a.s_addr = htonl(ip);
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

}  // namespace

IpAllocator::IpAllocator(const std::string& cidr, const std::string& port_range)
    : cidr_(cidr), port_range_(port_range) {}

Status IpAllocator::Init() {
  auto slash = cidr_.find('/');
  uint32_t net = 0;
  int bits = -1;
  if (slash != std::string::npos) {
    try {
      bits = std::stoi(cidr_.substr(slash + 1));
    } catch (...) {
      bits = -1;
    }
  }
  if (slash == std::string::npos || !ParseIp(cidr_.substr(0, slash), &net) || bits < 8 || bits > 30)
    return Invalid("service CIDR " + cidr_ + ": want an IPv4 CIDR between /8 and /30");
  uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  base_ = net & mask;
  size_ = ~mask + 1;
  auto dash = port_range_.find('-');
  try {
    if (dash == std::string::npos) throw 1;
    port_min_ = std::stoi(port_range_.substr(0, dash));
    port_max_ = std::stoi(port_range_.substr(dash + 1));
  } catch (...) {
    return Invalid("node port range " + port_range_ + ": want MIN-MAX");
  }
  if (port_min_ < 1 || port_max_ > 65535 || port_min_ > port_max_)
    return Invalid("node port range " + port_range_ + ": out of 1-65535");
  next_port_ = port_min_;
  return Status::Ok();
}

void IpAllocator::LoadLocked() {
  if (loaded_) return;
  loaded_ = true;
  if (!loader_) return;
  std::vector<std::string> ips;
  std::vector<int> ports;
  loader_(&ips, &ports);
  for (const auto& s : ips) {
    uint32_t ip;
    if (ParseIp(s, &ip)) ips_.insert(ip);
  }
  ports_.insert(ports.begin(), ports.end());
}

bool IpAllocator::InRange(const std::string& s) const {
  uint32_t ip;
  return ParseIp(s, &ip) && ip > base_ && ip < base_ + size_ - 1;
}

std::string IpAllocator::FirstIp() const { return FormatIp(base_ + 1); }

Result<std::string> IpAllocator::AllocateIp(const std::string& wanted) {
  std::lock_guard<std::mutex> lock(mu_);
  LoadLocked();
  if (!wanted.empty()) {
    uint32_t ip;
    if (!ParseIp(wanted, &ip)) return Invalid("must be a valid IP address");
    if (!InRange(wanted))
      return Invalid("failed to allocate IP " + wanted + ": the provided IP (" + wanted +
                     ") is not in the valid range. The range of "
                     "valid IPs is " +
                     cidr_);
    if (!ips_.insert(ip).second)
      return Invalid("failed to allocate IP " + wanted + ": provided IP is already allocated");
    return wanted;
  }
  // Skip .0 (network), .1 (kubernetes) and the last (broadcast); .10 is usually DNS but only
  // when asked for explicitly, so sequential allocation starts after it.
  for (uint32_t i = 0; i + 3 < size_; ++i) {
    uint32_t off = next_ip_;
    next_ip_ = next_ip_ + 1 >= size_ - 1 ? 2 : next_ip_ + 1;
    uint32_t ip = base_ + off;
    if (off < 2 || off == 10 || ips_.count(ip)) continue;
    ips_.insert(ip);
    return FormatIp(ip);
  }
  return Internal("range is full");
}

void IpAllocator::ReleaseIp(const std::string& s) {
  uint32_t ip;
  if (!ParseIp(s, &ip)) return;
  std::lock_guard<std::mutex> lock(mu_);
  ips_.erase(ip);
}

Result<int> IpAllocator::AllocatePort(int wanted) {
  std::lock_guard<std::mutex> lock(mu_);
  LoadLocked();
  if (wanted != 0) {
    if (wanted < port_min_ || wanted > port_max_)
      return Invalid("provided port is not in the valid range. The range of valid ports is " +
                     PortRange());
    if (!ports_.insert(wanted).second) return Invalid("provided port is already allocated");
    return wanted;
  }
  int span = port_max_ - port_min_ + 1;
  for (int i = 0; i < span; ++i) {
    int p = next_port_;
    next_port_ = next_port_ >= port_max_ ? port_min_ : next_port_ + 1;
    if (ports_.insert(p).second) return p;
  }
  return Internal("range is full");
}

void IpAllocator::ReleasePort(int port) {
  std::lock_guard<std::mutex> lock(mu_);
  ports_.erase(port);
}

std::string IpAllocator::PortRange() const {
  return std::to_string(port_min_) + "-" + std::to_string(port_max_);
}

}  // namespace cluster::server
