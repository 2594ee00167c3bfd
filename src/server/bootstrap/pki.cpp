#include "server/bootstrap/pki.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/log.h"
#include "server/bootstrap/x509.h"

namespace cluster::bootstrap {
namespace {

constexpr int kCaDays = 3650;
constexpr int kLeafDays = 365;
constexpr time_t kRenewBefore = 90 * 24 * 3600;
constexpr int kKeyMode = 0600;
constexpr int kCertMode = 0644;

std::string ErrnoText(const std::string& what, int err) { return what + ": " + std::strerror(err); }

// mkdir -p, then force `mode` on the last component (it may pre-exist with a looser mode).
Status MakeDir(const std::string& dir, mode_t mode) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Internal("creating " + dir + ": " + ec.message());
  if (chmod(dir.c_str(), mode) != 0) return Internal(ErrnoText("chmod " + dir, errno));
  return Status::Ok();
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 || errno != ENOENT;
}

// A CA or leaf certificate with its key, loaded in memory.
struct Loaded {
  x509::CertPtr cert;
  x509::KeyPtr key;
};

Result<x509::CertPtr> LoadCert(const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem, ReadFile(path));
  auto cert = x509::ParseCertPem(pem);
  if (!cert.ok()) return Invalid(path + ": " + cert.status().message());
  return std::move(cert).value();
}

Result<x509::KeyPtr> LoadKey(const std::string& path) {
  ASSIGN_OR_RETURN(std::string pem, ReadFile(path));
  auto key = x509::ParseKeyPem(pem);
  if (!key.ok()) return Invalid(path + ": " + key.status().message());
  // Keys written by older or other tools may be readable by others; tighten them.
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) chmod(path.c_str(), kKeyMode);
  return std::move(key).value();
}

Result<Loaded> LoadPair(const CertPair& pair) {
  ASSIGN_OR_RETURN(x509::CertPtr cert, LoadCert(pair.cert));
  ASSIGN_OR_RETURN(x509::KeyPtr key, LoadKey(pair.key));
  return Loaded{std::move(cert), std::move(key)};
}

// The key is written before the certificate: a crash in between leaves a certificate that does
// not match its key, which the next start detects and repairs.
Status WritePair(const CertPair& pair, X509* cert, EVP_PKEY* key) {
  ASSIGN_OR_RETURN(std::string key_pem, x509::KeyToPem(key));
  ASSIGN_OR_RETURN(std::string cert_pem, x509::CertToPem(cert));
  RETURN_IF_ERROR(WriteFileAtomic(pair.key, key_pem, kKeyMode));
  return WriteFileAtomic(pair.cert, cert_pem, kCertMode);
}

std::string CaName(const std::string& prefix) {
  return prefix + "@" + std::to_string(static_cast<long long>(time(nullptr)));
}

// Creates the CA when both files are missing; re-creates only its certificate when the key
// exists alone (a crash between the two writes). Never replaces an existing CA key.
Result<Loaded> EnsureCa(const CertPair& pair, const std::string& prefix) {
  bool have_cert = Exists(pair.cert);
  bool have_key = Exists(pair.key);
  if (have_cert && !have_key) {
    return Invalid("CA key " + pair.key + " is missing but its certificate " + pair.cert +
                   " exists; restore the key or remove both to create a new CA");
  }
  if (have_cert) {
    ASSIGN_OR_RETURN(Loaded ca, LoadPair(pair));
    if (!x509::KeyMatchesCert(ca.cert.get(), ca.key.get())) {
      return Invalid("CA key " + pair.key + " does not match certificate " + pair.cert);
    }
    if (x509::NotAfter(ca.cert.get()) < time(nullptr) + kRenewBefore) {
      LOG_WARN("pki") << "CA certificate " << pair.cert << " expires within 90 days";
    }
    return ca;
  }
  x509::KeyPtr key;
  if (have_key) {
    ASSIGN_OR_RETURN(key, LoadKey(pair.key));
  } else {
    ASSIGN_OR_RETURN(key, x509::GenerateKey());
  }
  x509::CertSpec spec{x509::CertKind::kCa, CaName(prefix), {}, {}, kCaDays};
  ASSIGN_OR_RETURN(x509::CertPtr cert, x509::MakeCert(spec, key.get(), nullptr, nullptr));
  if (have_key) {
    ASSIGN_OR_RETURN(std::string cert_pem, x509::CertToPem(cert.get()));
    RETURN_IF_ERROR(WriteFileAtomic(pair.cert, cert_pem, kCertMode));
  } else {
    RETURN_IF_ERROR(WritePair(pair, cert.get(), key.get()));
  }
  LOG_INFO("pki") << "created CA " << spec.common_name << " in " << pair.cert;
  return Loaded{std::move(cert), std::move(key)};
}

