// OpenAPI documents of the built-in API, generated from the schema table (src/api/schema.h) and
// the resource table (src/api/resources.h), as served at /openapi/v3 and /openapi/v2:
//
// - /openapi/v3: {"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=H"},...}}
// - /openapi/v3/api/v1, /openapi/v3/apis/<group>/<version>: OpenAPI 3.0 documents with
//   components.schemas ("io.k8s.api.core.v1.Pod", ...) and the resource paths; every PATCH
//   operation carries x-kubernetes-group-version-kind and the fieldValidation query parameter
//   (kubectl uses that to rely on server-side field validation).
// - /openapi/v2: Swagger 2.0 as JSON, or as the gnostic protobuf client-go asks for.
//
// Documents are built once on first use and immutable afterwards: all functions are safe to
// call from any thread. Returned pointers live as long as the process.
#pragma once

#include <string>
#include <string_view>

#include "api/schema.h"

namespace cluster::api::openapi {

struct Doc {
  std::string body;
  std::string hash;  // SHA-512/256 of body, uppercase hex (the ?hash= of the v3 root)
};

// The v3 root listing (body only).
const std::string& V3Root();
// One group-version document by its root key ("api/v1", "apis/apps/v1"); nullptr if unknown.
const Doc* V3GroupVersion(std::string_view key);
// Swagger 2.0 as JSON.
const std::string& V2Json();
// Swagger 2.0 as gnostic openapi_v2.Document protobuf (Accept:
// application/com.github.proto-openapi.spec.v2@v1.0+protobuf): the same document as V2Json().
const std::string& V2Protobuf();

// Upstream's definition name of a schema type: "io.k8s.api.core.v1.Pod",
// "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta".
std::string DefinitionName(const schema::Type& t);

}  // namespace cluster::api::openapi
