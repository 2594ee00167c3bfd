#include "server/apiserver/apply.h"

#include <algorithm>
#include <map>

#include "api/managed_fields.h"
#include "common/ids.h"
#include "common/yaml_json.h"

namespace cluster::server {
namespace {

using api::FieldSet;
using api::ManagedFieldsEntry;

bool IsApplyRequest(const Call& c) {
  return c.req.content_type.rfind("application/apply-patch+yaml", 0) == 0;
}

const api::schema::Type* KindOf(const Call& c) { return c.info.schema_type; }

// Status is owned through the status subresource only (upstream's reset fields).
bool DropStatus(const Call& c) { return c.info.has_status && c.ri.subresource != "status"; }

// How upstream names a manager in conflict messages.
std::string PrintManager(const ManagedFieldsEntry& e) {
  std::string s = "\"" + e.manager + "\"";
  if (!e.subresource.empty()) s += " with subresource \"" + e.subresource + "\"";
  s += " using " + e.api_version;
  if (e.operation == "Update" && !e.time.empty()) s += " at " + e.time;
  return s;
}

struct Conflicts {
  std::map<std::string, std::vector<std::string>> by_manager;  // printed manager -> paths
  size_t count = 0;
};

// Other managers' fields this apply changes: conflicts, or with `force` no longer theirs.
// Removed fields leave every set.
Conflicts SettleOwnership(std::vector<ManagedFieldsEntry>* others, const FieldSet& changed,
                          const FieldSet& removed, bool force) {
  Conflicts cf;
  for (auto& e : *others) {
    FieldSet clash = api::Intersection(e.fields, changed);
    if (!clash.empty()) {
      if (force) {
        e.fields = api::Difference(e.fields, clash);
      } else {
        auto paths = api::MemberPaths(clash);
        cf.count += paths.size();
        auto& list = cf.by_manager[PrintManager(e)];
        list.insert(list.end(), paths.begin(), paths.end());
      }
    }
    e.fields = api::Difference(e.fields, removed);
  }
  return cf;
}

Mutation ConflictMutation(const Conflicts& cf) {
  Mutation m;
  std::string msg;
  if (cf.count == 1) {
    const auto& [mgr, paths] = *cf.by_manager.begin();
    msg = "Apply failed with 1 conflict: conflict with " + mgr + ": " + paths[0];
  } else {
    msg = "Apply failed with " + std::to_string(cf.count) + " conflicts: ";
    bool first = true;
    for (const auto& [mgr, paths] : cf.by_manager) {
      msg += (first ? "" : "\n") + std::string("conflicts with ") + mgr + ":";
      for (const auto& p : paths) msg += "\n- " + p;
      first = false;
    }
  }
  for (const auto& [mgr, paths] : cf.by_manager)
    for (const auto& p : paths)
      m.details.causes.push_back({"FieldManagerConflict", p, "conflict with " + mgr});
  m.status = Status(Code::kConflict, msg);
  return m;
}

}  // namespace

ApiResponse MissingFieldManager() {
  ErrorDetails d;
  d.group = "meta.k8s.io";
  d.kind = "PatchOptions";
  d.causes.push_back(
      {"FieldValueRequired", "fieldManager", "Required value: is required for apply patch"});
  return ErrorResponse(Status(Code::kInvalid,
                              "PatchOptions.meta.k8s.io \"\" is invalid: "
                              "fieldManager: Required value: is required for "
                              "apply patch"),
                       d);
}

namespace {

// The applied configuration as an object of the call's kind (kind, apiVersion, name and
// namespace checked as for updates; fieldValidation applied).
Result<json::Document> DecodeConfig(const Call& c, std::vector<std::string>* warnings) {
  // As upstream's field manager: the configuration must name the endpoint's version exactly
  // (a missing apiVersion is not filled in).
  {
    auto raw = YamlToJson(c.req.body);
    if (!raw.ok()) return BadRequest("error decoding YAML: " + raw.status().message());
    std::string version = raw->IsObject() ? json::GetString(*raw, {"apiVersion"}) : "";
    if (version != c.info.GroupVersion())
      return BadRequest("Incorrect version specified in apply patch. Specified patch version: " +
                        version + ", expected: " + c.info.GroupVersion());
  }
  ApiRequest as_yaml = c.req;  // JSON is YAML too
  as_yaml.content_type = "application/yaml";
  Call yc{as_yaml, c.ri, c.info};
  auto doc = DecodeBody(yc, warnings);
  if (!doc.ok()) return doc.status();
  json::Value& meta = (*doc)["metadata"];
  if (meta.HasMember("managedFields")) return BadRequest("metadata.managedFields must be nil");
  std::string name = json::GetString(meta, {"name"});
  if (name.empty())
    json::SetString(meta, "name", c.ri.name, doc->GetAllocator());
  else if (name != c.ri.name)
    return BadRequest("the name of the object (" + name + ") does not match the name on the URL (" +
                      c.ri.name + ")");
  std::string ns = json::GetString(meta, {"namespace"});
  if (c.info.namespaced && !ns.empty() && ns != c.ri.ns)
    return BadRequest(
        "the namespace of the provided object does not match the namespace sent on the request");
  return doc;
}

ApiResponse CreateFromConfig(RestContext* ctx, const Call& c, const json::Document& config,
                             const std::string& manager) {
  json::Document obj;
  obj.CopyFrom(config, obj.GetAllocator());
  json::Value& meta = obj["metadata"];
  if (c.info.namespaced)
    json::SetString(meta, "namespace", c.ri.ns, obj.GetAllocator());
  else
    json::Remove(meta, "namespace");
  FieldSet set = api::FieldSetOf(config, KindOf(c));
  api::StripSystemFields(&set, DropStatus(c));
  api::WriteManagedFields(
      obj, {{manager, "Apply", c.info.GroupVersion(), NowRfc3339(), c.ri.subresource, set}},
      obj.GetAllocator());
  return ctx->CreateObject(c, std::move(obj));
}

// The apply step of one GuaranteedUpdate attempt: `current` becomes the merged object.
Mutation ApplyTo(RestContext* ctx, const Call& c, const json::Document& config,
                 const std::string& manager, bool force, json::Document& current) {
  const api::schema::Type* kind = KindOf(c);
  const bool drop_status = DropStatus(c);
  const std::string gv = c.info.GroupVersion();
  const std::string now = NowRfc3339();
  std::vector<ManagedFieldsEntry> entries = api::ReadManagedFields(current);
  if (entries.empty()) {
    // Objects written before any ownership was recorded: what exists belongs to someone else.
    FieldSet all = api::FieldSetOf(current, kind);
    api::StripSystemFields(&all, drop_status);
    if (!all.empty()) entries.push_back({"before-first-apply", "Update", gv, now, "", all});
  }
  FieldSet applied = api::FieldSetOf(config, kind);
  api::StripSystemFields(&applied, drop_status);

  json::Document merged;
  merged.CopyFrom(current, merged.GetAllocator());
  api::MergeInto(merged, config, kind, merged.GetAllocator());

  auto mine = std::find_if(entries.begin(), entries.end(), [&](const ManagedFieldsEntry& e) {
    return e.manager == manager && e.operation == "Apply" && e.subresource == c.ri.subresource;
  });
  FieldSet last;
  std::string old_time;
  size_t pos = entries.size();  // the entry keeps its place so that a no-op apply writes nothing
  if (mine != entries.end()) {
    last = mine->fields;
    old_time = mine->time;
    pos = mine - entries.begin();
    entries.erase(mine);
  }
  // Fields applied before and owned by nobody now are removed.
  if (!last.empty()) {
    FieldSet keep = applied;
    for (const auto& e : entries) keep = api::Union(keep, e.fields);
    api::Prune(merged, last, keep, kind);
  }
  FieldSet changed, removed;
  api::Compare(current, merged, kind, &changed, &removed);
  api::StripSystemFields(&changed, drop_status);
  api::StripSystemFields(&removed, drop_status);

  Conflicts cf = SettleOwnership(&entries, changed, removed, force);
  if (cf.count > 0) return ConflictMutation(cf);

  bool unchanged = changed.empty() && removed.empty() && last == applied && !old_time.empty();
  entries.insert(entries.begin() + pos,
                 {manager, "Apply", gv, unchanged ? old_time : now, c.ri.subresource, applied});
  std::erase_if(entries, [](const ManagedFieldsEntry& e) { return e.fields.empty(); });
  api::WriteManagedFields(merged, entries, merged.GetAllocator());

  Mutation m = ctx->PrepareUpdate(c, current, merged, c.ri.subresource == "status");
  if (m.status.ok() && m.causes.empty()) current.Swap(merged);
  return m;
}

}  // namespace

ApiResponse ServerSideApply(RestContext* ctx, const Call& c) {
  const std::string manager = c.Query("fieldManager");
  if (manager.empty()) return MissingFieldManager();
  std::vector<std::string> warnings;
  auto config = DecodeConfig(c, &warnings);
  if (!config.ok()) return ErrorResponse(config.status());
  const bool force = c.Flag("force");

  int64_t rev = 0;
  auto live = ctx->Read(c.info, c.ri.ns, c.ri.name, &rev);
  ApiResponse resp;
  if (!live.ok() && live.status().code() == Code::kNotFound && c.ri.subresource.empty()) {
    resp = CreateFromConfig(ctx, c, *config, manager);
    // Lost a race with another creator: apply to what it made.
    if (resp.code != 409) {
      resp.warnings.insert(resp.warnings.end(), warnings.begin(), warnings.end());
      return resp;
    }
  }
  resp = ctx->GuaranteedUpdate(c, c.ri.name, [&](json::Document& current) {
    return ApplyTo(ctx, c, *config, manager, force, current);
  });
  resp.warnings.insert(resp.warnings.end(), warnings.begin(), warnings.end());
  return resp;
}

namespace {

std::string ManagerOf(const Call& c) {
  std::string manager = c.Query("fieldManager");
  if (manager.empty()) manager = c.req.user_agent.substr(0, c.req.user_agent.find('/'));
  if (manager.empty()) manager = "unknown";
  return manager;
}

}  // namespace

Mutation RecordScaleOwnership(const Call& c, const json::Value& old, json::Document& obj) {
  const bool apply = IsApplyRequest(c);
  const std::string manager = apply ? c.Query("fieldManager") : ManagerOf(c);
  const std::string op = apply ? "Apply" : "Update";
  FieldSet replicas;
  replicas.children["f:spec"].children["f:replicas"].member = true;
  const json::Value* before = json::Find(old, {"spec", "replicas"});
  const json::Value* after = json::Find(obj, {"spec", "replicas"});
  const bool changed = (before == nullptr) != (after == nullptr) || (before && *before != *after);

  std::vector<ManagedFieldsEntry> entries = api::ReadManagedFields(old);
  auto mine = std::find_if(entries.begin(), entries.end(), [&](const ManagedFieldsEntry& e) {
    return e.manager == manager && e.operation == op && e.subresource == "scale";
  });
  size_t pos = entries.size();
  std::string old_time;
  FieldSet old_fields;
  if (mine != entries.end()) {
    pos = mine - entries.begin();
    old_time = mine->time;
    old_fields = mine->fields;
    entries.erase(mine);
  }
  Conflicts cf = SettleOwnership(&entries, changed ? replicas : FieldSet{}, FieldSet{},
                                 !apply || c.Flag("force"));
  if (cf.count > 0) return ConflictMutation(cf);
  // An update that changes nothing records nothing; an apply always owns what it applied.
  const bool applied_replicas = [&] {
    if (!apply) return changed;
    auto body = YamlToJson(c.req.body);
    return body.ok() && json::Find(*body, {"spec", "replicas"}) != nullptr;
  }();
  if (applied_replicas || !old_time.empty()) {
    std::string now = (changed || old_time.empty()) ? NowRfc3339() : old_time;
    // An update that changes nothing keeps what the manager owned.
    FieldSet fields = applied_replicas ? replicas : apply ? FieldSet{} : old_fields;
    entries.insert(entries.begin() + std::min(pos, entries.size()),
                   {manager, op, c.info.GroupVersion(), now, "scale", fields});
  }
  std::erase_if(entries, [](const ManagedFieldsEntry& e) { return e.fields.empty(); });
  api::WriteManagedFields(obj, entries, obj.GetAllocator());
  return {};
}

void RecordWriteOwnership(const Call& c, const json::Value* old, json::Document& obj) {
  if (IsApplyRequest(c) || c.ri.subresource == "scale") return;
  const std::string manager = ManagerOf(c);
  api::RecordUpdate(old, obj, KindOf(c), manager, c.info.GroupVersion(), c.ri.subresource,
                    DropStatus(c), NowRfc3339());
}

}  // namespace cluster::server
