#include "server/controllers/namespace_defaults.h"

namespace cluster::server {

NamespaceDefaultController::NamespaceDefaultController(client::ControllerContext ctx, Spec spec)
    : Controller(spec.component, std::move(ctx)), spec_(std::move(spec)) {
  client::EventHandler on_ns;
  on_ns.on_add = [this](const client::ObjectPtr& ns) {
    queue().Add(json::GetString(*ns, {"metadata", "name"}));
  };
  on_ns.on_update = [this](const client::ObjectPtr&, const client::ObjectPtr& ns) {
    queue().Add(json::GetString(*ns, {"metadata", "name"}));
  };
  namespaces_ = Watch(client::ResourceRef{"", "v1", "namespaces", ""}, std::move(on_ns));
  client::EventHandler on_obj;
  auto requeue = [this](const client::ObjectPtr& obj) {
    queue().Add(json::GetString(*obj, {"metadata", "namespace"}));
  };
  on_obj.on_update = [requeue](const client::ObjectPtr&, const client::ObjectPtr& now) {
    requeue(now);
  };
  on_obj.on_delete = requeue;
  // Only the one object per namespace is watched (as upstream, by field selector).
  objects_ = Watch(spec_.ref, std::move(on_obj), "metadata.name=" + spec_.name);
}

Status NamespaceDefaultController::Sync(const std::string& ns) {
  client::ObjectPtr namespace_obj = namespaces_->Get(ns);
  if (!namespace_obj || json::Find(*namespace_obj, {"metadata", "deletionTimestamp"}) ||
      json::GetString(*namespace_obj, {"status", "phase"}) == "Terminating")
    return Status::Ok();
  json::Document want = spec_.desired(ns);
  client::ObjectPtr have = objects_->Get(ns + "/" + spec_.name);
  if (!have) {
    auto created = client().Create(spec_.ref, ns, want);
    // Someone made it first, or the namespace just began terminating: nothing to do.
    if (!created.ok() &&
        (created.status().code() == Code::kAlreadyExists ||
         created.status().code() == Code::kForbidden || created.status().code() == Code::kNotFound))
      return Status::Ok();
    return created.status();
  }
  if (!spec_.drifted || !spec_.drifted(*have, want)) return Status::Ok();
  json::Document fixed;
  fixed.CopyFrom(*have, fixed.GetAllocator());
  for (auto& m : want.GetObject()) {
    std::string_view k(m.name.GetString(), m.name.GetStringLength());
    if (k == "metadata" || k == "kind" || k == "apiVersion") continue;
    json::Set(fixed, k, json::Value(m.value, fixed.GetAllocator()), fixed.GetAllocator());
  }
  auto updated = client().Update(spec_.ref, ns, fixed);
  if (!updated.ok() &&
      (updated.status().code() == Code::kConflict || updated.status().code() == Code::kNotFound))
    return Status::Ok();  // a newer version or a delete will come through the informer
  return updated.status();
}

NamespaceDefaultController::Spec DefaultServiceAccountSpec() {
  NamespaceDefaultController::Spec s;
  s.component = "serviceaccount-controller";
  s.ref = client::ResourceRef{"", "v1", "serviceaccounts", ""};
  s.name = "default";
  s.desired = [](const std::string&) {
    json::Document d;
    d.Parse(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"default"}})");
    return d;
  };
  return s;
}

NamespaceDefaultController::Spec RootCaConfigMapSpec(std::string ca_pem) {
  NamespaceDefaultController::Spec s;
  s.component = "root-ca-certificate-publisher-controller";
  s.ref = client::ResourceRef{"", "v1", "configmaps", ""};
  s.name = "kube-root-ca.crt";
  s.desired = [ca_pem](const std::string&) {
    json::Document d;
    d.Parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"kube-root-ca.crt",)"
            R"("annotations":{"kubernetes.io/description":"Contains a CA bundle that can be )"
            R"(used to verify the kube-apiserver when using internal endpoints such as the )"
            R"(internal service IP or kubernetes.default.svc. No other usage is guaranteed )"
            R"(across distributions of Kubernetes clusters."}},"data":{}})");
    json::SetString(d["data"], "ca.crt", ca_pem, d.GetAllocator());
    return d;
  };
  s.drifted = [](const json::Value& have, const json::Value& want) {
    const json::Value* a = json::Find(have, {"data"});
    const json::Value* b = json::Find(want, {"data"});
    return a == nullptr || *a != *b;
  };
  return s;
}

}  // namespace cluster::server
