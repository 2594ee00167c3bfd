// Subresources: status and certificatesigningrequests/approval (get/update/patch), pods/binding,
// pods/eviction, */scale, pods/log, namespaces/finalize.
#include "api/patch.h"
#include "api/protobuf.h"
#include "api/validation.h"
#include "common/ids.h"
#include "common/selectors.h"
#include "common/yaml_json.h"
#include "server/apiserver/apply.h"
#include "server/apiserver/object_store.h"
#include "server/apiserver/rest.h"

namespace cluster::server {
namespace {

// What binding and eviction answer on success.
const char kCreatedStatus[] =
    R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success","code":201})";

ApiResponse MethodNotAllowed() {
  return ErrorResponse(Status(Code::kMethodNotAllowed,
                              "the server does not allow this method on the requested resource"));
}

// Where a workload keeps its replica count and selector.
struct ScaleFields {
  std::string selector;  // label selector string for status.selector
  int64_t spec_replicas = 0;
  int64_t status_replicas = 0;
};

ScaleFields ReadScale(const api::ResourceInfo& info, const json::Value& obj) {
  ScaleFields f;
  f.spec_replicas = json::GetInt(obj, {"spec", "replicas"}, 1);
  f.status_replicas = json::GetInt(obj, {"status", "replicas"}, 0);
  const json::Value* sel = json::Find(obj, {"spec", "selector"});
  if (sel && sel->IsObject()) {
    if (info.kind == "ReplicationController") {
      std::string s;
      for (auto& kv : sel->GetObject())
        if (kv.value.IsString())
          s += (s.empty() ? "" : ",") + std::string(kv.name.GetString()) + "=" +
               kv.value.GetString();
      f.selector = s;
    } else {
      auto parsed = FromLabelSelectorJson(*sel);
      if (parsed.ok()) f.selector = parsed->ToString();
    }
  }
  return f;
}

std::string ScaleJson(const api::ResourceInfo& info, const json::Value& obj) {
  ScaleFields f = ReadScale(info, obj);
  json::Document d(rapidjson::kObjectType);
  json::Allocator& a = d.GetAllocator();
  json::SetString(d, "kind", "Scale", a);
  json::SetString(d, "apiVersion", "autoscaling/v1", a);
  json::Value meta(rapidjson::kObjectType);
  for (const char* k : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"})
    if (const json::Value* v = json::Find(obj, {"metadata", k}))
      json::Set(meta, k, json::Value(*v, a), a);
  json::Set(d, "metadata", std::move(meta), a);
  json::Value spec(rapidjson::kObjectType);
  json::SetInt(spec, "replicas", f.spec_replicas, a);
  json::Set(d, "spec", std::move(spec), a);
  json::Value status(rapidjson::kObjectType);
  json::SetInt(status, "replicas", f.status_replicas, a);
  if (!f.selector.empty()) json::SetString(status, "selector", f.selector, a);
  json::Set(d, "status", std::move(status), a);
  return json::Serialize(d);
}

}  // namespace

ApiResponse RestContext::Subresource(const Call& c) {
  const std::string& sub = c.ri.subresource;
  const std::string& verb = c.ri.verb;
  if (sub == "status" || sub == "approval" || sub == "ephemeralcontainers") {
    if (verb == "get") return Get(c);
    if (verb == "update") return Update(c);
    if (verb == "patch") return Patch(c);
    return MethodNotAllowed();
  }
  if (sub == "binding") {
    if (verb != "create") return MethodNotAllowed();
    auto body = json::Parse(c.req.body);
    if (!body.ok() || !body->IsObject()) return ErrorResponse(BadRequest("invalid Binding body"));
    std::string target = json::GetString(*body, {"target", "name"});
    std::string target_kind = json::GetString(*body, {"target", "kind"}, "Node");
    if (target.empty() || (target_kind != "Node" && !target_kind.empty()))
      return ErrorResponse(
          Status(Code::kInvalid,
                 "Binding.core \"" + c.ri.name + "\" is invalid: target.name: Required value"));
    ApiResponse r = GuaranteedUpdate(
        c, c.ri.name,
        [&](json::Document& pod) {
          Mutation m;
          if (json::Find(pod, {"metadata", "deletionTimestamp"})) {
            m.status = Conflict("Operation cannot be fulfilled on pods/binding \"" + c.ri.name +
                                "\": pod " + c.ri.name +
                                " is being deleted, cannot be assigned to a host");
            return m;
          }
          std::string current = json::GetString(pod, {"spec", "nodeName"});
          if (!current.empty()) {
            m.status = Conflict("Operation cannot be fulfilled on pods/binding \"" + c.ri.name +
                                "\": pod " + c.ri.name + " is already assigned to node \"" +
                                current + "\"");
            return m;
          }
          json::Allocator& a = pod.GetAllocator();
          json::SetString(json::EnsureObject(pod, {"spec"}, a), "nodeName", target, a);
          json::Remove(pod["metadata"], "resourceVersion");
          // Binding annotations are copied onto the pod, as upstream.
          if (const json::Value* ann = json::Find(*body, {"metadata", "annotations"});
              ann && ann->IsObject()) {
            json::Value& dst = json::EnsureObject(pod, {"metadata", "annotations"}, a);
            for (auto& kv : ann->GetObject())
              json::Set(dst, std::string(kv.name.GetString()), json::Value(kv.value, a), a);
          }
          // PodScheduled condition.
          json::Value& status = json::EnsureObject(pod, {"status"}, a);
          json::Value conds(rapidjson::kArrayType);
          if (const json::Value* old = json::Find(status, {"conditions"}); old && old->IsArray())
            for (auto& cnd : old->GetArray())
              if (json::GetString(cnd, {"type"}) != "PodScheduled")
                conds.PushBack(json::Value(cnd, a), a);
          json::Value cond(rapidjson::kObjectType);
          json::SetString(cond, "type", "PodScheduled", a);
          json::SetString(cond, "status", "True", a);
          json::Set(cond, "lastProbeTime", json::Value(), a);
          json::SetString(cond, "lastTransitionTime",
                          json::GetString(pod, {"metadata", "creationTimestamp"}), a);
          conds.PushBack(cond, a);
          json::Set(status, "conditions", std::move(conds), a);
          return m;
        },
        201);
    if (r.code >= 300) return r;
    return JsonResponse(201, kCreatedStatus);
  }
  if (sub == "eviction") {
    if (verb != "create") return MethodNotAllowed();
    // A graceful delete; PodDisruptionBudgets are consulted once the disruption controller
    // maintains their status.
    ApiRequest del_req = c.req;
    del_req.method = "DELETE";
    auto body = json::Parse(c.req.body.empty() ? "{}" : c.req.body);
    if (!body.ok()) return ErrorResponse(BadRequest(body.status().message()));
    if (const json::Value* opts = json::Find(*body, {"deleteOptions"}))
      del_req.body = json::Serialize(*opts);
    else
      del_req.body.clear();
    RequestInfo ri = c.ri;
    ri.subresource.clear();
    ri.verb = "delete";
    Call del{del_req, ri, c.info};
    ApiResponse r = Delete(del);
    if (r.code >= 300) return r;
    return JsonResponse(201, kCreatedStatus);
  }
  if (sub == "scale") {
    if (verb == "get") {
      int64_t rev = 0;
      auto obj = Read(c.info, c.ri.ns, c.ri.name, &rev);
      if (!obj.ok()) return ErrorResponse(obj.status(), DetailsFor(c.info, c.ri.name));
      return JsonResponse(200, ScaleJson(c.info, *obj));
    }
    if (verb != "update" && verb != "patch") return MethodNotAllowed();
    // Read the current Scale, apply the request to it, then write spec.replicas back.
    int64_t rev = 0;
    auto obj = Read(c.info, c.ri.ns, c.ri.name, &rev);
    if (!obj.ok()) return ErrorResponse(obj.status(), DetailsFor(c.info, c.ri.name));
    int64_t replicas = -1;
    std::string want_rv;
    std::string type = c.req.content_type.substr(0, c.req.content_type.find(';'));
    const bool apply = type == "application/apply-patch+yaml";
    if (apply && c.Query("fieldManager").empty()) return MissingFieldManager();
    auto body = apply ? YamlToJson(c.req.body) : json::Parse(c.req.body);
    if (!body.ok()) return ErrorResponse(BadRequest(body.status().message()));
    if (verb == "update") {
      replicas = json::GetInt(*body, {"spec", "replicas"}, -1);
      want_rv = json::GetString(*body, {"metadata", "resourceVersion"});
    } else {
      // Patch the current Scale, then take its replicas.
      auto scale = json::Parse(ScaleJson(c.info, *obj));
      if (!scale.ok()) return ErrorResponse(Internal("scale"));
      // A Scale has no lists: strategic merge and apply patch it as a merge patch does.
      Status st = type == "application/json-patch+json" ? api::ApplyJsonPatch(*scale, *body)
                                                        : api::ApplyMergePatch(*scale, *body);
      if (!st.ok()) return ErrorResponse(st);
      replicas = json::GetInt(*scale, {"spec", "replicas"}, -1);
    }
    if (replicas < 0)
      return ErrorResponse(Status(
          Code::kInvalid, "Scale.autoscaling \"" + c.ri.name +
                              "\" is invalid: spec.replicas: Invalid value: " +
                              std::to_string(replicas) + ": must be greater than or equal to 0"));
    ApiResponse r = GuaranteedUpdate(c, c.ri.name, [&](json::Document& cur) {
      Mutation m;
      if (!want_rv.empty() && want_rv != json::GetString(cur, {"metadata", "resourceVersion"})) {
        m.status = ConflictError(c.info, c.ri.name);
        return m;
      }
      json::Remove(cur["metadata"], "resourceVersion");
      json::Document next;
      next.CopyFrom(cur, next.GetAllocator());
      json::SetInt(json::EnsureObject(next, {"spec"}, next.GetAllocator()), "replicas", replicas,
                   next.GetAllocator());
      m = PrepareUpdate(c, cur, next, false);
      if (m.status.ok() && m.causes.empty()) {
        Mutation owned = RecordScaleOwnership(c, cur, next);
        if (!owned.status.ok()) return owned;
        cur.Swap(next);
      }
      return m;
    });
    if (r.code >= 300) return r;
    auto updated = json::Parse(r.body);
    if (!updated.ok()) return ErrorResponse(Internal("scale update"));
    return JsonResponse(200, ScaleJson(c.info, *updated));
  }
  if (sub == "log") {
    if (verb != "get") return MethodNotAllowed();
    int64_t rev = 0;
    auto pod = Read(c.info, c.ri.ns, c.ri.name, &rev);
    if (!pod.ok()) return ErrorResponse(pod.status(), DetailsFor(c.info, c.ri.name));
    if (json::GetString(*pod, {"spec", "nodeName"}).empty())
      return ErrorResponse(BadRequest("pod " + c.ri.name + " does not have a host assigned"));
    // The kubelet API serves logs; until a kubelet registers its address there is no one to ask.
    return ErrorResponse(
        Status(Code::kUnavailable,
               "no kubelet is reachable for node " + json::GetString(*pod, {"spec", "nodeName"})));
  }
  if (sub == "token") {
    if (verb != "create") return MethodNotAllowed();
    return TokenRequest(c);
  }
  if (sub == "finalize") {
    if (verb != "update") return MethodNotAllowed();
    auto body = json::Parse(c.req.body);
    if (!body.ok() || !body->IsObject()) return ErrorResponse(BadRequest("invalid Namespace body"));
    return GuaranteedUpdate(c, c.ri.name, [&](json::Document& ns) {
      Mutation m;
      json::Allocator& a = ns.GetAllocator();
      json::Remove(ns["metadata"], "resourceVersion");
      json::Value fin(rapidjson::kArrayType);
      if (const json::Value* f = json::Find(*body, {"spec", "finalizers"}); f && f->IsArray())
        fin.CopyFrom(*f, a);
      json::Set(json::EnsureObject(ns, {"spec"}, a), "finalizers", std::move(fin), a);
      // A terminating namespace with no finalizers left is removed.
      if (json::Find(ns, {"metadata", "deletionTimestamp"}) && ns["spec"]["finalizers"].Empty()) {
        const json::Value* mf = json::Find(ns, {"metadata", "finalizers"});
        if (mf == nullptr || !mf->IsArray() || mf->Empty()) m.delete_instead = true;
      }
      return m;
    });
  }
  return ErrorResponse(Status(Code::kNotFound, "the server could not find the requested resource"));
}

}  // namespace cluster::server

namespace cluster::server {

// serviceaccounts/token (TokenRequest, kubectl create token): a signed token for the account,
// for the requested audiences (default: the API's) and lifetime (default 1 h, at least 10 min),
// optionally bound to a Pod, Secret or Node that must exist.
ApiResponse RestContext::TokenRequest(const Call& c) {
  if (!opts_.service_account_tokens)
    return ErrorResponse(
        Status(Code::kNotFound, "the server could not find the requested resource"));
  int64_t rev = 0;
  auto sa = Read(c.info, c.ri.ns, c.ri.name, &rev);
  if (!sa.ok()) return ErrorResponse(sa.status(), DetailsFor(c.info, c.ri.name));
  Result<json::Document> req = json::Parse(c.req.body.empty() ? "{}" : c.req.body);
  if (c.req.content_type.rfind("application/vnd.kubernetes.protobuf", 0) == 0)
    req = api::DecodeProtobufObject(c.req.body);
  if (!req.ok()) return ErrorResponse(BadRequest(req.status().message()));
  if (!req->IsObject())
    return ErrorResponse(BadRequest("the object provided is not a JSON object"));
  std::string body_name = json::GetString(*req, {"metadata", "name"});
  if (!body_name.empty() && body_name != c.ri.name)
    return ErrorResponse(BadRequest("the name of the object (" + body_name +
                                    ") does not match the name on the URL (" + c.ri.name + ")"));
  std::string body_ns = json::GetString(*req, {"metadata", "namespace"});
  if (!body_ns.empty() && body_ns != c.ri.ns)
    return ErrorResponse(BadRequest(
        "the namespace of the provided object does not match the namespace sent on the request"));
  json::Allocator& a = req->GetAllocator();
  json::Value& spec = json::EnsureObject(*req, {"spec"}, a);
  int64_t seconds = json::GetInt(spec, {"expirationSeconds"}, 3600);
  api::FieldCauses causes;
  if (seconds < 600)
    causes.push_back({"FieldValueInvalid", "spec.expirationSeconds",
                      "Invalid value: " + std::to_string(seconds) +
                          ": may not specify a duration less than 10 minutes"});
  if (seconds > (int64_t{1} << 32))
    causes.push_back({"FieldValueInvalid", "spec.expirationSeconds",
                      "Invalid value: " + std::to_string(seconds) +
                          ": may not specify a duration larger than 2^32 seconds"});
  std::vector<std::string> audiences;
  if (const json::Value* aud = json::Find(spec, {"audiences"}); aud && aud->IsArray())
    for (auto& v : aud->GetArray())
      if (v.IsString()) audiences.push_back(v.GetString());
  std::optional<BoundObject> bound;
  json::Value* ref = json::FindMutable(spec, {"boundObjectRef"});
  if (ref && !ref->IsNull() && !ref->IsObject())
    return ErrorResponse(BadRequest("spec.boundObjectRef: expected an object"));
  if (ref && ref->IsObject()) {
    BoundObject b;
    b.kind = json::GetString(*ref, {"kind"});
    b.name = json::GetString(*ref, {"name"});
    if (b.kind != "Pod" && b.kind != "Secret" && b.kind != "Node") {
      return ErrorResponse(BadRequest("cannot bind token for serviceaccount \"" + c.ri.name +
                                      "\" to object of kind \"" + b.kind + "\""));
    } else {
      const api::ResourceInfo* info = table_.FindKind("", b.kind);
      auto obj = Read(*info, b.kind == "Node" ? "" : c.ri.ns, b.name, nullptr);
      if (!obj.ok()) return ErrorResponse(obj.status());
      b.uid = json::GetString(*obj, {"metadata", "uid"});
      if (b.kind == "Pod" &&
          json::GetString(*obj, {"spec", "serviceAccountName"}, "default") != c.ri.name)
        return ErrorResponse(BadRequest("cannot bind token for serviceaccount \"" + c.ri.name +
                                        "\" to pod running with different serviceaccount name."));
      std::string want = json::GetString(*ref, {"uid"});
      if (!want.empty() && want != b.uid)
        return ErrorResponse(Conflict("the UID in the bound object reference (" + want +
                                      ") does not match the UID in record (" + b.uid +
                                      "). The object might have been deleted and then recreated"));
      json::SetString(*ref, "uid", b.uid, a);
      bound = b;
    }
  }
  if (!causes.empty()) {
    api::ResourceInfo token_request;  // errors name the TokenRequest, as upstream
    token_request.group = "authentication.k8s.io";
    token_request.version = "v1";
    token_request.kind = "TokenRequest";
    token_request.plural = "token";
    return InvalidResponse(token_request, c.ri.name, causes);
  }
  ServiceAccountRef account{c.ri.ns, c.ri.name, json::GetString(*sa, {"metadata", "uid"})};
  int64_t expires = 0;
  auto token = opts_.service_account_tokens->Issue(account, audiences, seconds, bound, &expires);
  if (!token.ok()) return ErrorResponse(token.status());
  if (audiences.empty()) {
    json::Value list(rapidjson::kArrayType);
    for (const auto& s : opts_.service_account_tokens->api_audiences())
      list.PushBack(json::String(s, a), a);
    json::Set(spec, "audiences", std::move(list), a);
  }
  json::SetInt(spec, "expirationSeconds", seconds, a);
  json::SetString(*req, "kind", "TokenRequest", a);
  json::SetString(*req, "apiVersion", "authentication.k8s.io/v1", a);
  json::Value& meta = json::EnsureObject(*req, {"metadata"}, a);
  json::SetString(meta, "name", c.ri.name, a);
  json::SetString(meta, "namespace", c.ri.ns, a);
  json::SetString(meta, "creationTimestamp", NowRfc3339(), a);
  json::Value status(rapidjson::kObjectType);
  json::SetString(status, "token", *token, a);
  json::SetString(status, "expirationTimestamp",
                  Rfc3339(std::chrono::system_clock::time_point(std::chrono::seconds(expires))), a);
  json::Set(*req, "status", std::move(status), a);
  return JsonResponse(201, json::Serialize(*req));
}

}  // namespace cluster::server
