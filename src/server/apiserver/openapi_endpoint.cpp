// The OpenAPI endpoints: documents come from api/openapi.h (built once, cached there).
#include "api/openapi.h"
#include "server/apiserver/rest.h"

namespace cluster::server {

ApiResponse ServeOpenApi(const ApiRequest& req) {
  const std::string& p = req.path;
  if (p == "/openapi/v2") {
    // client-go asks for the gnostic protobuf form; kubectl's v3 client and curl get JSON.
    if (req.accept.find("application/com.github.proto-openapi.spec.v2") != std::string::npos) {
      ApiResponse r = JsonResponse(200, api::openapi::V2Protobuf());
      r.content_type = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
      return r;
    }
    return JsonResponse(200, api::openapi::V2Json());
  }
  if (p == "/openapi/v3" || p == "/openapi/v3/") return JsonResponse(200, api::openapi::V3Root());
  std::string_view key = std::string_view(p).substr(std::string_view("/openapi/v3/").size());
  if (const api::openapi::Doc* d = api::openapi::V3GroupVersion(key)) {
    // Any ?hash= (current or stale) gets the current document, as upstream redirects to it.
    return JsonResponse(200, d->body);
  }
  return ErrorResponse(Status(Code::kNotFound, "the server could not find the requested resource"));
}

}  // namespace cluster::server
