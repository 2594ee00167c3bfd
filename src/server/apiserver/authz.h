// Authorization seam. Today: members of system:masters may do everything, others get 403.
// RBAC will implement the same interface.
#pragma once

#include <string>

#include "server/apiserver/types.h"

namespace cluster::server {

struct AuthzAttributes {
  UserInfo user;
  std::string verb;
  std::string group;
  std::string resource;
  std::string subresource;
  std::string ns;
  std::string name;
  bool is_resource = true;
  std::string path;  // for non-resource requests
};

struct AuthzDecision {
  bool allowed = false;
  std::string reason;
};

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  // Thread-safe.
  virtual AuthzDecision Authorize(const AuthzAttributes& attrs) const = 0;
};

// system:masters (and the internal system:apiserver user) may do everything.
class MastersAuthorizer : public Authorizer {
 public:
  AuthzDecision Authorize(const AuthzAttributes& attrs) const override;
};

// `pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace
// "default"` as upstream.
std::string ForbiddenMessage(const AuthzAttributes& attrs);

}  // namespace cluster::server
