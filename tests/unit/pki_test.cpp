#include "server/bootstrap/pki.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "common/base64.h"
#include "server/bootstrap/kubeconfig.h"
#include "server/bootstrap/x509.h"

using namespace cluster;
using namespace cluster::bootstrap;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/pki_test.XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string Slurp(const std::string& path) {
  auto r = ReadFile(path);
  REQUIRE(r.ok());
  return *r;
}

int Mode(const std::string& path) {
  struct stat st;
  REQUIRE(stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

x509::CertPtr LoadCert(const std::string& path) {
  auto cert = x509::ParseCertPem(Slurp(path));
  REQUIRE(cert.ok());
  return std::move(cert).value();
}

std::string NameField(X509* cert, int nid) {
  char buf[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), nid, buf, sizeof(buf));
  return buf;
}

// X509_verify_cert against a store holding only `ca_path`, for the given TLS purpose.
bool Verifies(const std::string& ca_path, X509* cert, int purpose) {
  x509::CertPtr ca = LoadCert(ca_path);
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert, nullptr);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  bool ok = X509_verify_cert(ctx) == 1;
  if (!ok) UNSCOPED_INFO(X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

// Runs a shell command; returns its exit status and fills `out` with stdout+stderr.
int Run(const std::string& cmd, std::string* out) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[512];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out->append(buf, n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

bool HaveTool(const char* name) {
  std::string out;
  return Run(std::string("command -v ") + name, &out) == 0;
}

PkiPaths MustEnsure(const PkiOptions& opts) {
  auto r = EnsurePki(opts);
  if (!r.ok()) FAIL(r.status().ToString());
  return *r;
}

std::vector<CertPair> AllPairs(const PkiPaths& p) {
  return {p.server_ca,      p.client_ca, p.serving,     p.admin,
          p.kubelet_client, p.etcd_ca,   p.etcd_server, p.etcd_client};
}

// A mutual-TLS handshake in memory: a server with `server` pair requiring clients signed by
// `client_ca`, and a client with `client` pair checking the server against `server_ca` and
// `host`. Returns "" on success or the reason.
std::string Handshake(const CertPair& server, const std::string& client_ca, const CertPair& client,
                      const std::string& server_ca, const std::string& host) {
  SSL_CTX* sctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX* cctx = SSL_CTX_new(TLS_client_method());
  std::string err;
  if (SSL_CTX_use_certificate_file(sctx, server.cert.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_use_PrivateKey_file(sctx, server.key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_load_verify_locations(sctx, client_ca.c_str(), nullptr) != 1 ||
      SSL_CTX_use_certificate_file(cctx, client.cert.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_use_PrivateKey_file(cctx, client.key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_load_verify_locations(cctx, server_ca.c_str(), nullptr) != 1) {
    err = "loading credentials";
  }
  SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, nullptr);
  SSL* s = SSL_new(sctx);
  SSL* c = SSL_new(cctx);
  SSL_set1_host(c, host.c_str());
  BIO* bs = nullptr;
  BIO* bc = nullptr;
  BIO_new_bio_pair(&bs, 0, &bc, 0);
  SSL_set_bio(s, bs, bs);
  SSL_set_bio(c, bc, bc);
  SSL_set_accept_state(s);
  SSL_set_connect_state(c);
  bool s_done = false, c_done = false;
  for (int i = 0; err.empty() && i < 100 && !(s_done && c_done); ++i) {
    int rc = SSL_do_handshake(c);
    if (rc == 1)
      c_done = true;
    else if (SSL_get_error(c, rc) != SSL_ERROR_WANT_READ) {
      err = std::string("client: ") + X509_verify_cert_error_string(SSL_get_verify_result(c));
    }
    rc = SSL_do_handshake(s);
    if (rc == 1)
      s_done = true;
    else if (err.empty() && SSL_get_error(s, rc) != SSL_ERROR_WANT_READ) {
      err = std::string("server: ") + X509_verify_cert_error_string(SSL_get_verify_result(s));
    }
  }
  if (err.empty() && !(s_done && c_done)) err = "handshake did not finish";
  ERR_clear_error();
  SSL_free(c);
  SSL_free(s);
  SSL_CTX_free(cctx);
  SSL_CTX_free(sctx);
  return err;
}

}  // namespace

TEST_CASE("EnsurePki creates the whole layout with private keys 0600", "[pki]") {
  TempDir tmp;
  PkiOptions opts;
  opts.tls_dir = tmp.path + "/server/tls";
  PkiPaths p = MustEnsure(opts);
  CHECK(p.dir == opts.tls_dir);
  CHECK(p.serving.cert == opts.tls_dir + "/serving-kube-apiserver.crt");
  CHECK(p.etcd_server.key == opts.tls_dir + "/etcd/server-client.key");
  CHECK(Mode(opts.tls_dir) == 0700);
  CHECK(Mode(opts.tls_dir + "/etcd") == 0700);
  for (const auto& pair : AllPairs(p)) {
    INFO(pair.cert);
    CHECK(Mode(pair.key) == 0600);
    CHECK(Mode(pair.cert) == 0644);
    x509::CertPtr cert = LoadCert(pair.cert);
    CHECK(X509_get_version(cert.get()) == X509_VERSION_3);
    // notBefore is backdated for clock skew.
    time_t now = time(nullptr);
    CHECK(X509_cmp_time(X509_get0_notBefore(cert.get()), &now) < 0);
  }
  // No temp files are left behind.
  for (const auto& e : fs::recursive_directory_iterator(opts.tls_dir)) {
    CHECK(e.path().string().find(".tmp.") == std::string::npos);
  }

  x509::CertPtr ca = LoadCert(p.server_ca.cert);
  CHECK(x509::CommonName(ca.get()).rfind("cluster-server-ca@", 0) == 0);
  CHECK(X509_check_ca(ca.get()) >= 1);
  CHECK(x509::NotAfter(ca.get()) > time(nullptr) + 3600L * 24 * 3640);
  CHECK(x509::CommonName(LoadCert(p.client_ca.cert).get()).rfind("cluster-client-ca@", 0) == 0);
  CHECK(x509::CommonName(LoadCert(p.etcd_ca.cert).get()).rfind("cluster-etcd-server-ca@", 0) == 0);
}

TEST_CASE("EnsurePki reuses existing files byte for byte", "[pki]") {
  TempDir tmp;
  PkiOptions opts;
  opts.tls_dir = tmp.path + "/tls";
  PkiPaths p = MustEnsure(opts);
  std::vector<std::string> before;
  for (const auto& pair : AllPairs(p)) {
    before.push_back(Slurp(pair.cert));
    before.push_back(Slurp(pair.key));
  }
  PkiPaths again = MustEnsure(opts);
  std::vector<std::string> after;
  for (const auto& pair : AllPairs(again)) {
    after.push_back(Slurp(pair.cert));
    after.push_back(Slurp(pair.key));
  }
  CHECK(before == after);
}

TEST_CASE("client certificates carry identity and verify against the client CA", "[pki]") {
  TempDir tmp;
  PkiOptions opts;
  opts.tls_dir = tmp.path + "/tls";
  PkiPaths p = MustEnsure(opts);

  x509::CertPtr admin = LoadCert(p.admin.cert);
  CHECK(NameField(admin.get(), NID_commonName) == "admin");
  CHECK(NameField(admin.get(), NID_organizationName) == "system:masters");
  CHECK(X509_check_ca(admin.get()) == 0);
  CHECK(Verifies(p.client_ca.cert, admin.get(), X509_PURPOSE_SSL_CLIENT));
  CHECK_FALSE(Verifies(p.server_ca.cert, admin.get(), X509_PURPOSE_SSL_CLIENT));
  CHECK_FALSE(Verifies(p.client_ca.cert, admin.get(), X509_PURPOSE_SSL_SERVER));

  x509::CertPtr kubelet = LoadCert(p.kubelet_client.cert);
  CHECK(x509::CommonName(kubelet.get()) == "kube-apiserver-kubelet-client");
  CHECK(Verifies(p.client_ca.cert, kubelet.get(), X509_PURPOSE_SSL_CLIENT));

  x509::CertPtr etcd_client = LoadCert(p.etcd_client.cert);
  CHECK(x509::CommonName(etcd_client.get()) == "etcd-client");
  CHECK(Verifies(p.etcd_ca.cert, etcd_client.get(), X509_PURPOSE_SSL_CLIENT));
  x509::CertPtr etcd_server = LoadCert(p.etcd_server.cert);
  CHECK(Verifies(p.etcd_ca.cert, etcd_server.get(), X509_PURPOSE_SSL_SERVER));
  CHECK(x509::CertSans(etcd_server.get()) == std::set<std::string>{"127.0.0.1", "localhost"});
}

TEST_CASE("the serving certificate verifies and lists the wanted SANs", "[pki]") {
  TempDir tmp;
  PkiOptions opts;
  opts.tls_dir = tmp.path + "/tls";
  opts.extra_sans = {"Cluster.Example.COM", "192.0.2.7", "2001:DB8::1"};
  PkiPaths p = MustEnsure(opts);
  x509::CertPtr serving = LoadCert(p.serving.cert);
  CHECK(Verifies(p.server_ca.cert, serving.get(), X509_PURPOSE_SSL_SERVER));
  CHECK_FALSE(Verifies(p.client_ca.cert, serving.get(), X509_PURPOSE_SSL_SERVER));
  auto sans = x509::CertSans(serving.get());
  for (const char* want : {"127.0.0.1", "localhost", "kubernetes", "kubernetes.default",
                           "kubernetes.default.svc", "kubernetes.default.svc.cluster.local",
                           "10.43.0.1", "cluster.example.com", "192.0.2.7", "2001:db8::1"}) {
    INFO(want);
    CHECK(sans.count(want) == 1);
  }
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  CHECK(sans.count(x509::CanonicalSan(host)) == 1);
  // Hostname and IP checks as a TLS client does them.
  CHECK(X509_check_host(serving.get(), "kubernetes.default.svc", 0, 0, nullptr) == 1);
  CHECK(X509_check_ip_asc(serving.get(), "10.43.0.1", 0) == 1);
  CHECK(X509_check_ip_asc(serving.get(), "2001:db8::1", 0) == 1);
  CHECK(X509_check_host(serving.get(), "evil.example.com", 0, 0, nullptr) != 1);
}

TEST_CASE("openssl verify accepts the certificates for their purpose", "[pki]") {
  if (!HaveTool("openssl")) {
    WARN("openssl not installed; skipped");
    return;
  }
  TempDir tmp;
  PkiOptions opts;
  opts.tls_dir = tmp.path + "/tls";
  PkiPaths p = MustEnsure(opts);
  std::string out;
  CHECK(Run("openssl verify -CAfile " + p.server_ca.cert +
                " -purpose sslserver -verify_hostname kubernetes.default.svc.cluster.local " +
                p.serving.cert,
            &out) == 0);
  CHECK(
      Run("openssl verify -CAfile " + p.server_ca.cert + " -verify_ip 127.0.0.1 " + p.serving.cert,
          &out) == 0);
  CHECK(Run("openssl verify -CAfile " + p.client_ca.cert + " -purpose sslclient " + p.admin.cert,
            &out) == 0);
  INFO(out);
  CHECK(Run("openssl verify -CAfile " + p.server_ca.cert + " " + p.admin.cert, &out) != 0);
}

TEST_CASE("mutual TLS handshake with the issued certificates", "[pki]") {
  TempDir tmp;
  PkiOptions opts;
  opts.tls_dir = tmp.path + "/tls";
  PkiPaths p = MustEnsure(opts);
  CHECK(Handshake(p.serving, p.client_ca.cert, p.admin, p.server_ca.cert, "kubernetes.default") ==
        "");
  CHECK(Handshake(p.etcd_server, p.etcd_ca.cert, p.etcd_client, p.etcd_ca.cert, "localhost") == "");
  // Wrong name, wrong CA on either side: refused.
  CHECK(Handshake(p.serving, p.client_ca.cert, p.admin, p.server_ca.cert, "other.example") != "");
  CHECK(Handshake(p.serving, p.client_ca.cert, p.admin, p.client_ca.cert, "kubernetes") != "");
  CHECK(Handshake(p.serving, p.etcd_ca.cert, p.admin, p.server_ca.cert, "kubernetes") != "");
}

TEST_CASE("the serving certificate is renewed when a SAN is added", "[pki]") {
  TempDir tmp;
  PkiOptions opts;
  opts.tls_dir = tmp.path + "/tls";
  PkiPaths p = MustEnsure(opts);
  std::string ca = Slurp(p.server_ca.cert);
  std::string serving = Slurp(p.serving.cert);
  std::string admin = Slurp(p.admin.cert);

  opts.extra_sans = {"api.example.org"};
  MustEnsure(opts);
  std::string renewed = Slurp(p.serving.cert);
  CHECK(renewed != serving);
  CHECK(Slurp(p.server_ca.cert) == ca);
  CHECK(Slurp(p.admin.cert) == admin);
  x509::CertPtr cert = LoadCert(p.serving.cert);
  CHECK(x509::CertSans(cert.get()).count("api.example.org") == 1);
  CHECK(Verifies(p.server_ca.cert, cert.get(), X509_PURPOSE_SSL_SERVER));
  CHECK(Mode(p.serving.key) == 0600);

  // Same options again: nothing changes. Dropping the SAN does not force a renewal either.
  MustEnsure(opts);
  CHECK(Slurp(p.serving.cert) == renewed);
  opts.extra_sans.clear();
  MustEnsure(opts);
  CHECK(Slurp(p.serving.cert) == renewed);
}

TEST_CASE("a serving certificate close to expiry is renewed", "[pki]") {
  TempDir tmp;
  PkiOptions opts;
  opts.tls_dir = tmp.path + "/tls";
  PkiPaths p = MustEnsure(opts);
  x509::CertPtr old = LoadCert(p.serving.cert);
  auto sans_set = x509::CertSans(old.get());
  std::vector<std::string> sans(sans_set.begin(), sans_set.end());
  auto shortlived = IssueServingCert(p.server_ca, "kube-apiserver", sans, 30);
  REQUIRE(shortlived.ok());
  REQUIRE(WriteFileAtomic(p.serving.cert, shortlived->cert_pem, 0644).ok());
  REQUIRE(WriteFileAtomic(p.serving.key, shortlived->key_pem, 0600).ok());

  MustEnsure(opts);
  x509::CertPtr renewed = LoadCert(p.serving.cert);
  CHECK(Slurp(p.serving.cert) != shortlived->cert_pem);
  CHECK(x509::NotAfter(renewed.get()) > time(nullptr) + 3600L * 24 * 300);
}

TEST_CASE("a corrupted file is an error naming it, and the CA is not replaced", "[pki]") {
  TempDir tmp;
  PkiOptions opts;
  opts.tls_dir = tmp.path + "/tls";
  PkiPaths p = MustEnsure(opts);

  SECTION("CA certificate") {
    REQUIRE(WriteFileAtomic(p.server_ca.cert, "garbage\n", 0644).ok());
    auto r = EnsurePki(opts);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("server-ca.crt") != std::string::npos);
    CHECK(Slurp(p.server_ca.cert) == "garbage\n");
  }
  SECTION("CA key") {
    std::string key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    REQUIRE(WriteFileAtomic(p.client_ca.key, key, 0600).ok());
    auto r = EnsurePki(opts);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("client-ca.key") != std::string::npos);
    CHECK(Slurp(p.client_ca.key) == key);
  }
  SECTION("CA key of another CA") {
    REQUIRE(WriteFileAtomic(p.etcd_ca.key, Slurp(p.server_ca.key), 0600).ok());
    auto r = EnsurePki(opts);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("does not match") != std::string::npos);
  }
  SECTION("CA key missing while its certificate exists") {
    fs::remove(p.server_ca.key);
    auto r = EnsurePki(opts);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("server-ca.key") != std::string::npos);
    CHECK_FALSE(fs::exists(p.server_ca.key));
  }
  SECTION("leaf certificate") {
    REQUIRE(WriteFileAtomic(p.admin.cert, "", 0644).ok());
    auto r = EnsurePki(opts);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("client-admin.crt") != std::string::npos);
  }
}

