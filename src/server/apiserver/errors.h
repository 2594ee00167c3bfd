// metav1.Status bodies for refused requests, with upstream's messages and details so kubectl
// prints its usual lines ("Error from server (NotFound): pods "x" not found").
#pragma once

#include <string>

#include "api/resources.h"
#include "common/status.h"
#include "server/apiserver/types.h"

namespace cluster::server {

struct ErrorDetails {
  std::string name;
  std::string group;
  std::string kind;  // the plural for NotFound/AlreadyExists/Conflict, the Kind for Invalid
  api::FieldCauses causes;
  int retry_after_seconds = 0;  // details.retryAfterSeconds (and a Retry-After header)
  std::string list_continue;    // metadata.continue (an inconsistent-continue 410)
};

ApiResponse ErrorResponse(const Status& st, const ErrorDetails& details = {});
std::string StatusBody(const Status& st, const ErrorDetails& details = {});

// Upstream's messages.
Status NotFoundError(const api::ResourceInfo& info, const std::string& name);
Status AlreadyExistsError(const api::ResourceInfo& info, const std::string& name);
Status ConflictError(const api::ResourceInfo& info, const std::string& name,
                     const std::string& why =
                         "the object has been modified; please apply your "
                         "changes to the latest version and try again");
ErrorDetails DetailsFor(const api::ResourceInfo& info, const std::string& name);
ApiResponse InvalidResponse(const api::ResourceInfo& info, const std::string& name,
                            const api::FieldCauses& causes);

}  // namespace cluster::server
