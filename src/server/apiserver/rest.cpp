#include "server/apiserver/rest.h"

#include <algorithm>

#include "common/log.h"
#include "server/apiserver/media.h"
#include "server/apiserver/object_store.h"
#include "server/apiserver/watch.h"

namespace cluster::server {
namespace {

const char kVersionBody[] =
    R"({"major":"1","minor":"32","gitVersion":"v1.32.0+cluster","gitCommit":"cluster",)"
    R"("gitTreeState":"clean","buildDate":"2026-12-01T00:00:00Z","goVersion":"c++20",)"
    R"("compiler":"gcc","platform":"linux/amd64"})";

bool HasSubresource(const api::ResourceInfo& info, const std::string& sub) {
  return std::find(info.subresources.begin(), info.subresources.end(), sub) !=
         info.subresources.end();
}

}  // namespace

ApiResponse JsonResponse(int code, std::string body) {
  ApiResponse r;
  r.code = code;
  r.body = std::move(body);
  return r;
}

RestContext::RestContext(store::Store* store, const ApiServerOptions& opts,
                         std::unique_ptr<Authorizer> authorizer)
    : store_(store),
      opts_(opts),
      authorizer_(authorizer ? std::move(authorizer) : std::make_unique<MastersAuthorizer>()),
      table_(api::ResourceTable::BuiltIn()),
      allocator_(opts.service_cidr, opts.node_port_range),
      watches_(std::make_unique<WatchRegistry>()) {
  // Bearer tokens: the token file, then service account tokens whose account (and bound
  // object) still exists with the uid in the token.
  std::shared_ptr<const TokenAuthenticator> sa;
  if (opts_.service_account_tokens) {
    sa = ServiceAccountAuthenticator(opts_.service_account_tokens,
                                     [this](const std::string& kind, const std::string& ns,
                                            const std::string& name) -> std::optional<std::string> {
                                       const api::ResourceInfo* info = table_.FindKind("", kind);
                                       if (info == nullptr) return std::nullopt;
                                       auto obj = Read(*info, ns, name, nullptr);
                                       if (!obj.ok()) return std::nullopt;
                                       return json::GetString(*obj, {"metadata", "uid"});
                                     });
  }
  tokens_ = UnionAuthenticator({opts_.tokens, sa});
  Status st = allocator_.Init();
  if (!st.ok()) LOG_ERROR("apiserver") << st.ToString();
  allocator_.SetLoader([this](std::vector<std::string>* ips, std::vector<int>* ports) {
    const api::ResourceInfo* svc = table_.Find("", "v1", "services");
    store::RangeRequest rr;
    rr.key = svc->StorePrefix();
    rr.range_end = store::PrefixEnd(rr.key);
    auto res = store_->Range(rr);
    if (!res.ok()) return;
    for (const auto& kv : res->kvs) {
      auto doc = json::Parse(kv.value);
      if (!doc.ok()) continue;
      std::string ip = json::GetString(*doc, {"spec", "clusterIP"});
      if (!ip.empty() && ip != "None") ips->push_back(ip);
      if (const json::Value* p = json::Find(*doc, {"spec", "ports"}); p && p->IsArray())
        for (auto& port : p->GetArray())
          if (int np = static_cast<int>(json::GetInt(port, {"nodePort"})); np > 0)
            ports->push_back(np);
    }
  });
}

RestContext::~RestContext() { CancelWatches(); }

void RestContext::CancelWatches() { watches_->CancelAll(); }

ApiResponse RestContext::Serve(const ApiRequest& req) {
  RequestInfo ri = ParseRequestInfo(req);
  if (!ri.is_resource) return ServeNonResource(req, ri);
  ApiResponse resp;
  // Nothing acceptable to answer with: refused before anything is done (pods/log answers text).
  auto media = NegotiateMedia(req.accept, OfferFor(ri));
  if (!media.ok()) {
    if (ri.subresource != "log") return ErrorResponse(media.status());
    media = MediaChoice{};
  }
  if (Authorize(req, ri, &resp)) resp = ServeResource(req, ri, *media);
  EncodeResponseBody(*media, &resp);
  return resp;
}

bool QueryFlag(const std::map<std::string, std::string>& query, const std::string& key) {
  auto it = query.find(key);
  if (it == query.end()) return false;
  std::string v = it->second;
  for (char& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return v != "0" && v != "false";
}

MediaOffer OfferFor(const RequestInfo& ri) {
  MediaOffer o;
  const bool read = ri.verb == "get" || ri.verb == "list" || ri.verb == "watch";
  if (read && ri.subresource.empty()) {
    o.table = true;
    o.partial_metadata = true;
    o.partial_metadata_list = ri.verb == "list";
  }
  return o;
}

bool RestContext::Authorize(const ApiRequest& req, const RequestInfo& ri, ApiResponse* denied) {
  AuthzAttributes a;
  a.user = req.user;
  a.verb = ri.verb;
  a.group = ri.group;
  a.resource = ri.resource;
  a.subresource = ri.subresource;
  a.ns = ri.ns;
  a.name = ri.name;
  a.is_resource = ri.is_resource;
  a.path = req.path;
  if (!ri.is_resource) a.verb = req.method == "GET" ? "get" : "post";
  AuthzDecision d = authorizer_->Authorize(a);
  if (d.allowed) return true;
  ErrorDetails details;
  details.name = ri.name;
  details.group = ri.group;
  details.kind = ri.resource;
  *denied = ErrorResponse(Status(Code::kForbidden, ForbiddenMessage(a)), details);
  return false;
}

ApiResponse RestContext::ServeNonResource(const ApiRequest& req, const RequestInfo& ri) {
  const std::string& p = req.path;
  if (p == "/version" || p == "/version/") return JsonResponse(200, kVersionBody);
  if (p == "/healthz" || p == "/livez" || p == "/readyz" || p.rfind("/healthz/", 0) == 0 ||
      p.rfind("/livez/", 0) == 0 || p.rfind("/readyz/", 0) == 0) {
    ApiResponse r = JsonResponse(200, "ok");
    r.content_type = "text/plain; charset=utf-8";
    return r;
  }
  if (p == "/cacerts") {
    ApiResponse r = JsonResponse(200, opts_.ca_pem);
    r.content_type = "text/plain";
    return r;
  }
  ApiResponse denied;
  if (!Authorize(req, ri, &denied)) return denied;
  if (p == "/api" || p == "/api/" || p == "/apis" || p == "/apis/" || p.rfind("/api/", 0) == 0 ||
      p.rfind("/apis/", 0) == 0)
    return ServeDiscovery(table_, req, ri);
  if (p == "/openapi/v2" || p == "/openapi/v3" || p.rfind("/openapi/v3/", 0) == 0)
    return ServeOpenApi(req);
  if (p == "/") {
    return JsonResponse(200, R"({"paths":["/api","/api/v1","/apis","/healthz","/livez",)"
                             R"("/readyz","/version"]})");
  }
  return ErrorResponse(Status(Code::kNotFound, "the server could not find the requested resource"));
}

ApiResponse RestContext::ServeResource(const ApiRequest& req, const RequestInfo& ri,
                                       const MediaChoice& media) {
  const api::ResourceInfo* info = table_.Find(ri.group, ri.version, ri.resource);
  if (info == nullptr || (!info->namespaced && !ri.ns.empty()))
    return ErrorResponse(
        Status(Code::kNotFound, "the server could not find the requested resource"));
  if (ri.verb.empty())
    return ErrorResponse(Status(Code::kMethodNotAllowed,
                                "the server does not allow this method on the requested resource"));
  Call c{req, ri, *info, media};
  if (!ri.subresource.empty()) {
    if (!HasSubresource(*info, ri.subresource))
      return ErrorResponse(
          Status(Code::kNotFound, "the server could not find the requested resource"));
    return Subresource(c);
  }
  auto verb_allowed = [&](const char* v) {
    return std::find(info->verbs.begin(), info->verbs.end(), v) != info->verbs.end();
  };
  if (!verb_allowed(ri.verb.c_str()))
    return ErrorResponse(Status(Code::kMethodNotAllowed,
                                "the server does not allow this method on the requested resource"));
  if (ri.verb == "get") return Get(c);
  if (ri.verb == "list") return List(c);
  if (ri.verb == "watch") return Watch(c);
  if (ri.verb == "create") {
    if (!ri.name.empty())
      return ErrorResponse(
          Status(Code::kMethodNotAllowed,
                 "the server does not allow this method on the requested resource"));
    return Create(c);
  }
  if (ri.verb == "update") return Update(c);
  if (ri.verb == "patch") return Patch(c);
  if (ri.verb == "delete") return Delete(c);
  if (ri.verb == "deletecollection") return DeleteCollection(c);
  return ErrorResponse(Status(Code::kMethodNotAllowed, "unsupported verb " + ri.verb));
}

Result<json::Document> RestContext::Read(const api::ResourceInfo& info, const std::string& ns,
                                         const std::string& name, int64_t* rev) {
  auto kv = store_->Get(ObjectKey(info, ns, name));
  if (!kv.ok()) {
    if (kv.status().code() == Code::kNotFound) return NotFoundError(info, name);
    return kv.status();
  }
  if (rev) *rev = kv->mod_revision;
  return DecodeFromStore(info, *kv);
}

std::string RestContext::Wire(const json::Value& obj) { return json::Serialize(obj); }

Status RestContext::CheckNamespaceForCreate(const std::string& ns) {
  const api::ResourceInfo* nsinfo = table_.Find("", "v1", "namespaces");
  auto kv = store_->Get(ObjectKey(*nsinfo, "", ns));
  if (!kv.ok()) return Status(Code::kNotFound, "namespaces \"" + ns + "\" not found");
  // Terminating namespaces take no new content (NamespaceLifecycle admission).
  if (kv->value.find("\"deletionTimestamp\"") != std::string::npos) {
    auto doc = json::Parse(kv->value);
    if (doc.ok() && json::Find(*doc, {"metadata", "deletionTimestamp"}))
      return Status(Code::kForbidden, "unable to create new content in namespace " + ns +
                                          " because it is being terminated");
  }
  return Status::Ok();
}

}  // namespace cluster::server
