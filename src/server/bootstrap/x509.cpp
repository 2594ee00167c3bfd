#include "server/bootstrap/x509.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace cluster::bootstrap::x509 {

void KeyFree::operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
void CertFree::operator()(X509* p) const { X509_free(p); }

namespace {

struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct NamesFree {
  void operator()(GENERAL_NAMES* p) const { GENERAL_NAMES_free(p); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

// The message plus OpenSSL's queued errors (which are consumed, so they do not leak into
// unrelated later failures on this thread).
Status SslError(const std::string& what) {
  std::string msg = what;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    msg += msg == what ? ": " : "; ";
    msg += buf;
  }
  return Internal(msg);
}

BioPtr MemBio(const std::string& data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

bool IsDnsName(const std::string& s) {
  if (s.empty() || s.size() > 253 || s.front() == '.' || s.front() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '*' || c == '_';
  });
}

// A random positive 128-bit serial (RFC 5280 allows up to 20 octets).
Status SetRandomSerial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return SslError("RAND_bytes");
  bytes[0] &= 0x7f;  // positive
  bytes[0] |= 0x40;  // never zero, always 16 bytes
  std::unique_ptr<BIGNUM, BnFree> bn(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert))) {
    return SslError("setting serial number");
  }
  return Status::Ok();
}

Status SetSubject(X509* cert, const CertSpec& spec) {
  X509_NAME* name = X509_get_subject_name(cert);
  for (const auto& o : spec.organizations) {
    if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(o.c_str()), -1, -1, 0)) {
      return SslError("subject organization '" + o + "'");
    }
  }
  if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(spec.common_name.c_str()),
                                  -1, -1, 0)) {
    return SslError("subject common name '" + spec.common_name + "'");
  }
  return Status::Ok();
}

Status AddExt(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || !X509_add_ext(cert, ext.get(), -1)) {
    return SslError(std::string("extension ") + OBJ_nid2sn(nid) + "=" + value);
  }
  return Status::Ok();
}

// subjectAltName built as GENERAL_NAMES directly (not through a "DNS:a,IP:b" config string)
// so user-supplied names cannot inject extra entries.
Status AddSans(X509* cert, const std::vector<std::string>& sans) {
  if (sans.empty()) return Status::Ok();
  std::unique_ptr<GENERAL_NAMES, NamesFree> names(sk_GENERAL_NAME_new_null());
  if (!names) return SslError("allocating SANs");
  for (const auto& raw : sans) {
    std::string san = CanonicalSan(raw);
    if (san.empty()) return Invalid("not an IP address or DNS name: '" + raw + "'");
    GENERAL_NAME* gen = nullptr;
    if (ASN1_OCTET_STRING* ip = a2i_IPADDRESS(san.c_str())) {
      gen = GENERAL_NAME_new();
      if (gen)
        GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
      else
        ASN1_OCTET_STRING_free(ip);
    } else {
      ERR_clear_error();  // a2i_IPADDRESS failing is how we learn it is a DNS name
      ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
      if (dns && ASN1_STRING_set(dns, san.data(), static_cast<int>(san.size()))) {
        gen = GENERAL_NAME_new();
        if (gen) GENERAL_NAME_set0_value(gen, GEN_DNS, dns);
      }
      if (!gen) ASN1_IA5STRING_free(dns);
    }
    if (!gen || !sk_GENERAL_NAME_push(names.get(), gen)) {
      GENERAL_NAME_free(gen);
      return SslError("adding SAN '" + san + "'");
    }
  }
  if (!X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT)) {
    return SslError("adding subjectAltName");
  }
  return Status::Ok();
}

Status AddExtensions(X509* cert, X509* issuer, const CertSpec& spec) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, nullptr, nullptr, 0);
  if (spec.kind == CertKind::kCa) {
    RETURN_IF_ERROR(AddExt(cert, &ctx, NID_basic_constraints, "critical,CA:TRUE"));
    RETURN_IF_ERROR(
        AddExt(cert, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"));
    return AddExt(cert, &ctx, NID_subject_key_identifier, "hash");
  }
  RETURN_IF_ERROR(AddExt(cert, &ctx, NID_basic_constraints, "CA:FALSE"));
  RETURN_IF_ERROR(AddExt(cert, &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment"));
  const char* eku = spec.kind == CertKind::kServer   ? "serverAuth"
                    : spec.kind == CertKind::kClient ? "clientAuth"
                                                     : "serverAuth,clientAuth";
  RETURN_IF_ERROR(AddExt(cert, &ctx, NID_ext_key_usage, eku));
  RETURN_IF_ERROR(AddExt(cert, &ctx, NID_authority_key_identifier, "keyid:always"));
  return AddSans(cert, spec.sans);
}

}  // namespace

Result<KeyPtr> GenerateKey() {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return SslError("generating P-256 key");
  return key;
}

Result<KeyPtr> ParseKeyPem(const std::string& pem) {
  BioPtr bio = MemBio(pem);
  KeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) {
    ERR_clear_error();
    return Invalid("not a PEM private key");
  }
  return key;
}

Result<CertPtr> ParseCertPem(const std::string& pem) {
  BioPtr bio = MemBio(pem);
  CertPtr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) {
    ERR_clear_error();
    return Invalid("not a PEM certificate");
  }
  return cert;
}

