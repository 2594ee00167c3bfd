// The cluster's PKI, created with OpenSSL on first start under DATA_DIR/server/tls/ and reused
// afterwards (keys are written 0600). Layout:
//   server-ca.{crt,key}                 cluster CA (10 years): signs serving certificates
//   client-ca.{crt,key}                 client CA (10 years): signs client certificates
//   serving-kube-apiserver.{crt,key}    apiserver serving cert (1 year; SANs 127.0.0.1,
//                                       localhost, kubernetes.default.svc..., the host name,
//                                       node IPs, the first service IP and --tls-san); renewed
//                                       at start when within 90 days of expiry or SANs changed
//   client-admin.{crt,key}              CN=admin, O=system:masters
//   client-kube-apiserver.{crt,key}     CN=kube-apiserver-kubelet-client (apiserver → kubelets)
//   etcd/server-ca.{crt,key}            store CA: signs the store API's certificates
//   etcd/server-client.{crt,key}        store API serving cert (127.0.0.1, localhost)
//   etcd/client.{crt,key}               store API client cert (CN=etcd-client)
//   service.key                         signs service account tokens (never replaced)
// Not thread-safe against concurrent EnsurePki calls on the same directory (one server owns it).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace cluster::bootstrap {

struct PkiOptions {
  std::string tls_dir;                  // DATA_DIR/server/tls
  std::vector<std::string> extra_sans;  // DNS names or IP addresses
  std::string service_ip = "10.43.0.1";
};

struct CertPair {
  std::string cert;  // path to PEM certificate
  std::string key;   // path to PEM private key
};

struct PkiPaths {
  std::string dir;
  CertPair server_ca;
  CertPair client_ca;
  CertPair serving;
  CertPair admin;
  CertPair kubelet_client;
  CertPair etcd_ca;
  CertPair etcd_server;
  CertPair etcd_client;
  std::string service_account_key;  // PEM private key (ECDSA P-256)
};

// Creates what is missing, renews the serving certificate when needed, returns the paths.
// Keys are ECDSA P-256. Every leaf (not only the serving cert) is re-issued with a fresh key
// when it expires within 90 days, no longer matches its key, or was not signed by its current
// CA (e.g. a CA removed by hand and re-created). An unreadable or corrupted file is an error
// naming that file; a CA key is never replaced (a CA certificate whose key is missing is an
// error; a CA key whose certificate is missing gets a new certificate for the same key).
// kInvalid also when an extra SAN is neither an IP literal nor a DNS name.
Result<PkiPaths> EnsurePki(const PkiOptions& opts);

// A PEM certificate and key in memory.
struct IssuedCert {
  std::string cert_pem;
  std::string key_pem;
};

// Signs a new client certificate (CN=common_name, O=organizations) with the CA at `ca`.
Result<IssuedCert> IssueClientCert(const CertPair& ca, const std::string& common_name,
                                   const std::vector<std::string>& organizations, int days);
// Signs a new serving certificate for the given DNS names / IPs with the CA at `ca`.
Result<IssuedCert> IssueServingCert(const CertPair& ca, const std::string& common_name,
                                    const std::vector<std::string>& sans, int days);

// Reads a whole file (for embedding PEMs into kubeconfigs); kNotFound when unreadable.
Result<std::string> ReadFile(const std::string& path);
// Writes a file atomically (temp + rename) with the given mode.
Status WriteFileAtomic(const std::string& path, const std::string& data, int mode);

}  // namespace cluster::bootstrap