// Why an existing leaf must be re-issued, or "" when it is fine as it is.
std::string RenewalReason(const Loaded& leaf, const Loaded& ca, const x509::CertSpec& spec) {
  if (!x509::KeyMatchesCert(leaf.cert.get(), leaf.key.get())) return "key does not match";
  if (!x509::SignedBy(leaf.cert.get(), ca.cert.get())) return "not signed by the current CA";
  if (x509::NotAfter(leaf.cert.get()) < time(nullptr) + kRenewBefore) {
    return "expires within 90 days";
  }
  if (x509::CommonName(leaf.cert.get()) != spec.common_name) return "common name changed";
  std::set<std::string> have = x509::CertSans(leaf.cert.get());
  for (const auto& san : spec.sans) {
    if (!have.count(x509::CanonicalSan(san))) return "SAN " + san + " missing";
  }
  return "";
}

Result<x509::CertPtr> Sign(const Loaded& ca, const x509::CertSpec& spec, EVP_PKEY* key) {
  return x509::MakeCert(spec, key, ca.cert.get(), ca.key.get());
}

// Issues the leaf when a file is missing or RenewalReason says so; errors on unreadable files.
Status EnsureLeaf(const CertPair& pair, const Loaded& ca, const x509::CertSpec& spec) {
  std::string reason = "created";
  if (Exists(pair.cert) && Exists(pair.key)) {
    ASSIGN_OR_RETURN(Loaded leaf, LoadPair(pair));
    reason = RenewalReason(leaf, ca, spec);
    if (reason.empty()) return Status::Ok();
    reason = "renewed (" + reason + ")";
  }
  ASSIGN_OR_RETURN(x509::KeyPtr key, x509::GenerateKey());
  ASSIGN_OR_RETURN(x509::CertPtr cert, Sign(ca, spec, key.get()));
  RETURN_IF_ERROR(WritePair(pair, cert.get(), key.get()));
  LOG_INFO("pki") << pair.cert << " " << reason;
  return Status::Ok();
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "";
  std::string name = x509::CanonicalSan(buf);
  if (name.empty()) LOG_WARN("pki") << "host name '" << buf << "' is not a valid DNS SAN";
  return name;
}

// Every non-loopback IPv4 address of the host's interfaces that are up.
std::vector<std::string> HostIPv4s() {
  std::vector<std::string> out;
  struct ifaddrs* addrs = nullptr;
  if (getifaddrs(&addrs) != 0) return out;
  for (struct ifaddrs* a = addrs; a; a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
    if ((a->ifa_flags & IFF_LOOPBACK) || !(a->ifa_flags & IFF_UP)) continue;
    char text[INET_ADDRSTRLEN];
    auto* sin = reinterpret_cast<struct sockaddr_in*>(a->ifa_addr);
    if (inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text))) out.push_back(text);
  }
  freeifaddrs(addrs);
  return out;
}

// The apiserver serving certificate's SANs, deduplicated in canonical form, in a stable order.
Result<std::vector<std::string>> ApiserverSans(const PkiOptions& opts) {
  std::vector<std::string> wanted = {"127.0.0.1",
                                     "localhost",
                                     "kubernetes",
                                     "kubernetes.default",
                                     "kubernetes.default.svc",
                                     "kubernetes.default.svc.cluster.local"};
  if (std::string host = HostName(); !host.empty()) wanted.push_back(host);
  for (auto& ip : HostIPv4s()) wanted.push_back(ip);
  if (!opts.service_ip.empty()) wanted.push_back(opts.service_ip);
  for (const auto& san : opts.extra_sans) wanted.push_back(san);
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& san : wanted) {
    std::string c = x509::CanonicalSan(san);
    if (c.empty()) return Invalid("TLS SAN '" + san + "' is neither an IP address nor a DNS name");
    if (seen.insert(c).second) out.push_back(c);
  }
  return out;
}

PkiPaths PathsFor(const std::string& dir) {
  auto pair = [&](const std::string& base) {
    return CertPair{dir + "/" + base + ".crt", dir + "/" + base + ".key"};
  };
  PkiPaths p;
  p.dir = dir;
  p.server_ca = pair("server-ca");
  p.client_ca = pair("client-ca");
  p.serving = pair("serving-kube-apiserver");
  p.admin = pair("client-admin");
  p.kubelet_client = pair("client-kube-apiserver");
  p.etcd_ca = pair("etcd/server-ca");
  p.etcd_server = pair("etcd/server-client");
  p.etcd_client = pair("etcd/client");
  p.service_account_key = dir + "/service.key";
  return p;
}

x509::CertSpec Client(const std::string& cn, std::vector<std::string> orgs) {
  return x509::CertSpec{x509::CertKind::kClient, cn, std::move(orgs), {}, kLeafDays};
}

