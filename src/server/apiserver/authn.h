// Authentication of bearer tokens. One seam serves the HTTPS front (requests with
// "Authorization: Bearer …") and TokenReview, so both always agree; join tokens and service
// account tokens are further implementations.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/apiserver/types.h"

namespace cluster::server {

class TokenAuthenticator {
 public:
  virtual ~TokenAuthenticator() = default;
  // The user a token stands for (without system:authenticated) when it is meant for one of
  // `audiences` (empty: the API server itself); nullopt when unknown.
  virtual std::optional<UserInfo> Authenticate(std::string_view token,
                                               const std::vector<std::string>& audiences) const = 0;
  std::optional<UserInfo> Authenticate(std::string_view token) const {
    return Authenticate(token, {});
  }
};

// kube-apiserver's --token-auth-file: lines `token,user,uid[,"group1,group2"]`, read once; a
// missing file knows no tokens. Its tokens are for the API server only (a review asking for
// other audiences does not accept them). Thread-safe (immutable after construction).
std::shared_ptr<const TokenAuthenticator> TokenFileAuthenticator(const std::string& path);

}  // namespace cluster::server

namespace cluster::server {

// Asks each authenticator in turn (null entries are skipped); the first that knows the token
// wins.
std::shared_ptr<const TokenAuthenticator> UnionAuthenticator(
    std::vector<std::shared_ptr<const TokenAuthenticator>> parts);

}  // namespace cluster::server
