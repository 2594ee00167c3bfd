// delete and deletecollection: preconditions, finalizers, graceful pod deletion,
// propagation policy (as finalizers the garbage collector honours).
#include "common/ids.h"
#include "common/selectors.h"
#include "server/apiserver/admission.h"
#include "server/apiserver/object_store.h"
#include "server/apiserver/rest.h"

namespace cluster::server {
namespace {

struct DeleteOptions {
  int64_t grace = -1;  // -1: the object's default
  std::string propagation;
  int orphan = -1;  // orphanDependents: -1 unset, 0 false, 1 true
  std::string uid;
  std::string resource_version;
  bool dry_run = false;
};

Status BothOrphanAndPropagation() {
  return Status(Code::kInvalid,
                "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Invalid value: "
                "\"\": orphanDependents and deletionPropagation cannot be both set");
}

Result<DeleteOptions> ParseDeleteOptions(const Call& c) {
  DeleteOptions o;
  if (!c.req.body.empty()) {
    auto doc = json::Parse(c.req.body);
    if (!doc.ok() || !doc->IsObject()) return BadRequest("invalid DeleteOptions body");
    if (const json::Value* g = json::Find(*doc, {"gracePeriodSeconds"}); g && g->IsInt64())
      o.grace = g->GetInt64();
    o.propagation = json::GetString(*doc, {"propagationPolicy"});
    if (const json::Value* od = json::Find(*doc, {"orphanDependents"}); od && od->IsBool()) {
      if (!o.propagation.empty()) return BothOrphanAndPropagation();
      o.orphan = od->GetBool() ? 1 : 0;
    }
    o.uid = json::GetString(*doc, {"preconditions", "uid"});
    o.resource_version = json::GetString(*doc, {"preconditions", "resourceVersion"});
    if (const json::Value* d = json::Find(*doc, {"dryRun"}); d && d->IsArray() && !d->Empty())
      o.dry_run = true;
  }
  if (std::string g = c.Query("gracePeriodSeconds"); !g.empty()) {
    try {
      o.grace = std::stoll(g);
    } catch (...) {
      return BadRequest("invalid gracePeriodSeconds: " + g);
    }
  }
  if (std::string p = c.Query("propagationPolicy"); !p.empty()) o.propagation = p;
  // The deprecated orphanDependents (body or query) still means the orphan finalizer.
  if (c.req.query.count("orphanDependents")) o.orphan = c.Flag("orphanDependents") ? 1 : 0;
  if (o.orphan >= 0) {
    if (!o.propagation.empty()) return BothOrphanAndPropagation();
    if (o.orphan == 1) o.propagation = "Orphan";
  }
  if (c.DryRun()) o.dry_run = true;
  if (!o.propagation.empty() && o.propagation != "Orphan" && o.propagation != "Background" &&
      o.propagation != "Foreground")
    return Status(Code::kInvalid,
                  "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: "
                  "Unsupported value: \"" +
                      o.propagation +
                      "\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
  return o;
}

bool HasFinalizer(const json::Value& obj, const char* f) {
  const json::Value* fs = json::Find(obj, {"metadata", "finalizers"});
  if (fs == nullptr || !fs->IsArray()) return false;
  for (auto& v : fs->GetArray())
    if (v.IsString() && std::string_view(v.GetString()) == f) return true;
  return false;
}

void AddFinalizer(json::Document& obj, const char* f) {
  if (HasFinalizer(obj, f)) return;
  json::Allocator& a = obj.GetAllocator();
  json::Value& meta = json::EnsureObject(obj, {"metadata"}, a);
  if (!meta.HasMember("finalizers") || !meta["finalizers"].IsArray())
    json::Set(meta, "finalizers", json::Value(rapidjson::kArrayType), a);
  meta["finalizers"].PushBack(json::String(f, a), a);
}

// Objects whose DELETE answers with the object rather than a Status (as upstream).
bool ReturnsObject(const api::ResourceInfo& info) {
  return info.group.empty() && (info.kind == "Pod" || info.kind == "Namespace" ||
                                info.kind == "Service" || info.kind == "Node");
}

std::string SuccessStatus(const api::ResourceInfo& info, const std::string& name,
                          const std::string& uid) {
  return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Success\","
         "\"details\":{\"name\":\"" +
         name + "\"," + (info.group.empty() ? "" : "\"group\":\"" + info.group + "\",") +
         "\"kind\":\"" + info.plural + "\",\"uid\":\"" + uid + "\"}}";
}

// Deletes (or marks for deletion) one object. On success *out is the object as deleted, or as
// marked when finalizers or a grace period hold it, and *finished says which.
ApiResponse DeleteOne(RestContext* ctx, const Call& c, const DeleteOptions* opts,
                      json::Document* out, bool* finished) {
  const std::string& name = c.ri.name;
  for (int attempt = 0; attempt < 10; ++attempt) {
    int64_t rev = 0;
    auto cur = ctx->Read(c.info, c.ri.ns, name, &rev);
    if (!cur.ok()) return ErrorResponse(cur.status(), DetailsFor(c.info, name));
    std::string uid = json::GetString(*cur, {"metadata", "uid"});
    if (!opts->uid.empty() && opts->uid != uid)
      return ErrorResponse(ConflictError(c.info, name,
                                         "Precondition failed: UID in precondition: " + opts->uid +
                                             ", UID in object meta: " + uid),
                           DetailsFor(c.info, name));
    if (!opts->resource_version.empty() && opts->resource_version != std::to_string(rev))
      return ErrorResponse(
          ConflictError(
              c.info, name,
              "Precondition failed: ResourceVersion in precondition: " + opts->resource_version +
                  ", ResourceVersion in object meta: " + std::to_string(rev)),
          DetailsFor(c.info, name));
    const bool already = json::Find(*cur, {"metadata", "deletionTimestamp"}) != nullptr;
    json::Document next;
    next.CopyFrom(*cur, next.GetAllocator());
    json::Allocator& a = next.GetAllocator();
    json::Value& meta = next["metadata"];
    // Graceful deletion: bound pods wait for their kubelet (grace > 0).
    int64_t grace = 0;
    if (c.info.kind == "Pod" && c.info.group.empty()) {
      std::string phase = json::GetString(*cur, {"status", "phase"});
      bool bound = !json::GetString(*cur, {"spec", "nodeName"}).empty();
      grace = opts->grace >= 0 ? opts->grace
                               : json::GetInt(*cur, {"spec", "terminationGracePeriodSeconds"}, 30);
      if (!bound || phase == "Succeeded" || phase == "Failed") grace = 0;
    }
    if (c.info.kind == "Namespace" && c.info.group.empty()) {
      json::EnsureObject(next, {"status"}, a);
      json::SetString(next["status"], "phase", "Terminating", a);
    }
    if (opts->propagation == "Foreground") AddFinalizer(next, "foregroundDeletion");
    if (opts->propagation == "Orphan") AddFinalizer(next, "orphan");
    bool finalizers =
        HasFinalizer(next, "foregroundDeletion") || HasFinalizer(next, "orphan") ||
        (json::Find(next, {"metadata", "finalizers"}) && next["metadata"]["finalizers"].IsArray() &&
         !next["metadata"]["finalizers"].Empty()) ||
        (c.info.kind == "Namespace" && c.info.group.empty() &&
         json::Find(next, {"spec", "finalizers"}) && next["spec"]["finalizers"].IsArray() &&
         !next["spec"]["finalizers"].Empty());
    if (grace > 0 || finalizers) {
      // Graceful or finalized deletion: mark the object and let its owner finish the job.
      if (!already) {
        auto when = std::chrono::system_clock::now() + std::chrono::seconds(grace);
        json::SetString(meta, "deletionTimestamp", Rfc3339(when), a);
        json::SetInt(meta, "deletionGracePeriodSeconds", grace, a);
        // Starting a deletion is a change of intent: controllers see a new generation.
        if (int64_t gen = json::GetInt(meta, {"generation"}); gen > 0)
          json::SetInt(meta, "generation", gen + 1, a);
      } else if (grace > 0 &&
                 grace < json::GetInt(meta, {"deletionGracePeriodSeconds"}, grace + 1)) {
        json::SetInt(meta, "deletionGracePeriodSeconds", grace, a);
      }
      // Deleting again what is already being deleted, with nothing new to record, writes
      // nothing (no new resourceVersion, no watch event), as upstream.
      if (opts->dry_run || (already && next == *cur)) {
        out->Swap(next);
        *finished = false;
        return ApiResponse{};
      }
      std::string value = EncodeForStore(c.info, next);
      auto updated = ctx->store()->Update(ObjectKey(c.info, c.ri.ns, name), value, rev);
      if (!updated.ok()) {
        if (updated.status().code() == Code::kConflict) continue;
        return ErrorResponse(updated.status());
      }
      auto stored = json::Parse(WireFromStored(c.info, value, *updated));
      if (!stored.ok()) return ErrorResponse(stored.status());
      *out = std::move(stored).value();
      *finished = false;
      return ApiResponse{};
    }
    if (opts->dry_run) {
      out->Swap(*cur);
      *finished = true;
      return ApiResponse{};
    }
    auto gone = ctx->DeleteNow(c.info, c.ri.ns, name, rev);
    if (!gone.ok()) {
      if (gone.status().code() == Code::kConflict) continue;
      return ErrorResponse(gone.status(), DetailsFor(c.info, name));
    }
    out->Swap(*gone);
    *finished = true;
    return ApiResponse{};
  }
  return ErrorResponse(ConflictError(c.info, name), DetailsFor(c.info, name));
}

}  // namespace

Result<json::Document> RestContext::DeleteNow(const api::ResourceInfo& info, const std::string& ns,
                                              const std::string& name, int64_t expected_rev) {
  auto kv = store_->DeleteKey(ObjectKey(info, ns, name), expected_rev);
  if (!kv.ok()) {
    if (kv.status().code() == Code::kNotFound) return NotFoundError(info, name);
    if (kv.status().code() == Code::kConflict) return ConflictError(info, name);
    return kv.status();
  }
  auto doc = DecodeFromStore(info, *kv);
  if (doc.ok() && info.kind == "Service" && info.group.empty()) ReleaseService(this, *doc);
  return doc;
}

ApiResponse RestContext::Delete(const Call& c) {
  auto opts = ParseDeleteOptions(c);
  if (!opts.ok()) return ErrorResponse(opts.status());
  json::Document obj;
  bool finished = false;
  ApiResponse r = DeleteOne(this, c, &*opts, &obj, &finished);
  if (r.code != 200 || !r.body.empty()) return r;
  // Held by finalizers or a grace period: the object as marked; deleted: the object for the
  // kinds that answer with it, else a Success Status.
  if (!finished || ReturnsObject(c.info)) return JsonResponse(200, Wire(obj));
  return JsonResponse(200,
                      SuccessStatus(c.info, c.ri.name, json::GetString(obj, {"metadata", "uid"})));
}

ApiResponse RestContext::DeleteCollection(const Call& c) {
  auto opts = ParseDeleteOptions(c);
  if (!opts.ok()) return ErrorResponse(opts.status());
  ApiRequest list_req = c.req;
  list_req.method = "GET";
  list_req.body.clear();
  list_req.accept = "application/json";
  Call list_call{list_req, c.ri, c.info};
  ApiResponse listed = List(list_call);
  if (listed.code != 200) return listed;
  auto doc = json::Parse(listed.body);
  if (!doc.ok()) return ErrorResponse(Internal("list failed"));
  const json::Value* items = json::Find(*doc, {"items"});
  std::string rv = json::GetString(*doc, {"metadata", "resourceVersion"});
  // As upstream: the answer lists what was deleted (or marked for deletion).
  std::string out = "{\"kind\":\"" + c.info.ListKind() + "\",\"apiVersion\":\"" +
                    c.info.GroupVersion() + "\",\"metadata\":{\"resourceVersion\":\"" + rv +
                    "\"},\"items\":[";
  bool first = true;
  if (items && items->IsArray()) {
    for (auto& item : items->GetArray()) {
      RequestInfo ri = c.ri;
      ri.name = json::GetString(item, {"metadata", "name"});
      ri.ns = json::GetString(item, {"metadata", "namespace"});
      Call del{c.req, ri, c.info};
      json::Document obj;
      bool finished = false;
      ApiResponse r = DeleteOne(this, del, &*opts, &obj, &finished);
      if (r.code == 404) continue;  // deleted meanwhile
      if (r.code != 200 || !r.body.empty()) return r;
      if (!first) out += ',';
      first = false;
      out += Wire(obj);
    }
  }
  out += "]}";
  return JsonResponse(200, std::move(out));
}

}  // namespace cluster::server
