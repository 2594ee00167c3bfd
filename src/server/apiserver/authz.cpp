#include "server/apiserver/authz.h"

namespace cluster::server {

AuthzDecision MastersAuthorizer::Authorize(const AuthzAttributes& attrs) const {
  if (attrs.user.InGroup("system:masters")) return {true, ""};
  // Every authenticated user may ask who it is and what it may do (upstream's system:basic-user
  // role).
  if (attrs.is_resource && attrs.verb == "create" && attrs.user.InGroup("system:authenticated") &&
      ((attrs.group == "authorization.k8s.io" && (attrs.resource == "selfsubjectaccessreviews" ||
                                                  attrs.resource == "selfsubjectrulesreviews")) ||
       (attrs.group == "authentication.k8s.io" && attrs.resource == "selfsubjectreviews")))
    return {true, ""};
  return {false, "no RBAC policy matched"};
}

std::string ForbiddenMessage(const AuthzAttributes& a) {
  std::string user = "User \"" + a.user.name + "\"";
  if (!a.is_resource)
    return "forbidden: " + user + " cannot " + a.verb + " path \"" + a.path + "\"";
  std::string res = a.resource + (a.subresource.empty() ? "" : "/" + a.subresource);
  std::string who = a.name.empty() ? res : res + " \"" + a.name + "\"";
  std::string msg = who + " is forbidden: " + user + " cannot " + a.verb + " resource \"" + res +
                    "\" in API group \"" + a.group + "\"";
  if (!a.ns.empty())
    msg += " in the namespace \"" + a.ns + "\"";
  else
    msg += " at the cluster scope";
  return msg;
}

}  // namespace cluster::server
