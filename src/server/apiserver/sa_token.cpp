#include "server/apiserver/sa_token.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>

#include "common/base64.h"
#include "common/ids.h"
#include "common/json.h"

namespace cluster::server {

struct ServiceAccountTokens::Key {
  EVP_PKEY* pkey = nullptr;
  std::string kid;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

constexpr int64_t kLeewaySeconds = 60;

std::string Base64Url(std::string_view data) {
  std::string s = Base64Encode(data);
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

std::optional<std::string> FromBase64Url(std::string_view text) {
  std::string s(text);
  for (char& c : s) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (c == '+' || c == '/' || c == '=')
      return std::nullopt;
  }
  while (s.size() % 4) s += '=';
  return Base64Decode(s);
}

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ES256: ECDSA P-256 over SHA-256, the signature as r || s (32 bytes each).
std::optional<std::string> SignEs256(EVP_PKEY* key, std::string_view data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::string der(EVP_PKEY_size(key), '\0');
  size_t len = der.size();
  bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(der.data()), &len,
                           reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return std::nullopt;
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len));
  if (sig == nullptr) return std::nullopt;
  const BIGNUM *r = nullptr, *s = nullptr;
  ECDSA_SIG_get0(sig, &r, &s);
  std::string out(64, '\0');
  ok = BN_bn2binpad(r, reinterpret_cast<unsigned char*>(out.data()), 32) == 32 &&
       BN_bn2binpad(s, reinterpret_cast<unsigned char*>(out.data()) + 32, 32) == 32;
  ECDSA_SIG_free(sig);
  if (!ok) return std::nullopt;
  return out;
}

bool VerifyEs256(EVP_PKEY* key, std::string_view data, std::string_view rs) {
  if (rs.size() != 64) return false;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(rs.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(rs.data()) + 32, 32, nullptr);
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (der_len <= 0) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, der, static_cast<size_t>(der_len),
                             reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  // A forged signature leaves errors on this thread's OpenSSL queue, where the thread's next
  // TLS call would find them.
  if (!ok) ERR_clear_error();
  return ok;
}

Status Unauthorized(const std::string& why) {
  return Status(Code::kUnauthorized, "service account token: " + why);
}

}  // namespace

Result<std::shared_ptr<const ServiceAccountTokens>> ServiceAccountTokens::Create(
    const std::string& key_pem, std::vector<std::string> audiences) {
  auto key = std::make_unique<Key>();
  BIO* bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  key->pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key->pkey == nullptr || EVP_PKEY_base_id(key->pkey) != EVP_PKEY_EC)
    return Status(Code::kInvalid, "service account key: not an EC private key");
  // kid: SHA-256 of the public key (PKIX DER), base64url, as upstream.
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key->pkey, &der);
  if (len <= 0) return Status(Code::kInternal, "service account key: cannot encode public key");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  EVP_Digest(der, static_cast<size_t>(len), md, &md_len, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  key->kid = Base64Url(std::string_view(reinterpret_cast<char*>(md), md_len));
  return std::shared_ptr<const ServiceAccountTokens>(
      new ServiceAccountTokens(std::move(key), std::move(audiences)));
}

ServiceAccountTokens::ServiceAccountTokens(std::unique_ptr<Key> key,
                                           std::vector<std::string> audiences)
    : key_(std::move(key)), audiences_(std::move(audiences)) {}

ServiceAccountTokens::~ServiceAccountTokens() = default;

Result<std::string> ServiceAccountTokens::Issue(const ServiceAccountRef& sa,
                                                const std::vector<std::string>& audiences,
                                                int64_t seconds,
                                                const std::optional<BoundObject>& bound,
                                                int64_t* expires) const {
  const int64_t now = Now();
  const int64_t exp = now + seconds;
  rapidjson::StringBuffer header;
  {
    rapidjson::Writer<rapidjson::StringBuffer> w(header);
    w.StartObject();
    w.Key("alg");
    w.String("ES256");
    w.Key("kid");
    w.String(key_->kid.c_str());
    w.EndObject();
  }
  rapidjson::StringBuffer claims;
  {
    rapidjson::Writer<rapidjson::StringBuffer> w(claims);
    auto str = [&w](const std::string& s) { w.String(s.c_str(), static_cast<unsigned>(s.size())); };
    w.StartObject();
    w.Key("aud");
    w.StartArray();
    for (const auto& a : audiences.empty() ? audiences_ : audiences) str(a);
    w.EndArray();
    w.Key("exp");
    w.Int64(exp);
    w.Key("iat");
    w.Int64(now);
    w.Key("iss");
    w.String(kIssuer);
    w.Key("jti");
    str(NewUuid());
    w.Key("kubernetes.io");
    w.StartObject();
    w.Key("namespace");
    str(sa.ns);
    if (bound) {
      std::string k = bound->kind == "Pod" ? "pod" : bound->kind == "Secret" ? "secret" : "node";
      w.Key(k.c_str());
      w.StartObject();
      w.Key("name");
      str(bound->name);
      w.Key("uid");
      str(bound->uid);
      w.EndObject();
    }
    w.Key("serviceaccount");
    w.StartObject();
    w.Key("name");
    str(sa.name);
    w.Key("uid");
    str(sa.uid);
    w.EndObject();
    w.EndObject();
    w.Key("nbf");
    w.Int64(now);
    w.Key("sub");
    str("system:serviceaccount:" + sa.ns + ":" + sa.name);
    w.EndObject();
  }
  std::string signing_input = Base64Url({header.GetString(), header.GetSize()}) + "." +
                              Base64Url({claims.GetString(), claims.GetSize()});
  auto sig = SignEs256(key_->pkey, signing_input);
  if (!sig) return Status(Code::kInternal, "signing the service account token failed");
  if (expires) *expires = exp;
  return signing_input + "." + Base64Url(*sig);
}

