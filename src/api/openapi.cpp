#include "api/openapi.h"

#include <openssl/evp.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>
#include <memory>
#include <set>
#include <vector>

#include "api/openapi_gnostic.h"
#include "api/resources.h"
#include "common/json.h"

namespace cluster::api::openapi {
namespace {

using schema::Field;
using schema::Scalar;
using schema::Shape;
using schema::Type;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// What differs between the v2 and v3 forms of a schema.
struct Flavor {
  const char* ref_prefix;  // "#/definitions/" or "#/components/schemas/"
  bool v3;                 // v3 wraps field refs in allOf, as upstream does
};

void Str(Writer& w, std::string_view s) { w.String(s.data(), static_cast<unsigned>(s.size())); }
void KV(Writer& w, std::string_view k, std::string_view v) {
  Str(w, k);
  Str(w, v);
}

std::string GroupOf(const Type& t) { return t.group == "core" ? "" : t.group; }

void WriteGvk(Writer& w, std::string_view group, std::string_view version, std::string_view kind) {
  w.StartObject();
  KV(w, "group", group);
  KV(w, "kind", kind);
  KV(w, "version", version);
  w.EndObject();
}

// Apimachinery types with their own JSON form get a definition each, as upstream.
std::string BuiltinName(Scalar s) {
  switch (s) {
    case Scalar::kIntOrString:
      return "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    case Scalar::kQuantity:
      return "io.k8s.apimachinery.pkg.api.resource.Quantity";
    case Scalar::kTime:
      return "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
    default:
      return "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";
  }
}

// One of "integer"/"number" and "string" (v3's oneOf; v2 says string).
void WriteOneOf(Writer& w, const char* a, const char* b, const Flavor& fl) {
  if (!fl.v3) {
    KV(w, "type", "string");
    return;
  }
  Str(w, "oneOf");
  w.StartArray();
  for (const char* t : {a, b}) {
    w.StartObject();
    KV(w, "type", t);
    w.EndObject();
  }
  w.EndArray();
}

void WriteBuiltinDefinitions(Writer& w, const Flavor& fl) {
  Str(w, BuiltinName(Scalar::kIntOrString));
  w.StartObject();
  KV(w, "description", "IntOrString is a type that can hold an int32 or a string.");
  KV(w, "format", "int-or-string");
  WriteOneOf(w, "integer", "string", fl);
  Str(w, "x-kubernetes-int-or-string");
  w.Bool(true);
  w.EndObject();
  Str(w, BuiltinName(Scalar::kQuantity));
  w.StartObject();
  KV(w, "description", "Quantity is a fixed-point representation of a number (\"100m\", \"1Gi\").");
  WriteOneOf(w, "string", "number", fl);
  w.EndObject();
  for (Scalar t : {Scalar::kTime, Scalar::kMicroTime}) {
    Str(w, BuiltinName(t));
    w.StartObject();
    KV(w, "description",
       t == Scalar::kTime ? "Time is RFC 3339 date and time, in seconds."
                          : "MicroTime is RFC 3339 date and time, in "
                            "microseconds.");
    KV(w, "format", "date-time");
    KV(w, "type", "string");
    w.EndObject();
  }
}

// The schema of one value of a field (an element for lists, a value for maps).
void WriteElement(Writer& w, const Field& f, const Flavor& fl, bool as_field) {
  switch (f.scalar) {
    case Scalar::kString:
      KV(w, "type", "string");
      return;
    case Scalar::kInt32:
      KV(w, "type", "integer");
      KV(w, "format", "int32");
      return;
    case Scalar::kInt64:
      KV(w, "type", "integer");
      KV(w, "format", "int64");
      return;
    case Scalar::kBool:
      KV(w, "type", "boolean");
      return;
    case Scalar::kDouble:
      KV(w, "type", "number");
      KV(w, "format", "double");
      return;
    case Scalar::kBytes:
      KV(w, "type", "string");
      KV(w, "format", "byte");
      return;
    case Scalar::kIntOrString:
    case Scalar::kQuantity:
    case Scalar::kTime:
    case Scalar::kMicroTime:
      break;
    case Scalar::kDuration:
      KV(w, "type", "string");
      return;
    case Scalar::kRawExtension:
      KV(w, "type", "object");
      Str(w, "x-kubernetes-preserve-unknown-fields");
      w.Bool(true);
      return;
    case Scalar::kFieldsV1:
      KV(w, "type", "object");
      return;
    case Scalar::kMessage:
      break;
  }
  std::string ref = fl.ref_prefix + (f.scalar == Scalar::kMessage ? DefinitionName(*f.message)
                                                                  : BuiltinName(f.scalar));
  if (fl.v3 && as_field) {
    Str(w, "allOf");
    w.StartArray();
    w.StartObject();
    KV(w, "$ref", ref);
    w.EndObject();
    w.EndArray();
  } else {
    KV(w, "$ref", ref);
  }
}

void WriteFieldSchema(Writer& w, const Field& f, const Flavor& fl) {
  w.StartObject();
  if (!f.description.empty()) KV(w, "description", f.description);
  if (f.shape == Shape::kSingle) {
    WriteElement(w, f, fl, true);
  } else if (f.shape == Shape::kRepeated) {
    KV(w, "type", "array");
    Str(w, "items");
    w.StartObject();
    WriteElement(w, f, fl, true);
    w.EndObject();
  } else {
    KV(w, "type", "object");
    Str(w, "additionalProperties");
    w.StartObject();
    WriteElement(w, f, fl, true);
    w.EndObject();
  }
  if (!f.list_type.empty()) KV(w, "x-kubernetes-list-type", f.list_type);
  if (!f.list_map_keys.empty()) {
    Str(w, "x-kubernetes-list-map-keys");
    w.StartArray();
    for (const auto& k : f.list_map_keys) Str(w, k);
    w.EndArray();
  }
  if (!f.map_type.empty()) KV(w, "x-kubernetes-map-type", f.map_type);
  if (!f.patch_merge_key.empty()) KV(w, "x-kubernetes-patch-merge-key", f.patch_merge_key);
  if (!f.patch_strategy.empty()) KV(w, "x-kubernetes-patch-strategy", f.patch_strategy);
  w.EndObject();
}

// Properties of a type, inline members expanded into the parent as Go's JSON encoder does.
void WriteProperties(Writer& w, const Type& t, const Flavor& fl, std::vector<std::string>* req) {
  for (const Field& f : t.fields) {
    if (f.inline_json && f.message) {
      WriteProperties(w, *f.message, fl, req);
      continue;
    }
    Str(w, f.json_name);
    WriteFieldSchema(w, f, fl);
    if (f.required) req->push_back(f.json_name);
  }
}

void WriteTypeSchema(Writer& w, const Type& t, const Flavor& fl) {
  w.StartObject();
  if (!t.description.empty()) KV(w, "description", t.description);
  if (t.wrapper && !t.fields.empty()) {
    // A Go slice type: its JSON form is the array of field 1.
    KV(w, "type", "array");
    Str(w, "items");
    w.StartObject();
    WriteElement(w, t.fields[0], fl, false);
    w.EndObject();
    w.EndObject();
    return;
  }
  KV(w, "type", "object");
  std::vector<std::string> required;
  Str(w, "properties");
  w.StartObject();
  if (t.is_kind) {
    Str(w, "apiVersion");
    w.StartObject();
    KV(w, "description",
       "APIVersion defines the versioned schema of this representation of an object.");
    KV(w, "type", "string");
    w.EndObject();
    Str(w, "kind");
    w.StartObject();
    KV(w, "description",
       "Kind is a string value representing the REST resource this object "
       "represents.");
    KV(w, "type", "string");
    w.EndObject();
  }
  WriteProperties(w, t, fl, &required);
  w.EndObject();
  if (!required.empty()) {
    Str(w, "required");
    w.StartArray();
    for (const auto& r : required) Str(w, r);
    w.EndArray();
  }
  if (!t.struct_type.empty()) KV(w, "x-kubernetes-map-type", t.struct_type);
  if (t.is_kind) {
    Str(w, "x-kubernetes-group-version-kind");
    w.StartArray();
    if (t.package == "meta.v1") {
      // Status and DeleteOptions are served by every group-version; upstream lists the core one.
      WriteGvk(w, "", "v1", t.short_name);
    } else {
      WriteGvk(w, GroupOf(t), t.version, t.short_name);
    }
    w.EndArray();
  }
  w.EndObject();
}

// All types reachable from `roots`, by name (sorted like upstream's documents).
std::map<std::string, const Type*> Reachable(const std::vector<const Type*>& roots) {
  std::map<std::string, const Type*> out;
  std::vector<const Type*> todo = roots;
  while (!todo.empty()) {
    const Type* t = todo.back();
    todo.pop_back();
    if (!out.emplace(DefinitionName(*t), t).second) continue;
    for (const Field& f : t->fields)
      if (f.message) todo.push_back(f.message);
  }
  return out;
}

// The kinds a group-version serves, their lists, and the meta kinds every group-version uses.
std::vector<const Type*> RootsOf(const std::vector<const ResourceInfo*>& rows) {
  const schema::Schema& s = schema::Schema::Get();
  std::vector<const Type*> roots;
  for (const ResourceInfo* r : rows) {
    for (const std::string& k : {r->kind, r->ListKind()})
      if (const Type* t = s.FindKind(r->group, r->version, k)) roots.push_back(t);
  }
  for (const char* n : {"meta.v1.Status", "meta.v1.DeleteOptions"})
    if (const Type* t = s.FindType(n)) roots.push_back(t);
  return roots;
}

void WriteParam(Writer& w, const char* name, const char* in, const char* desc, bool required,
                const Flavor& fl) {
  w.StartObject();
  KV(w, "description", desc);
  KV(w, "in", in);
  KV(w, "name", name);
  if (required) {
    Str(w, "required");
    w.Bool(true);
  }
  if (fl.v3) {
    Str(w, "schema");
    w.StartObject();
    KV(w, "type", "string");
    w.EndObject();
  } else {
    KV(w, "type", "string");
    Str(w, "uniqueItems");
    w.Bool(true);
  }
  w.EndObject();
}

const char kFieldValidationDoc[] =
    "fieldValidation instructs the server on how to handle objects in the request "
    "(POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This "
    "will ignore any unknown fields that are silently dropped from the object, and will ignore "
    "all but the last duplicate field that the decoder encounters. - Warn: This will send a "
    "warning via the standard warning response header for each unknown field that is dropped "
    "from the object, and for each duplicate field that is encountered. - Strict: This will "
    "fail the request with a BadRequest error if any unknown fields would be dropped from the "
    "object, or if there are any duplicate fields present.";

// The request body of a PATCH: the patch media types (v3) or "consumes" (v2).
void WritePatchBody(Writer& w, const Flavor& fl) {
  if (!fl.v3) {
    Str(w, "consumes");
    w.StartArray();
    for (const char* ct :
         {"application/json-patch+json", "application/merge-patch+json",
          "application/strategic-merge-patch+json", "application/apply-patch+yaml"})
      Str(w, ct);
    w.EndArray();
    return;
  }
  Str(w, "requestBody");
  w.StartObject();
  Str(w, "content");
  w.StartObject();
  for (const char* ct :
       {"application/apply-patch+yaml", "application/json-patch+json",
        "application/merge-patch+json", "application/strategic-merge-patch+json"}) {
    Str(w, ct);
    w.StartObject();
    Str(w, "schema");
    w.StartObject();
    KV(w, "$ref", std::string(fl.ref_prefix) + "io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
    w.EndObject();
    w.EndObject();
  }
  w.EndObject();
  Str(w, "required");
  w.Bool(true);
  w.EndObject();
}

// A v3 "content" map of `types`, each with the schema `ref`.
void WriteContent(Writer& w, std::initializer_list<const char*> types, const std::string& ref) {
  Str(w, "content");
  w.StartObject();
  for (const char* ct : types) {
    Str(w, ct);
    w.StartObject();
    Str(w, "schema");
    w.StartObject();
    KV(w, "$ref", ref);
    w.EndObject();
    w.EndObject();
  }
  w.EndObject();
}

void WriteResponses(Writer& w, const char* code, const Type* body, const Flavor& fl) {
  Str(w, "responses");
  w.StartObject();
  Str(w, code);
  w.StartObject();
  KV(w, "description", "OK");
  if (body) {
    std::string ref = fl.ref_prefix + DefinitionName(*body);
    if (fl.v3) {
      WriteContent(
          w, {"application/json", "application/yaml", "application/vnd.kubernetes.protobuf"}, ref);
    } else {
      Str(w, "schema");
      w.StartObject();
      KV(w, "$ref", ref);
      w.EndObject();
    }
  }
  w.EndObject();
  w.EndObject();
}

// One operation of a resource path. `verb` is the HTTP method in lower case.
void WriteOperation(Writer& w, const ResourceInfo& r, const std::string& verb, bool collection,
                    const Flavor& fl) {
  const schema::Schema& s = schema::Schema::Get();
  const Type* kind = s.FindKind(r.group, r.version, r.kind);
  const Type* list = s.FindKind(r.group, r.version, r.ListKind());
  std::string action = verb == "post"     ? "post"
                       : verb == "put"    ? "put"
                       : verb == "patch"  ? "patch"
                       : verb == "delete" ? (collection ? "deletecollection" : "delete")
                                          : (collection ? "list" : "get");
  Str(w, verb);
  w.StartObject();
  KV(w, "description", action + " " + r.kind);
  KV(w, "operationId", action + r.GroupVersion() + r.kind);
  bool writes = verb == "post" || verb == "put" || verb == "patch";
  Str(w, "parameters");
  w.StartArray();
  if (writes && !fl.v3 && (kind || verb == "patch")) {
    // v2 carries the request body as a parameter (v3: requestBody below).
    w.StartObject();
    KV(w, "in", "body");
    KV(w, "name", "body");
    Str(w, "required");
    w.Bool(true);
    Str(w, "schema");
    w.StartObject();
    KV(w, "$ref",
       fl.ref_prefix + (verb == "patch" ? std::string("io.k8s.apimachinery.pkg.apis.meta.v1.Patch")
                                        : DefinitionName(*kind)));
    w.EndObject();
    w.EndObject();
  }
  if (writes) {
    WriteParam(w, "dryRun", "query",
               "When present, indicates that modifications should not be "
               "persisted.",
               false, fl);
    WriteParam(w, "fieldManager", "query",
               "fieldManager is a name associated with the actor or "
               "entity that is making these changes.",
               false, fl);
    WriteParam(w, "fieldValidation", "query", kFieldValidationDoc, false, fl);
    if (verb == "patch")
      WriteParam(w, "force", "query", "Force is going to \"force\" Apply requests.", false, fl);
  }
  w.EndArray();
  if (verb == "patch") {
    WritePatchBody(w, fl);
  } else if (writes && fl.v3 && kind) {
    Str(w, "requestBody");
    w.StartObject();
    WriteContent(w, {"*/*"}, fl.ref_prefix + DefinitionName(*kind));
    Str(w, "required");
    w.Bool(true);
    w.EndObject();
  }
  WriteResponses(w, verb == "post" ? "201" : "200", (collection && verb == "get") ? list : kind,
                 fl);
  Str(w, "tags");
  w.StartArray();
  Str(w, r.group.empty() ? "core_" + r.version : r.group + "_" + r.version);
  w.EndArray();
  KV(w, "x-kubernetes-action", action);
  Str(w, "x-kubernetes-group-version-kind");
  WriteGvk(w, r.group, r.version, r.kind);
  w.EndObject();
}

bool HasVerb(const ResourceInfo& r, const char* v) {
  for (const auto& x : r.verbs)
    if (x == v) return true;
  return false;
}

void WritePaths(Writer& w, const std::vector<const ResourceInfo*>& rows, const Flavor& fl) {
  for (const ResourceInfo* r : rows) {
    std::string base = r->group.empty() ? "/api/v1" : "/apis/" + r->GroupVersion();
    if (r->namespaced) base += "/namespaces/{namespace}";
    base += "/" + r->plural;
    struct Op {
      const char* method;
      const char* verb;
    };
    for (bool collection : {true, false}) {
      Str(w, collection ? base : base + "/{name}");
      w.StartObject();
      std::vector<Op> ops =
          collection
              ? std::vector<Op>{{"get", "list"}, {"post", "create"}, {"delete", "deletecollection"}}
              : std::vector<Op>{
                    {"get", "get"}, {"put", "update"}, {"patch", "patch"}, {"delete", "delete"}};
      for (const Op& op : ops)
        if (HasVerb(*r, op.verb)) WriteOperation(w, *r, op.method, collection, fl);
      Str(w, "parameters");
      w.StartArray();
      if (!collection) WriteParam(w, "name", "path", "name of the resource", true, fl);
      if (r->namespaced)
        WriteParam(w, "namespace", "path",
                   "object name and auth scope, such as for teams and "
                   "projects",
                   true, fl);
      WriteParam(w, "pretty", "query", "If 'true', then the output is pretty printed.", false, fl);
      w.EndArray();
      w.EndObject();
    }
  }
}

void WriteDefinitions(Writer& w, const std::map<std::string, const Type*>& types,
                      const Flavor& fl) {
  w.StartObject();
  for (const auto& [name, t] : types) {
    Str(w, name);
    WriteTypeSchema(w, *t, fl);
  }
  WriteBuiltinDefinitions(w, fl);
  Str(w, "io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
  w.StartObject();
  KV(w, "description",
     "Patch is provided to give a concrete name and type to the Kubernetes "
     "PATCH request body.");
  KV(w, "type", "object");
  w.EndObject();
  w.EndObject();
}

void WriteInfo(Writer& w) {
  Str(w, "info");
  w.StartObject();
  KV(w, "title", "Kubernetes");
  KV(w, "version", "v1.32.0");
  w.EndObject();
}

std::string BuildV3(const std::vector<const ResourceInfo*>& rows) {
  Flavor fl{"#/components/schemas/", true};
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KV(w, "openapi", "3.0.0");
  WriteInfo(w);
  Str(w, "paths");
  w.StartObject();
  WritePaths(w, rows, fl);
  w.EndObject();
  Str(w, "components");
  w.StartObject();
  Str(w, "schemas");
  WriteDefinitions(w, Reachable(RootsOf(rows)), fl);
  w.EndObject();
  w.EndObject();
  return sb.GetString();
}

std::string BuildV2(const std::vector<const ResourceInfo*>& rows) {
  Flavor fl{"#/definitions/", false};
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  KV(w, "swagger", "2.0");
  WriteInfo(w);
  Str(w, "paths");
  w.StartObject();
  WritePaths(w, rows, fl);
  w.EndObject();
  Str(w, "definitions");
  WriteDefinitions(w, Reachable(RootsOf(rows)), fl);
  // As upstream: bearer tokens in the Authorization header.
  Str(w, "securityDefinitions");
  w.StartObject();
  Str(w, "BearerToken");
  w.StartObject();
  KV(w, "description", "Bearer Token authentication");
  KV(w, "type", "apiKey");
  KV(w, "name", "authorization");
  KV(w, "in", "header");
  w.EndObject();
  w.EndObject();
  Str(w, "security");
  w.StartArray();
  w.StartObject();
  Str(w, "BearerToken");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return sb.GetString();
}

std::string Sha512_256Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha512_256(), nullptr);
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

struct Documents {
  std::map<std::string, Doc, std::less<>> v3;  // by root key
  std::string v3_root;
  std::string v2_json;
  std::string v2_pb;
};

const Documents& All() {
  static const Documents* docs = [] {
    auto* d = new Documents;
    std::map<std::string, std::vector<const ResourceInfo*>> by_key;
    std::vector<const ResourceInfo*> all;
    for (const ResourceInfo& r : ResourceTable::BuiltIn().All()) {
      std::string key = r.group.empty() ? "api/" + r.version : "apis/" + r.GroupVersion();
      by_key[key].push_back(&r);
      all.push_back(&r);
    }
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    Str(w, "paths");
    w.StartObject();
    for (const auto& [key, rows] : by_key) {
      Doc doc;
      doc.body = BuildV3(rows);
      doc.hash = Sha512_256Hex(doc.body);
      Str(w, key);
      w.StartObject();
      KV(w, "serverRelativeURL", "/openapi/v3/" + key + "?hash=" + doc.hash);
      w.EndObject();
      d->v3.emplace(key, std::move(doc));
    }
    w.EndObject();
    w.EndObject();
    d->v3_root = sb.GetString();
    d->v2_json = BuildV2(all);
    auto parsed = json::Parse(d->v2_json);
    if (parsed.ok()) {
      auto pb = SwaggerToGnostic(parsed.value());
      if (pb.ok()) d->v2_pb = std::move(pb.value());
    }
    return d;
  }();
  return *docs;
}

}  // namespace

std::string DefinitionName(const schema::Type& t) {
  if (t.package == "meta.v1") return "io.k8s.apimachinery.pkg.apis.meta.v1." + t.short_name;
  return "io.k8s.api." + t.package + "." + t.short_name;
}

const std::string& V3Root() { return All().v3_root; }

const Doc* V3GroupVersion(std::string_view key) {
  const auto& m = All().v3;
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

const std::string& V2Json() { return All().v2_json; }
const std::string& V2Protobuf() { return All().v2_pb; }

}  // namespace cluster::api::openapi
