// Service account tokens: JWTs (ES256) signed with the cluster's service account key, as
// kube-apiserver issues them through TokenRequest (POST …/serviceaccounts/NAME/token, `kubectl
// create token`) and accepts them as bearer tokens. Claims follow upstream: iss, sub
// (system:serviceaccount:NS:NAME), aud, iat, nbf, exp, jti and "kubernetes.io" with the
// namespace, the service account (name, uid) and the object the token is bound to (a pod,
// secret or node). Immutable after Create: thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "server/apiserver/authn.h"

namespace cluster::server {

struct ServiceAccountRef {
  std::string ns;
  std::string name;
  std::string uid;
};

// The object a token is bound to ("Pod", "Secret" or "Node"); the token dies with it.
struct BoundObject {
  std::string kind;
  std::string name;
  std::string uid;
};

struct VerifiedToken {
  ServiceAccountRef sa;
  std::optional<BoundObject> bound;
};

class ServiceAccountTokens {
 public:
  static constexpr const char* kIssuer = "https://kubernetes.default.svc.cluster.local";

  // `key_pem`: the PEM private key (ECDSA P-256); `audiences`: the API's (--api-audiences).
  static Result<std::shared_ptr<const ServiceAccountTokens>> Create(
      const std::string& key_pem, std::vector<std::string> audiences);
  ~ServiceAccountTokens();

  // A token for `sa`, valid `seconds` from now for `audiences` (empty: the API's). *expires
  // gets the expiry (Unix seconds).
  Result<std::string> Issue(const ServiceAccountRef& sa, const std::vector<std::string>& audiences,
                            int64_t seconds, const std::optional<BoundObject>& bound,
                            int64_t* expires) const;
  // Signature, issuer, time window (60 s leeway) and audience (one of `audiences`, or of the
  // API's when empty). kUnauthorized naming what failed.
  Result<VerifiedToken> Verify(std::string_view token,
                               const std::vector<std::string>& audiences = {}) const;

  const std::vector<std::string>& api_audiences() const { return audiences_; }

 private:
  struct Key;
  ServiceAccountTokens(std::unique_ptr<Key> key, std::vector<std::string> audiences);
  std::unique_ptr<Key> key_;
  std::vector<std::string> audiences_;
};

// Accepts service account tokens whose account (and bound object) still exists with the uid in
// the token: `lookup(kind, namespace, name)` gives the current uid of a ServiceAccount, Pod,
// Secret or Node (nullopt when gone). Users are system:serviceaccount:NS:NAME in the groups
// system:serviceaccounts and system:serviceaccounts:NS.
using UidLookup = std::function<std::optional<std::string>(
    const std::string& kind, const std::string& ns, const std::string& name)>;
std::shared_ptr<const TokenAuthenticator> ServiceAccountAuthenticator(
    std::shared_ptr<const ServiceAccountTokens> tokens, UidLookup lookup);

}  // namespace cluster::server
