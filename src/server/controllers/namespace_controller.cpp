#include "server/controllers/namespace_controller.h"

#include <algorithm>

#include "api/resources.h"
#include "common/log.h"

namespace cluster::server {
namespace {

const char* kComponent = "namespace-controller";

bool Terminating(const json::Value& ns) {
  return json::Find(ns, {"metadata", "deletionTimestamp"}) != nullptr;
}

bool HasKubernetesFinalizer(const json::Value& ns) {
  const json::Value* f = json::Find(ns, {"spec", "finalizers"});
  if (f == nullptr || !f->IsArray()) return false;
  for (auto& v : f->GetArray())
    if (v.IsString() && std::string_view(v.GetString()) == "kubernetes") return true;
  return false;
}

}  // namespace

NamespaceController::NamespaceController(client::ControllerContext ctx)
    : Controller("namespace-controller", std::move(ctx)) {
  client::EventHandler h;
  auto enqueue = [this](const client::ObjectPtr& obj) {
    if (Terminating(*obj)) Enqueue(*obj);
  };
  h.on_add = enqueue;
  h.on_update = [enqueue](const client::ObjectPtr&, const client::ObjectPtr& now) { enqueue(now); };
  namespaces_ = Watch(client::ResourceRef{"", "v1", "namespaces", ""}, std::move(h));
}

Status NamespaceController::Sync(const std::string& name) {
  client::ObjectPtr ns = namespaces_->Get(name);
  if (!ns || !Terminating(*ns) || !HasKubernetesFinalizer(*ns)) return Status::Ok();
  bool remaining = false;
  for (const api::ResourceInfo& r : api::ResourceTable::BuiltIn().All()) {
    auto can = [&r](const char* verb) {
      return std::find(r.verbs.begin(), r.verbs.end(), verb) != r.verbs.end();
    };
    if (!r.namespaced || !can("list") || !can("deletecollection")) continue;
    client::ResourceRef ref{r.group, r.version, r.plural, ""};
    client::Request del;
    del.method = "DELETE";
    del.path = client::ResourcePath(ref, name, "");
    del.body = R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"})";
    del.content_type = "application/json";
    auto resp = client().transport()->Do(del);
    if (!resp.ok()) return resp.status();
    if (resp->code >= 300 && resp->code != 404 && resp->code != 405)
      return client::StatusFromResponse(*resp);
    client::ListOptions one;
    one.limit = 1;
    auto left = client().List(ref, name, one);
    if (!left.ok()) return left.status();
    const json::Value* items = json::Find(*left, {"items"});
    if (items && items->IsArray() && !items->Empty()) remaining = true;
  }
  if (remaining) return RequeueAfter(name, std::chrono::milliseconds(500));
  // Empty: drop our finalizer; the apiserver removes the namespace.
  json::Document body;
  body.CopyFrom(*ns, body.GetAllocator());
  json::Value fin(rapidjson::kArrayType);
  for (auto& v : body["spec"]["finalizers"].GetArray())
    if (!(v.IsString() && std::string_view(v.GetString()) == "kubernetes"))
      fin.PushBack(json::Value(v, body.GetAllocator()), body.GetAllocator());
  body["spec"]["finalizers"] = fin;
  client::Request put;
  put.method = "PUT";
  put.path = "/api/v1/namespaces/" + name + "/finalize";
  put.body = json::Serialize(body);
  put.content_type = "application/json";
  auto resp = client().transport()->Do(put);
  if (!resp.ok()) return resp.status();
  if (resp->code >= 300 && resp->code != 404) return client::StatusFromResponse(*resp);
  LOG_INFO(kComponent) << "namespace " << name << " emptied and finalized";
  return Status::Ok();
}

}  // namespace cluster::server
