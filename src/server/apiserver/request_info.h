// Parses a request path into what the REST engine needs: API prefix, group, version,
// namespace, resource, name, subresource and the Kubernetes verb, as upstream's
// RequestInfoFactory does.
#pragma once

#include <string>

#include "common/status.h"
#include "server/apiserver/types.h"

namespace cluster::server {

struct RequestInfo {
  bool is_resource = false;  // false: /version, /api, /apis/apps, ...
  std::string group;
  std::string version;
  std::string ns;
  std::string resource;
  std::string name;
  std::string subresource;
  // get list watch create update patch delete deletecollection
  std::string verb;
  std::vector<std::string> parts;  // the path split on '/'
};

RequestInfo ParseRequestInfo(const ApiRequest& req);

}  // namespace cluster::server
