// Reviews, answered and never stored: authorization.k8s.io/v1 access reviews (kubectl auth
// can-i) by the server's authorizer, authentication.k8s.io/v1 SelfSubjectReview (kubectl auth
// whoami) and TokenReview by its authenticator.
#include "common/ids.h"
#include "server/apiserver/rest.h"

namespace cluster::server {

namespace {

AuthzAttributes AttributesFrom(const json::Value& spec, const UserInfo& user) {
  AuthzAttributes a;
  a.user = user;
  if (const json::Value* r = json::Find(spec, {"resourceAttributes"}); r && r->IsObject()) {
    a.is_resource = true;
    a.verb = json::GetString(*r, {"verb"});
    a.group = json::GetString(*r, {"group"});
    a.resource = json::GetString(*r, {"resource"});
    a.subresource = json::GetString(*r, {"subresource"});
    a.ns = json::GetString(*r, {"namespace"});
    a.name = json::GetString(*r, {"name"});
  } else if (const json::Value* n = json::Find(spec, {"nonResourceAttributes"});
             n && n->IsObject()) {
    a.is_resource = false;
    a.verb = json::GetString(*n, {"verb"});
    a.path = json::GetString(*n, {"path"});
  }
  return a;
}

void SetRules(json::Document& obj, bool everything) {
  json::Allocator& al = obj.GetAllocator();
  json::Value status(rapidjson::kObjectType);
  json::Value rules(rapidjson::kArrayType);
  json::Value non_rules(rapidjson::kArrayType);
  if (everything) {
    auto star = [&al] {
      json::Value v(rapidjson::kArrayType);
      v.PushBack(json::String("*", al), al);
      return v;
    };
    json::Value r(rapidjson::kObjectType);
    json::Set(r, "verbs", star(), al);
    json::Set(r, "apiGroups", star(), al);
    json::Set(r, "resources", star(), al);
    rules.PushBack(r, al);
    json::Value n(rapidjson::kObjectType);
    json::Set(n, "verbs", star(), al);
    json::Set(n, "nonResourceURLs", star(), al);
    non_rules.PushBack(n, al);
  }
  json::Set(status, "resourceRules", std::move(rules), al);
  json::Set(status, "nonResourceRules", std::move(non_rules), al);
  json::Set(status, "incomplete", json::Value(false), al);
  json::Set(obj, "status", std::move(status), al);
}

}  // namespace

ApiResponse RestContext::AccessReview(const Call& c) {
  auto doc = DecodeBody(c);
  if (!doc.ok()) return ErrorResponse(doc.status());
  json::Allocator& al = doc->GetAllocator();
  const json::Value* spec = json::Find(*doc, {"spec"});
  static const json::Value kEmpty(rapidjson::kObjectType);
  if (spec == nullptr || !spec->IsObject()) spec = &kEmpty;
  UserInfo subject = c.req.user;
  const std::string& kind = c.info.kind;
  if (kind == "SubjectAccessReview" || kind == "LocalSubjectAccessReview") {
    subject = UserInfo{};
    subject.name = json::GetString(*spec, {"user"});
    if (const json::Value* g = json::Find(*spec, {"groups"}); g && g->IsArray())
      for (auto& v : g->GetArray())
        if (v.IsString()) subject.groups.push_back(v.GetString());
    if (subject.name.empty() && subject.groups.empty())
      return InvalidResponse(c.info, "",
                             {{"FieldValueRequired", "spec.user",
                               "Required value: at least one of user or group must be specified"}});
  }
  if (kind == "SelfSubjectRulesReview") {
    AuthzAttributes all;
    all.user = subject;
    all.verb = "*";
    all.group = "*";
    all.resource = "*";
    all.ns = json::GetString(*spec, {"namespace"});
    SetRules(*doc, authorizer().Authorize(all).allowed);
    return JsonResponse(201, json::Serialize(*doc));
  }
  AuthzAttributes attrs = AttributesFrom(*spec, subject);
  if (kind == "LocalSubjectAccessReview") attrs.ns = c.ri.ns;
  AuthzDecision d = authorizer().Authorize(attrs);
  json::Value status(rapidjson::kObjectType);
  json::Set(status, "allowed", json::Value(d.allowed), al);
  if (!d.allowed && !d.reason.empty()) json::SetString(status, "reason", d.reason, al);
  json::Set(*doc, "status", std::move(status), al);
  return JsonResponse(201, json::Serialize(*doc));
}

}  // namespace cluster::server

namespace cluster::server {

// authentication.k8s.io/v1: SelfSubjectReview (kubectl auth whoami) tells the caller who the
// server takes it for; TokenReview asks the server's token authenticator about a token.
ApiResponse RestContext::AuthenticationReview(const Call& c) {
  auto doc = DecodeBody(c);
  if (!doc.ok()) return ErrorResponse(doc.status());
  json::Allocator& al = doc->GetAllocator();
  auto user_json = [&al](const UserInfo& u) {
    json::Value v(rapidjson::kObjectType);
    if (!u.name.empty()) json::SetString(v, "username", u.name, al);
    if (!u.uid.empty()) json::SetString(v, "uid", u.uid, al);
    if (!u.groups.empty()) {
      json::Value g(rapidjson::kArrayType);
      for (const auto& s : u.groups) g.PushBack(json::String(s, al), al);
      json::Set(v, "groups", std::move(g), al);
    }
    return v;
  };
  json::Value& meta = json::EnsureObject(*doc, {"metadata"}, al);
  json::SetString(meta, "creationTimestamp", NowRfc3339(), al);
  json::Value status(rapidjson::kObjectType);
  if (c.info.kind == "SelfSubjectReview") {
    json::Set(status, "userInfo", user_json(c.req.user), al);
  } else {
    std::string token = json::GetString(*doc, {"spec", "token"});
    if (token.empty())
      return ErrorResponse(BadRequest("token is required for TokenReview in authentication"));
    std::vector<std::string> audiences;
    if (const json::Value* a = json::Find(*doc, {"spec", "audiences"}); a && a->IsArray())
      for (auto& v : a->GetArray())
        if (v.IsString()) audiences.push_back(v.GetString());
    std::optional<UserInfo> user = authenticator()->Authenticate(token, audiences);
    if (user) {
      user->groups.push_back("system:authenticated");
      json::Set(status, "authenticated", json::Value(true), al);
      json::Set(status, "user", user_json(*user), al);
      // The audiences the token was accepted for: those asked about, else the API's.
      if (audiences.empty() && opts_.service_account_tokens)
        audiences = opts_.service_account_tokens->api_audiences();
      json::Value list(rapidjson::kArrayType);
      for (const auto& s : audiences) list.PushBack(json::String(s, al), al);
      json::Set(status, "audiences", std::move(list), al);
    } else {
      json::Set(status, "user", json::Value(rapidjson::kObjectType), al);
    }
  }
  json::Set(*doc, "status", std::move(status), al);
  return JsonResponse(201, json::Serialize(*doc));
}

}  // namespace cluster::server
