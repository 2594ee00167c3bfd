// How API objects live in the store. Keys follow Kubernetes: PREFIX/<namespace>/<name> for
// namespaced resources and PREFIX/<name> otherwise (PREFIX from ResourceInfo::StorePrefix()).
// Values are the object's JSON with apiVersion, kind and metadata first and without
// metadata.resourceVersion; the store's mod_revision is the resourceVersion, spliced in on read
// without building a DOM (see Decode / SpliceResourceVersion).
#pragma once

#include <string>

#include "api/resources.h"
#include "common/json.h"
#include "store/store.h"

namespace cluster::server {

std::string ObjectKey(const api::ResourceInfo& info, const std::string& ns,
                      const std::string& name);
// Prefix of every object of a resource in a namespace ("" ns: all namespaces).
std::string CollectionPrefix(const api::ResourceInfo& info, const std::string& ns);

// Serializes for storage (drops metadata.resourceVersion; apiVersion, kind, metadata first),
// in the stored shape (ResourceInfo::to_storage).
std::string EncodeForStore(json::Document& obj);
std::string EncodeForStore(const api::ResourceInfo& info, json::Document& obj);
// The API's JSON of a stored value at `revision` (ResourceInfo::from_storage applied).
std::string WireFromStored(const api::ResourceInfo& info, const std::string& stored,
                           int64_t revision);
// The stored JSON with "resourceVersion":"<rev>" spliced into metadata.
std::string SpliceResourceVersion(const std::string& stored, int64_t revision);
// Parses a stored value and sets metadata.resourceVersion.
Result<json::Document> DecodeFromStore(const store::KeyValue& kv);
Result<json::Document> DecodeFromStore(const api::ResourceInfo& info, const store::KeyValue& kv);

}  // namespace cluster::server