Result<VerifiedToken> ServiceAccountTokens::Verify(
    std::string_view token, const std::vector<std::string>& audiences) const {
  size_t d1 = token.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos)
    return Unauthorized("not a JWT");
  auto header_json = FromBase64Url(token.substr(0, d1));
  auto claims_json = FromBase64Url(token.substr(d1 + 1, d2 - d1 - 1));
  auto sig = FromBase64Url(token.substr(d2 + 1));
  if (!header_json || !claims_json || !sig) return Unauthorized("malformed encoding");
  auto header = json::Parse(*header_json, 8);
  if (!header.ok() || json::GetString(*header, {"alg"}) != "ES256")
    return Unauthorized("unsupported algorithm");
  if (!VerifyEs256(key_->pkey, token.substr(0, d2), *sig)) return Unauthorized("bad signature");
  auto claims = json::Parse(*claims_json, 8);
  if (!claims.ok() || !claims->IsObject()) return Unauthorized("malformed claims");
  if (json::GetString(*claims, {"iss"}) != kIssuer) return Unauthorized("wrong issuer");
  const int64_t now = Now();
  if (json::GetInt(*claims, {"exp"}, 0) + kLeewaySeconds < now) return Unauthorized("expired");
  if (json::GetInt(*claims, {"nbf"}, 0) - kLeewaySeconds > now)
    return Unauthorized("not yet valid");
  const std::vector<std::string>& want = audiences.empty() ? audiences_ : audiences;
  bool aud_ok = false;
  if (const json::Value* aud = json::Find(*claims, {"aud"}); aud && aud->IsArray())
    for (auto& a : aud->GetArray())
      if (a.IsString() && std::find(want.begin(), want.end(), a.GetString()) != want.end())
        aud_ok = true;
  if (!aud_ok) return Unauthorized("wrong audience");
  VerifiedToken v;
  v.sa.ns = json::GetString(*claims, {"kubernetes.io", "namespace"});
  v.sa.name = json::GetString(*claims, {"kubernetes.io", "serviceaccount", "name"});
  v.sa.uid = json::GetString(*claims, {"kubernetes.io", "serviceaccount", "uid"});
  if (v.sa.ns.empty() || v.sa.name.empty() ||
      json::GetString(*claims, {"sub"}) != "system:serviceaccount:" + v.sa.ns + ":" + v.sa.name)
    return Unauthorized("malformed subject");
  for (const char* k : {"pod", "secret", "node"}) {
    if (json::Find(*claims, {"kubernetes.io", k}) == nullptr) continue;
    BoundObject b;
    b.kind = std::string(k) == "pod" ? "Pod" : std::string(k) == "secret" ? "Secret" : "Node";
    b.name = json::GetString(*claims, {"kubernetes.io", k, "name"});
    b.uid = json::GetString(*claims, {"kubernetes.io", k, "uid"});
    v.bound = b;
  }
  return v;
}

namespace {

class SaAuthenticator : public TokenAuthenticator {
 public:
  SaAuthenticator(std::shared_ptr<const ServiceAccountTokens> tokens, UidLookup lookup)
      : tokens_(std::move(tokens)), lookup_(std::move(lookup)) {}

  std::optional<UserInfo> Authenticate(std::string_view token,
                                       const std::vector<std::string>& audiences) const override {
    auto v = tokens_->Verify(token, audiences);
    if (!v.ok()) return std::nullopt;
    // Tokens die with their account (and bound object): a re-created one has a new uid.
    auto uid = lookup_("ServiceAccount", v->sa.ns, v->sa.name);
    if (!uid || *uid != v->sa.uid) return std::nullopt;
    if (v->bound) {
      std::string ns = v->bound->kind == "Node" ? "" : v->sa.ns;
      auto bound_uid = lookup_(v->bound->kind, ns, v->bound->name);
      if (!bound_uid || *bound_uid != v->bound->uid) return std::nullopt;
    }
    UserInfo u;
    u.name = "system:serviceaccount:" + v->sa.ns + ":" + v->sa.name;
    u.uid = v->sa.uid;
    u.groups = {"system:serviceaccounts", "system:serviceaccounts:" + v->sa.ns};
    return u;
  }

 private:
  std::shared_ptr<const ServiceAccountTokens> tokens_;
  UidLookup lookup_;
};

}  // namespace

std::shared_ptr<const TokenAuthenticator> ServiceAccountAuthenticator(
    std::shared_ptr<const ServiceAccountTokens> tokens, UidLookup lookup) {
  return std::make_shared<SaAuthenticator>(std::move(tokens), std::move(lookup));
}

}  // namespace cluster::server