TEST_CASE("missing pieces are recreated consistently", "[pki]") {
  TempDir tmp;
  PkiOptions opts;
  opts.tls_dir = tmp.path + "/tls";
  PkiPaths p = MustEnsure(opts);
  std::string ca_key = Slurp(p.client_ca.key);
  std::string admin = Slurp(p.admin.cert);

  SECTION("a leaf") {
    fs::remove(p.etcd_client.key);
    MustEnsure(opts);
    x509::CertPtr cert = LoadCert(p.etcd_client.cert);
    CHECK(Verifies(p.etcd_ca.cert, cert.get(), X509_PURPOSE_SSL_CLIENT));
    auto key = x509::ParseKeyPem(Slurp(p.etcd_client.key));
    REQUIRE(key.ok());
    CHECK(x509::KeyMatchesCert(cert.get(), key->get()));
  }
  SECTION("a CA certificate whose key survived keeps the key and re-signs its leaves") {
    fs::remove(p.client_ca.cert);
    MustEnsure(opts);
    CHECK(Slurp(p.client_ca.key) == ca_key);
    // The admin certificate is re-issued unless the new CA has the same name (same second).
    x509::CertPtr cert = LoadCert(p.admin.cert);
    CHECK(Verifies(p.client_ca.cert, cert.get(), X509_PURPOSE_SSL_CLIENT));
  }
  SECTION("a whole CA: a new CA, and its leaves are re-issued") {
    fs::remove(p.client_ca.cert);
    fs::remove(p.client_ca.key);
    MustEnsure(opts);
    CHECK(Slurp(p.client_ca.key) != ca_key);
    CHECK(Slurp(p.admin.cert) != admin);
    for (const auto& pair : {p.admin, p.kubelet_client}) {
      x509::CertPtr cert = LoadCert(pair.cert);
      CHECK(Verifies(p.client_ca.cert, cert.get(), X509_PURPOSE_SSL_CLIENT));
    }
  }
}

