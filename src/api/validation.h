// Validation primitives shared by the per-kind validators, with kube-apiserver's messages, and
// the generic ObjectMeta validation every write goes through. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "api/resources.h"
#include "common/json.h"

namespace cluster::api {

// Empty when valid, otherwise upstream's explanation ("a lowercase RFC 1123 subdomain must ...").
std::string CheckDns1123Subdomain(std::string_view s);
std::string CheckDns1123Label(std::string_view s);
std::string CheckQualifiedName(std::string_view s);  // label / annotation keys
std::string CheckLabelValue(std::string_view s);
std::string CheckConfigMapKey(std::string_view s);
std::string CheckIanaSvcName(std::string_view s);  // named ports
std::string CheckDns1035Label(std::string_view s);

void AddRequired(FieldCauses* causes, const std::string& field, const std::string& detail = "");
void AddInvalid(FieldCauses* causes, const std::string& field, const std::string& value,
                const std::string& detail);
void AddNotSupported(FieldCauses* causes, const std::string& field, const std::string& value,
                     const std::vector<std::string>& allowed);
void AddDuplicate(FieldCauses* causes, const std::string& field, const std::string& value);
void AddForbidden(FieldCauses* causes, const std::string& field, const std::string& detail);
void AddTooLong(FieldCauses* causes, const std::string& field, size_t max);

// Name rules of a resource: most use DNS-1123 subdomains; namespaces and services labels.
enum class NameRule { kSubdomain, kLabel, kPathSegment };
NameRule NameRuleFor(const ResourceInfo& info);

// metadata: name (by rule), generateName, namespace presence by scope, labels, annotations
// (total size 256 KiB), finalizers, ownerReferences. On update, also the immutable fields
// (name, namespace, uid, creationTimestamp).
void ValidateObjectMeta(const ResourceInfo& info, const json::Value& obj, const json::Value* old,
                        FieldCauses* causes);

// Message of an Invalid Status: `Pod "x" is invalid: spec.containers: Required value` or with
// several causes `... is invalid: [a: ..., b: ...]`.
std::string InvalidMessage(const std::string& kind, const std::string& name,
                           const FieldCauses& causes);

}  // namespace cluster::api