Result<std::string> KeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) {
    return SslError("encoding private key");
  }
  return BioContents(bio.get());
}

Result<std::string> CertToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_X509(bio.get(), cert)) return SslError("encoding certificate");
  return BioContents(bio.get());
}

Result<CertPtr> MakeCert(const CertSpec& spec, EVP_PKEY* subject_key, X509* issuer,
                         EVP_PKEY* issuer_key) {
  if (spec.days <= 0) return Invalid("certificate validity must be at least one day");
  if ((issuer == nullptr) != (issuer_key == nullptr)) {
    return Internal("MakeCert: issuer certificate and key go together");
  }
  CertPtr cert(X509_new());
  if (!cert) return SslError("allocating certificate");
  X509* x = cert.get();
  if (!X509_set_version(x, X509_VERSION_3)) return SslError("setting version");
  RETURN_IF_ERROR(SetRandomSerial(x));
  RETURN_IF_ERROR(SetSubject(x, spec));
  if (!X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(x))) {
    return SslError("setting issuer");
  }
  // notBefore an hour back tolerates clocks that lag the server's.
  if (!X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
      !X509_time_adj_ex(X509_getm_notAfter(x), spec.days, 0, nullptr)) {
    return SslError("setting validity");
  }
  if (!X509_set_pubkey(x, subject_key)) return SslError("setting public key");
  RETURN_IF_ERROR(AddExtensions(x, issuer, spec));
  if (!X509_sign(x, issuer_key ? issuer_key : subject_key, EVP_sha256())) {
    return SslError("signing certificate");
  }
  return cert;
}

std::string CanonicalSan(const std::string& san) {
  unsigned char buf[sizeof(in6_addr)];
  char text[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, san.c_str(), buf) == 1) {
    return inet_ntop(AF_INET, buf, text, sizeof(text)) ? text : "";
  }
  if (inet_pton(AF_INET6, san.c_str(), buf) == 1) {
    return inet_ntop(AF_INET6, buf, text, sizeof(text)) ? text : "";
  }
  if (!IsDnsName(san)) return "";
  std::string lower = san;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

std::set<std::string> CertSans(X509* cert) {
  std::set<std::string> out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gen = sk_GENERAL_NAME_value(names, i);
    if (gen->type == GEN_DNS) {
      const ASN1_IA5STRING* s = gen->d.dNSName;
      out.insert(CanonicalSan(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                          static_cast<size_t>(ASN1_STRING_length(s)))));
    } else if (gen->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* s = gen->d.iPAddress;
      int len = ASN1_STRING_length(s);
      char text[INET6_ADDRSTRLEN];
      int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
      if (family && inet_ntop(family, ASN1_STRING_get0_data(s), text, sizeof(text))) {
        out.insert(text);
      }
    }
  }
  GENERAL_NAMES_free(names);
  out.erase("");
  return out;
}

time_t NotAfter(X509* cert) {
  struct tm tm;
  std::memset(&tm, 0, sizeof(tm));
  if (!ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm)) return 0;
  return timegm(&tm);
}

bool KeyMatchesCert(X509* cert, EVP_PKEY* key) {
  bool ok = X509_check_private_key(cert, key) == 1;
  ERR_clear_error();
  return ok;
}

bool SignedBy(X509* cert, X509* issuer) {
  if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(issuer)) != 0) return false;
  EVP_PKEY* issuer_pub = X509_get0_pubkey(issuer);
  bool ok = issuer_pub && X509_verify(cert, issuer_pub) == 1;
  ERR_clear_error();
  return ok;
}

std::string CommonName(X509* cert) {
  X509_NAME* name = X509_get_subject_name(cert);
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return "";
  ASN1_STRING* s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

}  // namespace cluster::bootstrap::x509
