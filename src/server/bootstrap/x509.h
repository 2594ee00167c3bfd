// OpenSSL helpers behind pki.cpp: ECDSA P-256 keys, X509v3 certificates with the extensions a
// Kubernetes CA, serving or client certificate needs, PEM conversion and SAN inspection.
// Every OpenSSL object is owned by a unique_ptr; failures come back as Status values with
// OpenSSL's error queue text appended. Functions are thread-safe (no shared state).
#pragma once

#include <openssl/types.h>

#include <ctime>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace cluster::bootstrap::x509 {

struct KeyFree {
  void operator()(EVP_PKEY* p) const;
};
struct CertFree {
  void operator()(X509* p) const;
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

enum class CertKind {
  kCa,            // CA:TRUE, keyCertSign/cRLSign/digitalSignature
  kServer,        // serverAuth
  kClient,        // clientAuth
  kServerClient,  // serverAuth + clientAuth (the store API's cert, also used for peers)
};

struct CertSpec {
  CertKind kind = CertKind::kClient;
  std::string common_name;
  std::vector<std::string> organizations;
  std::vector<std::string> sans;  // DNS names or IP literals (serving certs)
  int days = 365;
};

// A new ECDSA P-256 key.
Result<KeyPtr> GenerateKey();
Result<KeyPtr> ParseKeyPem(const std::string& pem);
Result<CertPtr> ParseCertPem(const std::string& pem);
Result<std::string> KeyToPem(EVP_PKEY* key);  // PKCS#8 "PRIVATE KEY"
Result<std::string> CertToPem(X509* cert);

// Builds and signs a certificate for `subject_key`. With issuer == nullptr the certificate is
// self-signed by subject_key (a root CA). kInvalid when a SAN is neither an IP literal nor a
// plausible DNS name.
Result<CertPtr> MakeCert(const CertSpec& spec, EVP_PKEY* subject_key, X509* issuer,
                         EVP_PKEY* issuer_key);

// The SAN's canonical form: an IP literal re-printed by inet_ntop ("::1", "10.0.0.1"), or a
// lower-cased DNS name; the empty string when it is neither.
std::string CanonicalSan(const std::string& san);
// The certificate's DNS and IP SANs, in canonical form.
std::set<std::string> CertSans(X509* cert);
// notAfter as Unix time; 0 when unparseable.
time_t NotAfter(X509* cert);
// True when `key` is the private key of `cert`.
bool KeyMatchesCert(X509* cert, EVP_PKEY* key);
// True when `cert` names `issuer` as its issuer and carries a valid signature by it.
bool SignedBy(X509* cert, X509* issuer);
// The subject's commonName ("" when absent).
std::string CommonName(X509* cert);

}  // namespace cluster::bootstrap::x509