TEST_CASE("IssueClientCert and IssueServingCert sign with the given CA", "[pki]") {
  TempDir tmp;
  PkiOptions opts;
  opts.tls_dir = tmp.path + "/tls";
  PkiPaths p = MustEnsure(opts);

  auto node = IssueClientCert(p.client_ca, "system:node:worker-1", {"system:nodes", "extra"}, 365);
  REQUIRE(node.ok());
  auto cert = x509::ParseCertPem(node->cert_pem);
  REQUIRE(cert.ok());
  CHECK(x509::CommonName(cert->get()) == "system:node:worker-1");
  X509_NAME* name = X509_get_subject_name(cert->get());
  CHECK(X509_NAME_entry_count(name) == 3);
  CHECK(Verifies(p.client_ca.cert, cert->get(), X509_PURPOSE_SSL_CLIENT));
  auto key = x509::ParseKeyPem(node->key_pem);
  REQUIRE(key.ok());
  CHECK(x509::KeyMatchesCert(cert->get(), key->get()));
  CHECK(EVP_PKEY_is_a(key->get(), "EC"));
  CHECK(EVP_PKEY_get_bits(key->get()) == 256);

  // Distinct serials, 128 bits at most.
  auto other = IssueClientCert(p.client_ca, "system:node:worker-1", {"system:nodes"}, 365);
  REQUIRE(other.ok());
  auto other_cert = x509::ParseCertPem(other->cert_pem);
  REQUIRE(other_cert.ok());
  CHECK(ASN1_INTEGER_cmp(X509_get0_serialNumber(cert->get()),
                         X509_get0_serialNumber(other_cert->get())) != 0);

  auto kubelet =
      IssueServingCert(p.server_ca, "worker-1", {"worker-1", "10.0.0.5", "fd00::5"}, 365);
  REQUIRE(kubelet.ok());
  auto serving = x509::ParseCertPem(kubelet->cert_pem);
  REQUIRE(serving.ok());
  CHECK(x509::CertSans(serving->get()) == std::set<std::string>{"worker-1", "10.0.0.5", "fd00::5"});
  CHECK(Verifies(p.server_ca.cert, serving->get(), X509_PURPOSE_SSL_SERVER));

  CHECK_FALSE(IssueServingCert(p.server_ca, "x", {"bad name,DNS:evil"}, 365).ok());
  CHECK_FALSE(IssueClientCert(p.client_ca, "x", {}, 0).ok());
  CHECK(IssueClientCert(CertPair{tmp.path + "/nope.crt", tmp.path + "/nope.key"}, "x", {}, 1)
            .status()
            .code() == Code::kNotFound);
}

