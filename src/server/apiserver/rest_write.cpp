// create, update and patch, and the read-modify-write loop they share.
#include <map>
#include <set>

#include "api/field_validation.h"
#include "api/patch.h"
#include "api/protobuf.h"
#include "api/validation.h"
#include "common/ids.h"
#include "common/yaml_json.h"
#include "server/apiserver/admission.h"
#include "server/apiserver/apply.h"
#include "server/apiserver/object_store.h"
#include "server/apiserver/rest.h"

namespace cluster::server {
namespace {

// pods/ephemeralcontainers writes change spec.ephemeralContainers only (as upstream's
// dropNonEphemeralContainerUpdates): everything else comes from the stored pod.
void KeepAllButEphemeralContainers(const json::Value& old, json::Document& obj) {
  json::Allocator& a = obj.GetAllocator();
  json::Value wanted(rapidjson::kNullType);
  if (json::Value* e = json::FindMutable(obj, {"spec", "ephemeralContainers"})) wanted.Swap(*e);
  json::Value meta(rapidjson::kObjectType);
  if (json::Value* m = json::FindMutable(obj, {"metadata"})) meta.Swap(*m);
  obj.CopyFrom(old, a);
  for (const char* k : {"resourceVersion"}) {
    json::Remove(obj["metadata"], k);
    if (const json::Value* v = json::Find(meta, {k}))
      json::Set(obj["metadata"], k, json::Value(*v, a), a);
  }
  json::Value& spec = json::EnsureObject(obj, {"spec"}, a);
  if (wanted.IsNull())
    json::Remove(spec, "ephemeralContainers");
  else
    json::Set(spec, "ephemeralContainers", std::move(wanted), a);
}

// Ephemeral containers are only ever added: the ones there stay as they are, and new ones have
// a unique name, an image, and none of the fields they may not have.
void ValidateEphemeralUpdate(const json::Value& old, const json::Value& obj,
                             api::FieldCauses* causes) {
  std::map<std::string, const json::Value*> before;
  if (const json::Value* e = json::Find(old, {"spec", "ephemeralContainers"}); e && e->IsArray())
    for (const auto& c : e->GetArray()) before[json::GetString(c, {"name"})] = &c;
  std::set<std::string> names;
  for (const char* list : {"containers", "initContainers"})
    if (const json::Value* cs = json::Find(obj, {"spec", list}); cs && cs->IsArray())
      for (const auto& c : cs->GetArray()) names.insert(json::GetString(c, {"name"}));
  std::set<std::string> seen;
  const json::Value* now = json::Find(obj, {"spec", "ephemeralContainers"});
  if (now && now->IsArray()) {
    for (rapidjson::SizeType i = 0; i < now->Size(); ++i) {
      const json::Value& c = (*now)[i];
      std::string name = json::GetString(c, {"name"});
      std::string path = "spec.ephemeralContainers[" + std::to_string(i) + "]";
      seen.insert(name);
      auto it = before.find(name);
      if (it != before.end()) {
        if (*it->second != c)
          causes->push_back(
              {"FieldValueForbidden", path,
               "Forbidden: existing ephemeral containers \"" + name + "\" may not be changed"});
        continue;
      }
      if (name.empty()) {
        causes->push_back({"FieldValueRequired", path + ".name", "Required value"});
      } else if (!names.insert(name).second) {
        causes->push_back(
            {"FieldValueDuplicate", path + ".name", "Duplicate value: \"" + name + "\""});
      }
      if (json::GetString(c, {"image"}).empty())
        causes->push_back({"FieldValueRequired", path + ".image", "Required value"});
      for (const char* f :
           {"ports", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "resources"}) {
        const json::Value* v = json::Find(c, {f});
        if (v && !v->IsNull() && !(v->IsObject() && v->ObjectEmpty()) &&
            !(v->IsArray() && v->Empty()))
          causes->push_back({"FieldValueForbidden", path + "." + f,
                             "Forbidden: cannot be set for an Ephemeral Container"});
      }
    }
  }
  for (const auto& [name, c] : before)
    if (!seen.count(name))
      causes->push_back(
          {"FieldValueForbidden", "spec.ephemeralContainers",
           "Forbidden: existing ephemeral containers \"" + name + "\" may not be removed"});
}

}  // namespace

namespace {

constexpr int kMaxConflictRetries = 10;

bool IsJson(const std::string& ct) {
  return ct.empty() || ct.rfind("application/json", 0) == 0 || ct.rfind("*/*", 0) == 0;
}
bool IsYaml(const std::string& ct) { return ct.rfind("application/yaml", 0) == 0; }
bool IsProtobuf(const std::string& ct) {
  return ct.rfind("application/vnd.kubernetes.protobuf", 0) == 0;
}

// Gives a written object the shape kube-apiserver's decode into the Go struct gives it before
// defaulting: values of the wrong JSON type refused (400, Go's words), null pointers and zero
// omitempty values dropped (so `replicas: null` gets its default), zero values of plain fields
// filled in, members in declaration order.
Status NormalizeLikeGo(const api::ResourceInfo& info, json::Document& obj) {
  const api::schema::Type* kind = info.schema_type;
  if (kind == nullptr) return Status::Ok();
  if (std::string err = api::FindTypeError(obj, *kind); !err.empty())
    return BadRequest(info.kind + " in version \"" + info.version + "\" cannot be handled as a " +
                      info.kind + ": " + err);
  api::NormalizeAsGo(*kind, obj, obj.GetAllocator());
  return Status::Ok();
}

}  // namespace

Status CheckFields(const Call& c, json::Value& obj, bool patch,
                   std::vector<std::string>* warnings) {
  const std::string param = c.Query("fieldValidation");
  api::FieldValidation mode;
  if (!api::ParseFieldValidation(param, &mode))
    return BadRequest("invalid fieldValidation directive: \"" + param +
                      "\" (must be one of Ignore, Warn, Strict)");
  // Without the parameter: Warn, as kube-apiserver (unknown fields are never stored).
  const api::schema::Type* kind = c.info.schema_type;
  if (kind == nullptr) return Status::Ok();
  // Ignore and Warn drop what they find, as upstream's decoder does.
  std::vector<std::string> problems = mode == api::FieldValidation::kStrict
                                          ? api::FindFieldProblems(obj, *kind, patch)
                                          : api::PruneUnknownFields(obj, *kind, patch);
  if (problems.empty() || mode == api::FieldValidation::kIgnore) return Status::Ok();
  if (mode == api::FieldValidation::kWarn) {
    if (warnings) warnings->insert(warnings->end(), problems.begin(), problems.end());
    return Status::Ok();
  }
  std::string msg = "strict decoding error: ";
  for (size_t i = 0; i < problems.size(); ++i) msg += (i ? ", " : "") + problems[i];
  return BadRequest(msg);
}

// Decodes a request body into an object of the call's kind (kind/apiVersion checked or
// filled in).
Result<json::Document> DecodeBody(const Call& c, std::vector<std::string>* warnings) {
  Result<json::Document> doc = Status(Code::kUnsupportedMedia, "");
  const std::string& ct = c.req.content_type;
  if (IsJson(ct)) {
    doc = json::Parse(c.req.body);
  } else if (IsYaml(ct)) {
    doc = YamlToJson(c.req.body);
  } else if (IsProtobuf(ct)) {
    // kubectl create <kind> sends protobuf; it accepts a JSON answer.
    doc = api::DecodeProtobufObject(c.req.body);
  } else {
    return Status(Code::kUnsupportedMedia,
                  "the body of the request was in an unknown format - accepted media types "
                  "include: application/json, application/yaml, "
                  "application/vnd.kubernetes.protobuf");
  }
  if (!doc.ok())
    return BadRequest("the object provided is unrecognized: " + doc.status().message());
  if (!doc->IsObject()) return BadRequest("the object provided is not a JSON object");
  json::Allocator& a = doc->GetAllocator();
  std::string kind = json::GetString(*doc, {"kind"});
  std::string api_version = json::GetString(*doc, {"apiVersion"});
  if (kind.empty())
    json::SetString(*doc, "kind", c.info.kind, a);
  else if (kind != c.info.kind)
    return BadRequest("the kind in the data (" + kind + ") does not match the expected kind (" +
                      c.info.kind + ")");
  if (api_version.empty())
    json::SetString(*doc, "apiVersion", c.info.GroupVersion(), a);
  else if (api_version != c.info.GroupVersion())
    return BadRequest("the API version in the data (" + api_version +
                      ") does not match the expected API version (" + c.info.GroupVersion() + ")");
  if (Status st = CheckFields(c, *doc, false, warnings); !st.ok())
    return BadRequest(c.info.kind + " in version \"" + c.info.version +
                      "\" cannot be handled as a " + c.info.kind + ": " + st.message());
  const json::Value* meta = json::Find(*doc, {"metadata"});
  if (meta && !meta->IsObject()) return BadRequest("metadata must be an object");
  json::EnsureObject(*doc, {"metadata"}, a);
  return doc;
}

ApiResponse RestContext::Create(const Call& c) {
  if (c.info.group == "authorization.k8s.io") return AccessReview(c);
  if (c.info.group == "authentication.k8s.io") return AuthenticationReview(c);
  std::vector<std::string> warnings;
  auto doc = DecodeBody(c, &warnings);
  if (!doc.ok()) return ErrorResponse(doc.status());
  json::Allocator& a = doc->GetAllocator();
  json::Value& meta = (*doc)["metadata"];
  std::string body_ns = json::GetString(meta, {"namespace"});
  if (c.info.namespaced) {
    if (!body_ns.empty() && body_ns != c.ri.ns)
      return ErrorResponse(BadRequest(
          "the namespace of the provided object does not match the namespace sent on the request"));
    if (c.ri.ns.empty()) return ErrorResponse(BadRequest("a namespace is required"));
    json::SetString(meta, "namespace", c.ri.ns, a);
  } else {
    json::Remove(meta, "namespace");
  }
  ApiResponse resp = CreateObject(c, std::move(doc).value());
  resp.warnings.insert(resp.warnings.end(), warnings.begin(), warnings.end());
  return resp;
}

ApiResponse RestContext::CreateObject(const Call& c, json::Document obj) {
  json::Allocator& a = obj.GetAllocator();
  json::Value& meta = json::EnsureObject(obj, {"metadata"}, a);
  std::string name = json::GetString(meta, {"name"});
  std::string gen = json::GetString(meta, {"generateName"});
  if (name.empty() && !gen.empty()) {
    name = gen + RandomSuffix(5);
    json::SetString(meta, "name", name, a);
  }
  std::string ns = json::GetString(meta, {"namespace"});
  if (c.info.namespaced && !ns.empty()) {
    Status st = CheckNamespaceForCreate(ns);
    if (!st.ok()) {
      ErrorDetails d;
      d.name = ns;
      d.kind = "namespaces";
      return ErrorResponse(st, st.code() == Code::kNotFound ? d : DetailsFor(c.info, name));
    }
  }
  // System-set metadata.
  json::SetString(meta, "uid", NewUuid(), a);
  json::SetString(meta, "creationTimestamp", NowRfc3339(), a);
  for (const char* k :
       {"resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"})
    json::Remove(meta, k);
  if (c.info.tracks_generation)
    json::SetInt(meta, "generation", 1, a);
  else
    json::Remove(meta, "generation");
  if (Status st = NormalizeLikeGo(c.info, obj); !st.ok()) return ErrorResponse(st);
  if (c.info.defaulter) c.info.defaulter(obj, opts_.defaulting);
  RecordWriteOwnership(c, nullptr, obj);
  Mutation adm = AdmitCreate(this, c, obj);
  if (!adm.status.ok()) return ErrorResponse(adm.status, adm.details);
  api::FieldCauses causes = adm.causes;
  api::ValidateObjectMeta(c.info, obj, nullptr, &causes);
  if (c.info.validator) c.info.validator(obj, nullptr, &causes);
  if (!causes.empty()) {
    Release(this, adm);
    return InvalidResponse(c.info, name.empty() ? gen : name, causes);
  }
  if (c.DryRun()) {
    Release(this, adm);
    return JsonResponse(201, Wire(obj));
  }
  std::string key = ObjectKey(c.info, ns, name);
  std::string value = EncodeForStore(c.info, obj);
  auto rev = store_->Create(key, value);
  if (!rev.ok()) {
    Release(this, adm);
    if (rev.status().code() == Code::kAlreadyExists)
      return ErrorResponse(AlreadyExistsError(c.info, name), DetailsFor(c.info, name));
    return ErrorResponse(rev.status());
  }
  return JsonResponse(201, WireFromStored(c.info, value, *rev));
}

Mutation RestContext::PrepareUpdate(const Call& c, const json::Value& old, json::Document& obj,
                                    bool status_only) {
  Mutation m;
  json::Allocator& a = obj.GetAllocator();
  json::Value& meta = json::EnsureObject(obj, {"metadata"}, a);
  // Fields the system owns come from the stored object.
  for (const char* k : {"uid", "creationTimestamp", "deletionTimestamp",
                        "deletionGracePeriodSeconds", "generation"}) {
    json::Remove(meta, k);
    if (const json::Value* v = json::Find(old, {"metadata", k})) {
      json::Value copy(*v, a);
      json::Set(meta, k, std::move(copy), a);
    }
  }
  if (json::GetString(meta, {"namespace"}).empty() && c.info.namespaced)
    json::SetString(meta, "namespace", json::GetString(old, {"metadata", "namespace"}), a);
  if (status_only) {
    // Status writes change only .status (and metadata labels/annotations, as upstream).
    for (auto& m2 : old.GetObject()) {
      std::string_view k(m2.name.GetString(), m2.name.GetStringLength());
      if (k == "status" || k == "metadata" || k == "kind" || k == "apiVersion") continue;
      json::Value copy(m2.value, a);
      json::Set(obj, k, std::move(copy), a);
    }
    for (auto it = obj.MemberBegin(); it != obj.MemberEnd();) {
      std::string_view k(it->name.GetString(), it->name.GetStringLength());
      if (k != "status" && k != "metadata" && k != "kind" && k != "apiVersion" &&
          !old.HasMember(it->name))
        it = obj.EraseMember(it);
      else
        ++it;
    }
    if (c.ri.subresource == "approval") {
      // certificatesigningrequests/approval changes the conditions, nothing else of the status.
      json::Value conditions;
      if (json::Value* cs = json::FindMutable(obj, {"status", "conditions"})) conditions.Swap(*cs);
      json::Remove(obj, "status");
      if (const json::Value* s = json::Find(old, {"status"}))
        json::Set(obj, "status", json::Value(*s, a), a);
      json::Value& st = json::EnsureObject(obj, {"status"}, a);
      if (conditions.IsNull())
        json::Remove(st, "conditions");
      else
        json::Set(st, "conditions", std::move(conditions), a);
    }
  } else if (c.info.has_status) {
    json::Remove(obj, "status");
    if (const json::Value* s = json::Find(old, {"status"})) {
      json::Value copy(*s, a);
      json::Set(obj, "status", std::move(copy), a);
    }
  }
  if (c.ri.subresource == "ephemeralcontainers") KeepAllButEphemeralContainers(old, obj);
  if (Status st = NormalizeLikeGo(c.info, obj); !st.ok()) {
    m.status = st;
    return m;
  }
  if (c.info.defaulter) c.info.defaulter(obj, opts_.defaulting);
  RecordWriteOwnership(c, &old, obj);
  if (c.info.tracks_generation && !status_only) {
    const json::Value* os = json::Find(old, {"spec"});
    const json::Value* ns = json::Find(obj, {"spec"});
    bool changed = (os == nullptr) != (ns == nullptr) ||
                   (os && ns && *os != *ns);  // deep comparison, blind to key order
    if (changed)
      // Looked up again: NormalizeLikeGo rebuilt the object, `meta` no longer points into it.
      json::SetInt(json::EnsureObject(obj, {"metadata"}, a), "generation",
                   json::GetInt(old, {"metadata", "generation"}, 0) + 1, a);
  }
  Mutation adm = AdmitUpdate(this, c, old, obj);
  if (!adm.status.ok()) return adm;
  m.causes = adm.causes;
  m.allocated_ips = std::move(adm.allocated_ips);
  m.allocated_ports = std::move(adm.allocated_ports);
  m.released_ips = std::move(adm.released_ips);
  m.released_ports = std::move(adm.released_ports);
  api::ValidateObjectMeta(c.info, obj, &old, &m.causes);
  if (c.ri.subresource == "ephemeralcontainers") {
    // The pod's own rules judge the rest of the spec against the old one as if the ephemeral
    // containers had always been there; their own rules judge them.
    json::Document old_view;
    old_view.CopyFrom(old, old_view.GetAllocator());
    json::Value& spec = json::EnsureObject(old_view, {"spec"}, old_view.GetAllocator());
    json::Remove(spec, "ephemeralContainers");
    if (const json::Value* e = json::Find(obj, {"spec", "ephemeralContainers"}))
      json::Set(spec, "ephemeralContainers", json::Value(*e, old_view.GetAllocator()),
                old_view.GetAllocator());
    if (c.info.validator) c.info.validator(obj, &old_view, &m.causes);
    ValidateEphemeralUpdate(old, obj, &m.causes);
  } else if (c.info.validator) {
    c.info.validator(obj, &old, &m.causes);
  }
  // Removing the last finalizer of an object being deleted finishes the deletion (objects in
  // graceful deletion, deletionGracePeriodSeconds > 0, wait for their kubelet instead).
  if (json::Find(obj, {"metadata", "deletionTimestamp"}) &&
      json::GetInt(obj, {"metadata", "deletionGracePeriodSeconds"}, 0) == 0) {
    const json::Value* f = json::Find(obj, {"metadata", "finalizers"});
    if (f == nullptr || !f->IsArray() || f->Empty()) m.delete_instead = true;
  }
  return m;
}

ApiResponse RestContext::GuaranteedUpdate(const Call& c, const std::string& name,
                                          const std::function<Mutation(json::Document&)>& mutate,
                                          int success_code) {
  const std::string ns = c.ri.ns;
  const std::string key = ObjectKey(c.info, ns, name);
  for (int attempt = 0; attempt < kMaxConflictRetries; ++attempt) {
    auto kv = store_->Get(key);
    if (!kv.ok()) {
      if (kv.status().code() == Code::kNotFound)
        return ErrorResponse(NotFoundError(c.info, name), DetailsFor(c.info, name));
      return ErrorResponse(kv.status());
    }
    auto current = DecodeFromStore(c.info, *kv);
    if (!current.ok()) return ErrorResponse(current.status());
    json::Document obj;
    obj.CopyFrom(*current, obj.GetAllocator());
    Mutation m = mutate(obj);
    // What this attempt allocated is given back unless it is stored (a retry allocates anew).
    struct Allocations {
      RestContext* ctx;
      Mutation* m;
      bool stored = false;
      ~Allocations() {
        if (stored)
          Commit(ctx, *m);
        else
          Release(ctx, *m);
      }
    } allocations{this, &m};
    if (!m.status.ok()) {
      if (m.status.code() == Code::kConflict && m.details.name.empty() && m.details.causes.empty())
        m.details = DetailsFor(c.info, name);
      return ErrorResponse(m.status, m.details);
    }
    if (!m.causes.empty()) return InvalidResponse(c.info, name, m.causes);
    // A precondition the caller set (metadata.resourceVersion) is checked once, not retried.
    std::string want_rv = json::GetString(obj, {"metadata", "resourceVersion"});
    int64_t expected = kv->mod_revision;
    bool has_precondition = !want_rv.empty() && want_rv != std::to_string(kv->mod_revision);
    if (has_precondition)
      return ErrorResponse(ConflictError(c.info, name), DetailsFor(c.info, name));
    if (m.delete_instead) {
      if (c.DryRun()) return JsonResponse(200, Wire(obj));
      auto gone = DeleteNow(c.info, ns, name, expected);
      if (!gone.ok() && gone.status().code() == Code::kConflict) continue;
      if (!gone.ok()) return ErrorResponse(gone.status());
      return JsonResponse(200, Wire(*gone));
    }
    // No-op updates do not write (the resourceVersion stays), as upstream.
    json::Remove(obj["metadata"], "resourceVersion");
    json::Remove((*current)["metadata"], "resourceVersion");
    if (obj == *current) return JsonResponse(200, WireFromStored(c.info, kv->value, expected));
    std::string value = EncodeForStore(c.info, obj);
    if (c.DryRun()) return JsonResponse(success_code, WireFromStored(c.info, value, expected));
    auto rev = store_->Update(key, value, expected);
    if (rev.ok()) {
      allocations.stored = true;
      return JsonResponse(success_code, WireFromStored(c.info, value, *rev));
    }
    if (rev.status().code() == Code::kConflict) {
      if (!want_rv.empty())
        return ErrorResponse(ConflictError(c.info, name), DetailsFor(c.info, name));
      continue;
    }
    if (rev.status().code() == Code::kNotFound)
      return ErrorResponse(NotFoundError(c.info, name), DetailsFor(c.info, name));
    return ErrorResponse(rev.status());
  }
  return ErrorResponse(ConflictError(c.info, name), DetailsFor(c.info, name));
}

ApiResponse RestContext::Update(const Call& c) {
  std::vector<std::string> warnings;
  auto doc = DecodeBody(c, &warnings);
  if (!doc.ok()) return ErrorResponse(doc.status());
  std::string body_name = json::GetString(*doc, {"metadata", "name"});
  if (body_name.empty())
    json::SetString((*doc)["metadata"], "name", c.ri.name, doc->GetAllocator());
  else if (body_name != c.ri.name)
    return ErrorResponse(BadRequest("the name of the object (" + body_name +
                                    ") does not match the name on the URL (" + c.ri.name + ")"));
  std::string body_ns = json::GetString(*doc, {"metadata", "namespace"});
  if (c.info.namespaced && !body_ns.empty() && body_ns != c.ri.ns)
    return ErrorResponse(BadRequest(
        "the namespace of the provided object does not match the namespace sent on the request"));
  const bool status_only = c.ri.subresource == "status" || c.ri.subresource == "approval";
  auto shared = std::make_shared<json::Document>(std::move(doc).value());
  ApiResponse resp = GuaranteedUpdate(c, c.ri.name, [&](json::Document& current) {
    json::Document next;
    next.CopyFrom(*shared, next.GetAllocator());
    Mutation m = PrepareUpdate(c, current, next, status_only);
    if (m.status.ok() && m.causes.empty()) current.Swap(next);
    // Keep the caller's resourceVersion as the precondition.
    std::string rv = json::GetString(*shared, {"metadata", "resourceVersion"});
    json::Value& meta = json::EnsureObject(current, {"metadata"}, current.GetAllocator());
    if (rv.empty())
      json::Remove(meta, "resourceVersion");
    else
      json::SetString(meta, "resourceVersion", rv, current.GetAllocator());
    return m;
  });
  resp.warnings.insert(resp.warnings.end(), warnings.begin(), warnings.end());
  return resp;
}

ApiResponse RestContext::Patch(const Call& c) {
  const std::string& ct = c.req.content_type;
  std::string type = ct.substr(0, ct.find(';'));
  if (type == "application/apply-patch+yaml") return Apply(this, c);
  if (type != "application/json-patch+json" && type != "application/merge-patch+json" &&
      type != "application/strategic-merge-patch+json")
    return ErrorResponse(Status(Code::kUnsupportedMedia,
                                "the body of the request was in an unknown format - accepted "
                                "media types include: application/json-patch+json, "
                                "application/merge-patch+json, application/apply-patch+yaml, "
                                "application/strategic-merge-patch+json"));
  auto patch = json::Parse(c.req.body);
  if (!patch.ok()) return ErrorResponse(BadRequest(patch.status().message()));
  const bool status_only = c.ri.subresource == "status" || c.ri.subresource == "approval";
  std::vector<std::string> warnings;
  // Merge patches have the object's shape: validate their fields, skipping $-directives.
  if (type != "application/json-patch+json")
    if (Status fv = CheckFields(c, *patch, true, &warnings); !fv.ok()) return ErrorResponse(fv);
  ApiResponse resp = GuaranteedUpdate(c, c.ri.name, [&](json::Document& current) {
    Mutation m;
    json::Document next;
    next.CopyFrom(current, next.GetAllocator());
    // JSON patches see the resourceVersion (kubectl's managedFields migration replaces it as a
    // precondition); merge patches only carry one when the caller sets it.
    const std::string current_rv = json::GetString(current, {"metadata", "resourceVersion"});
    if (type != "application/json-patch+json") json::Remove(next["metadata"], "resourceVersion");
    Status st;
    if (type == "application/json-patch+json") {
      st = api::ApplyJsonPatch(next, *patch);
    } else if (type == "application/merge-patch+json") {
      st = api::ApplyMergePatch(next, *patch);
    } else {
      st = api::ApplyStrategicMergePatch(next, *patch, api::BuiltinPatchSchema(), c.info.kind);
    }
    if (!st.ok()) {
      m.status = st;
      return m;
    }
    if (type == "application/json-patch+json") {
      // JSON patches are validated on their result (the stored part is known-good).
      warnings.clear();
      if (Status fv = CheckFields(c, next, false, &warnings); !fv.ok()) {
        m.status = fv;
        return m;
      }
    }
    if (!next.IsObject() || !json::Find(next, {"metadata"}) || !next["metadata"].IsObject()) {
      m.status = BadRequest("the patch produced an object without metadata");
      return m;
    }
    std::string rv = json::GetString(next, {"metadata", "resourceVersion"});
    if (type == "application/json-patch+json" && rv == current_rv) rv.clear();  // unchanged
    json::SetString(next, "kind", c.info.kind, next.GetAllocator());
    json::SetString(next, "apiVersion", c.info.GroupVersion(), next.GetAllocator());
    m = PrepareUpdate(c, current, next, status_only);
    if (m.status.ok() && m.causes.empty()) current.Swap(next);
    json::Value& meta = json::EnsureObject(current, {"metadata"}, current.GetAllocator());
    if (rv.empty()) json::Remove(meta, "resourceVersion");
    return m;
  });
  resp.warnings.insert(resp.warnings.end(), warnings.begin(), warnings.end());
  return resp;
}

}  // namespace cluster::server