Result<IssuedCert> Issue(const CertPair& ca_pair, const x509::CertSpec& spec) {
  ASSIGN_OR_RETURN(Loaded ca, LoadPair(ca_pair));
  ASSIGN_OR_RETURN(x509::KeyPtr key, x509::GenerateKey());
  ASSIGN_OR_RETURN(x509::CertPtr cert, Sign(ca, spec, key.get()));
  IssuedCert out;
  ASSIGN_OR_RETURN(out.cert_pem, x509::CertToPem(cert.get()));
  ASSIGN_OR_RETURN(out.key_pem, x509::KeyToPem(key.get()));
  return out;
}

}  // namespace

Result<PkiPaths> EnsurePki(const PkiOptions& opts) {
  if (opts.tls_dir.empty()) return Invalid("PKI directory is not set");
  RETURN_IF_ERROR(MakeDir(opts.tls_dir, 0700));
  RETURN_IF_ERROR(MakeDir(opts.tls_dir + "/etcd", 0700));
  PkiPaths p = PathsFor(opts.tls_dir);
  ASSIGN_OR_RETURN(std::vector<std::string> sans, ApiserverSans(opts));

  ASSIGN_OR_RETURN(Loaded server_ca, EnsureCa(p.server_ca, "cluster-server-ca"));
  ASSIGN_OR_RETURN(Loaded client_ca, EnsureCa(p.client_ca, "cluster-client-ca"));
  ASSIGN_OR_RETURN(Loaded etcd_ca, EnsureCa(p.etcd_ca, "cluster-etcd-server-ca"));

  x509::CertSpec serving{x509::CertKind::kServer, "kube-apiserver", {}, sans, kLeafDays};
  RETURN_IF_ERROR(EnsureLeaf(p.serving, server_ca, serving));
  RETURN_IF_ERROR(EnsureLeaf(p.admin, client_ca, Client("admin", {"system:masters"})));
  RETURN_IF_ERROR(EnsureLeaf(p.kubelet_client, client_ca,
                             Client("kube-apiserver-kubelet-client", {"system:masters"})));
  x509::CertSpec etcd_server{
      x509::CertKind::kServerClient, "etcd-server", {}, {"127.0.0.1", "localhost"}, kLeafDays};
  RETURN_IF_ERROR(EnsureLeaf(p.etcd_server, etcd_ca, etcd_server));
  RETURN_IF_ERROR(EnsureLeaf(p.etcd_client, etcd_ca, Client("etcd-client", {})));
  // Tokens already handed out stay valid only with the same key: create it once, keep it.
  if (access(p.service_account_key.c_str(), F_OK) != 0) {
    ASSIGN_OR_RETURN(x509::KeyPtr key, x509::GenerateKey());
    ASSIGN_OR_RETURN(std::string pem, x509::KeyToPem(key.get()));
    RETURN_IF_ERROR(WriteFileAtomic(p.service_account_key, pem, kKeyMode));
  } else {
    RETURN_IF_ERROR(LoadKey(p.service_account_key).status());
  }
  return p;
}

Result<IssuedCert> IssueClientCert(const CertPair& ca, const std::string& common_name,
                                   const std::vector<std::string>& organizations, int days) {
  x509::CertSpec spec = Client(common_name, organizations);
  spec.days = days;
  return Issue(ca, spec);
}

Result<IssuedCert> IssueServingCert(const CertPair& ca, const std::string& common_name,
                                    const std::vector<std::string>& sans, int days) {
  return Issue(ca, x509::CertSpec{x509::CertKind::kServer, common_name, {}, sans, days});
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(ErrnoText("reading " + path, errno));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return NotFound("reading " + path + ": I/O error");
  return out.str();
}

Status WriteFileAtomic(const std::string& path, const std::string& data, int mode) {
  std::string tmp = path + ".tmp.XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0) return Internal(ErrnoText("creating temp file for " + path, errno));
  auto fail = [&](const std::string& what) {
    Status st = Internal(ErrnoText(what + " " + tmp, errno));
    close(fd);
    unlink(tmp.c_str());
    return st;
  };
  // fchmod, not the open mode: the umask must not loosen or tighten what the caller asked for.
  if (fchmod(fd, static_cast<mode_t>(mode)) != 0) return fail("chmod");
  for (size_t done = 0; done < data.size();) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("writing");
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) return fail("fsync");
  if (close(fd) != 0) {
    unlink(tmp.c_str());
    return Internal(ErrnoText("closing " + tmp, errno));
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    Status st = Internal(ErrnoText("renaming " + tmp + " to " + path, errno));
    unlink(tmp.c_str());
    return st;
  }
  // Make the rename itself durable.
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return Status::Ok();
}

}  // namespace cluster::bootstrap