TEST_CASE("an invalid --tls-san is refused", "[pki]") {
  TempDir tmp;
  PkiOptions opts;
  opts.tls_dir = tmp.path + "/tls";
  opts.extra_sans = {"has space"};
  auto r = EnsurePki(opts);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("has space") != std::string::npos);
}

TEST_CASE("WriteFileAtomic replaces content and sets the mode", "[pki]") {
  TempDir tmp;
  std::string path = tmp.path + "/f";
  REQUIRE(WriteFileAtomic(path, "one", 0644).ok());
  REQUIRE(WriteFileAtomic(path, "two", 0600).ok());
  CHECK(Slurp(path) == "two");
  CHECK(Mode(path) == 0600);
  CHECK(ReadFile(tmp.path + "/missing").status().code() == Code::kNotFound);
  CHECK_FALSE(WriteFileAtomic(tmp.path + "/no/such/dir/f", "x", 0600).ok());
}

TEST_CASE("WriteKubeconfig writes a kubeconfig kubectl understands", "[pki][kubeconfig]") {
  TempDir tmp;
  PkiOptions opts;
  opts.tls_dir = tmp.path + "/tls";
  PkiPaths p = MustEnsure(opts);
  std::string ca = Slurp(p.server_ca.cert);
  std::string cert = Slurp(p.admin.cert);
  std::string key = Slurp(p.admin.key);
  std::string path = tmp.path + "/etc/cluster/cluster.yaml";
  REQUIRE(WriteKubeconfig(path, 0600, "https://127.0.0.1:6443", ca, cert, key).ok());
  CHECK(Mode(path) == 0600);

  YAML::Node doc = YAML::LoadFile(path);
  CHECK(doc["apiVersion"].as<std::string>() == "v1");
  CHECK(doc["kind"].as<std::string>() == "Config");
  CHECK(doc["current-context"].as<std::string>() == "default");
  REQUIRE(doc["clusters"].size() == 1);
  CHECK(doc["clusters"][0]["name"].as<std::string>() == "default");
  CHECK(doc["clusters"][0]["cluster"]["server"].as<std::string>() == "https://127.0.0.1:6443");
  CHECK(Base64Decode(doc["clusters"][0]["cluster"]["certificate-authority-data"].as<std::string>())
            .value_or("") == ca);
  REQUIRE(doc["users"].size() == 1);
  CHECK(doc["users"][0]["name"].as<std::string>() == "default");
  CHECK(Base64Decode(doc["users"][0]["user"]["client-certificate-data"].as<std::string>())
            .value_or("") == cert);
  CHECK(Base64Decode(doc["users"][0]["user"]["client-key-data"].as<std::string>()).value_or("") ==
        key);
  REQUIRE(doc["contexts"].size() == 1);
  CHECK(doc["contexts"][0]["name"].as<std::string>() == "default");
  CHECK(doc["contexts"][0]["context"]["cluster"].as<std::string>() == "default");
  CHECK(doc["contexts"][0]["context"]["user"].as<std::string>() == "default");

  // Custom names, rewritten in place with a new mode.
  REQUIRE(
      WriteKubeconfig(path, 0644, "https://10.0.0.1:6443", ca, cert, key, "edge", "admin").ok());
  CHECK(Mode(path) == 0644);
  doc = YAML::LoadFile(path);
  CHECK(doc["current-context"].as<std::string>() == "edge");
  CHECK(doc["contexts"][0]["context"]["user"].as<std::string>() == "admin");
  CHECK(doc["users"][0]["name"].as<std::string>() == "admin");

  if (HaveTool("kubectl")) {
    std::string out;
    int rc = Run("kubectl config view --kubeconfig " + path +
                     " --raw -o jsonpath='{.clusters[0].cluster.server} {.users[0].name}'",
                 &out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out == "https://10.0.0.1:6443 admin");
  }
}
