#include "api/managed_fields.h"

#include <algorithm>

namespace cluster::api {
namespace {

using json::Value;
using schema::Field;
using schema::Scalar;
using schema::Shape;
using schema::Type;

// How a value is tracked, from the schema (upstream schemaconv: +listType/+listMapKey markers,
// and patchStrategy=merge lists as associative (with a merge key) or sets; other lists atomic).
struct TypeRef {
  enum Kind { kLeaf, kStruct, kMap, kAssocList, kSetList, kDeduced } kind = kDeduced;
  const Type* msg = nullptr;      // kStruct: the message
  const Field* field = nullptr;   // kMap / lists: the field (element type from it)
  std::vector<std::string> keys;  // kAssocList
};

TypeRef OfMessage(const Type* t) {
  TypeRef r;
  if (t == nullptr) return r;
  r.kind = (t->struct_type == "atomic" || t->wrapper) ? TypeRef::kLeaf : TypeRef::kStruct;
  r.msg = t;
  return r;
}

// One element of a repeated or map field, or the value of a single field.
TypeRef ElementOf(const Field& f) {
  if (f.scalar == Scalar::kMessage) return OfMessage(f.message);
  TypeRef r;
  r.kind = TypeRef::kLeaf;
  return r;
}

TypeRef OfField(const Field& f) {
  TypeRef r;
  r.field = &f;
  if (f.shape == Shape::kSingle) return ElementOf(f);
  if (f.shape == Shape::kMap) {
    r.kind = f.map_type == "atomic" ? TypeRef::kLeaf : TypeRef::kMap;
    return r;
  }
  bool merge = f.patch_strategy.find("merge") != std::string::npos;
  if (f.list_type == "map" || (f.list_type.empty() && merge && !f.patch_merge_key.empty())) {
    r.kind = TypeRef::kAssocList;
    r.keys = f.list_type == "map" ? f.list_map_keys : std::vector<std::string>{f.patch_merge_key};
  } else if (f.list_type == "set" || (f.list_type.empty() && merge)) {
    r.kind = TypeRef::kSetList;
  } else {
    r.kind = TypeRef::kLeaf;
  }
  return r;
}

// The type of member `name` of an object of type `t`.
TypeRef ChildOf(const TypeRef& t, std::string_view name) {
  if (t.kind == TypeRef::kMap) return ElementOf(*t.field);
  if (t.kind == TypeRef::kStruct)
    if (const Field* f = t.msg->FieldByJsonName(name)) return OfField(*f);
  return TypeRef{};  // deduced
}

TypeRef ItemOf(const TypeRef& t) {
  if (t.field) return ElementOf(*t.field);
  return TypeRef{};
}

bool IsObjectType(const TypeRef& t) {
  return t.kind == TypeRef::kStruct || t.kind == TypeRef::kMap || t.kind == TypeRef::kDeduced;
}

std::string Str(const Value& v) { return std::string(v.GetString(), v.GetStringLength()); }

// "k:" element of an associative list item: its key fields as a JSON object with sorted names.
// A missing "protocol" key is its API default, TCP (ports keyed by containerPort,protocol).
std::string ItemKey(const Value& item, const std::vector<std::string>& keys) {
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  json::Document k(rapidjson::kObjectType);
  for (const auto& name : sorted) {
    const Value* v = item.IsObject() ? json::Find(item, {name}) : nullptr;
    if (v)
      json::Set(k, name, Value(*v, k.GetAllocator()), k.GetAllocator());
    else if (name == "protocol")
      json::SetString(k, name, "TCP", k.GetAllocator());
  }
  return "k:" + json::Serialize(k);
}

void Collect(const Value& v, const TypeRef& t, FieldSet& node) {
  if (t.kind == TypeRef::kLeaf) {
    node.member = true;
    return;
  }
  if (IsObjectType(t)) {
    if (!v.IsObject()) {
      node.member = true;
      return;
    }
    for (auto& m : v.GetObject()) {
      std::string_view name(m.name.GetString(), m.name.GetStringLength());
      FieldSet& child = node.children["f:" + std::string(name)];
      Collect(m.value, ChildOf(t, name), child);
      // As upstream: map entries (not declared struct fields), nulls and empty objects are
      // members themselves ("f:resources": {} for `resources: {}`).
      bool declared = t.kind == TypeRef::kStruct && t.msg->FieldByJsonName(name) != nullptr;
      if (!declared || m.value.IsNull() || (m.value.IsObject() && m.value.ObjectEmpty()))
        child.member = true;
      if (child.empty()) node.children.erase("f:" + std::string(name));
    }
    return;
  }
  if (!v.IsArray()) {
    node.member = true;
    return;
  }
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    const Value& item = v[i];
    if (t.kind == TypeRef::kSetList) {
      node.children["v:" + json::Serialize(item)].member = true;
      continue;
    }
    FieldSet& child =
        node.children[item.IsObject() ? ItemKey(item, t.keys) : "i:" + std::to_string(i)];
    child.member = true;
    if (item.IsObject()) Collect(item, ItemOf(t), child);
  }
}

// The member of array `list` that path element `pe` names; -1 when none.
int FindItem(const Value& list, const std::string& pe, const TypeRef& t) {
  if (!list.IsArray()) return -1;
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    const Value& item = list[i];
    std::string k;
    if (t.kind == TypeRef::kSetList)
      k = "v:" + json::Serialize(item);
    else
      k = item.IsObject() ? ItemKey(item, t.keys) : "i:" + std::to_string(i);
    if (k == pe) return static_cast<int>(i);
  }
  return -1;
}

void Merge(Value& live, const Value& config, const TypeRef& t, json::Allocator& a) {
  if (IsObjectType(t) && t.kind != TypeRef::kLeaf && live.IsObject() && config.IsObject()) {
    for (auto& m : config.GetObject()) {
      std::string_view name(m.name.GetString(), m.name.GetStringLength());
      auto it = live.FindMember(m.name);
      if (it == live.MemberEnd())
        json::Set(live, name, Value(m.value, a), a);
      else
        Merge(it->value, m.value, ChildOf(t, name), a);
    }
    return;
  }
  if ((t.kind == TypeRef::kAssocList || t.kind == TypeRef::kSetList) && live.IsArray() &&
      config.IsArray()) {
    for (const Value& item : config.GetArray()) {
      std::string pe = t.kind == TypeRef::kSetList ? "v:" + json::Serialize(item)
                                                   : (item.IsObject() ? ItemKey(item, t.keys) : "");
      int at = pe.empty() ? -1 : FindItem(live, pe, t);
      if (at < 0)
        live.PushBack(Value(item, a), a);
      else if (t.kind == TypeRef::kAssocList)
        Merge(live[at], item, ItemOf(t), a);
    }
    return;
  }
  live.CopyFrom(config, a);
}

void PruneNode(Value& v, const FieldSet& last, const FieldSet* keep, const TypeRef& t) {
  if (IsObjectType(t) && v.IsObject()) {
    for (const auto& [pe, sub] : last.children) {
      if (pe.rfind("f:", 0) != 0) continue;
      std::string name = pe.substr(2);
      auto it = v.FindMember(Value(rapidjson::StringRef(name.data(), name.size())));
      if (it == v.MemberEnd()) continue;
      const FieldSet* k = nullptr;
      if (keep) {
        auto kit = keep->children.find(pe);
        if (kit != keep->children.end()) k = &kit->second;
      }
      if (k == nullptr)
        v.EraseMember(it);
      else
        PruneNode(it->value, sub, k, ChildOf(t, name));
    }
    return;
  }
  if ((t.kind == TypeRef::kAssocList || t.kind == TypeRef::kSetList) && v.IsArray()) {
    for (const auto& [pe, sub] : last.children) {
      int at = FindItem(v, pe, t);
      if (at < 0) continue;
      const FieldSet* k = nullptr;
      if (keep) {
        auto kit = keep->children.find(pe);
        if (kit != keep->children.end()) k = &kit->second;
      }
      if (k == nullptr)
        v.Erase(v.Begin() + at);
      else
        PruneNode(v[at], sub, k, ItemOf(t));
    }
  }
}

// Leaves present in both with different values.
void Modified(const Value& a, const Value& b, const TypeRef& t, FieldSet& out) {
  if (IsObjectType(t) && a.IsObject() && b.IsObject()) {
    for (auto& m : b.GetObject()) {
      auto it = a.FindMember(m.name);
      if (it == a.MemberEnd()) continue;
      std::string_view name(m.name.GetString(), m.name.GetStringLength());
      std::string pe = "f:" + std::string(name);
      FieldSet& child = out.children[pe];
      Modified(it->value, m.value, ChildOf(t, name), child);
      if (child.empty()) out.children.erase(pe);
    }
    return;
  }
  if (t.kind == TypeRef::kAssocList && a.IsArray() && b.IsArray()) {
    for (const Value& item : b.GetArray()) {
      if (!item.IsObject()) continue;
      std::string pe = ItemKey(item, t.keys);
      int at = FindItem(a, pe, t);
      if (at < 0) continue;
      FieldSet& child = out.children[pe];
      Modified(a[at], item, ItemOf(t), child);
      if (child.empty()) out.children.erase(pe);
    }
    return;
  }
  if (t.kind == TypeRef::kSetList && a.IsArray() && b.IsArray()) return;  // items are values
  if (a != b) out.member = true;
}

template <typename Op>
FieldSet Combine(const FieldSet& a, const FieldSet& b, Op op, bool keep_a_only, bool keep_b_only) {
  FieldSet r;
  r.member = op(a.member, b.member);
  for (const auto& [pe, sub] : a.children) {
    auto it = b.children.find(pe);
    FieldSet c = it == b.children.end() ? (keep_a_only ? sub : FieldSet{})
                                        : Combine(sub, it->second, op, keep_a_only, keep_b_only);
    if (!c.empty()) r.children[pe] = std::move(c);
  }
  if (keep_b_only)
    for (const auto& [pe, sub] : b.children)
      if (!a.children.count(pe)) r.children[pe] = sub;
  return r;
}

std::string PrintElement(const std::string& pe) {
  std::string rest = pe.substr(2);
  switch (pe[0]) {
    case 'f':
      return "." + rest;
    case 'v':
      return "[=" + rest + "]";
    case 'i':
      return "[" + rest + "]";
    case 'k': {
      auto doc = json::Parse(rest);
      if (!doc.ok() || !doc->IsObject()) return "[" + rest + "]";
      std::string out = "[";
      bool first = true;
      for (auto& m : doc->GetObject()) {
        out += (first ? "" : ",") + Str(m.name) + "=" + json::Serialize(m.value);
        first = false;
      }
      return out + "]";
    }
    default:
      return pe;
  }
}

void Paths(const FieldSet& s, const std::string& prefix, std::vector<std::string>* out) {
  if (s.member) out->push_back(prefix);
  for (const auto& [pe, sub] : s.children) Paths(sub, prefix + PrintElement(pe), out);
}

}  // namespace

Result<FieldSet> FieldSetFromJson(const Value& v) {
  if (!v.IsObject()) return BadRequest("fieldsV1 must be an object");
  FieldSet s;
  if (v.ObjectEmpty()) s.member = true;
  for (auto& m : v.GetObject()) {
    std::string pe = Str(m.name);
    if (pe == ".") {
      s.member = true;
      continue;
    }
    auto sub = FieldSetFromJson(m.value);
    if (!sub.ok()) return sub.status();
    s.children[pe] = std::move(sub).value();
  }
  return s;
}

json::Value FieldSetToJson(const FieldSet& s, json::Allocator& a) {
  Value out(rapidjson::kObjectType);
  if (s.member && !s.children.empty()) out.AddMember(".", Value(rapidjson::kObjectType), a);
  for (const auto& [pe, sub] : s.children)
    out.AddMember(json::String(pe, a), FieldSetToJson(sub, a), a);
  return out;
}

std::string FieldSetToString(const FieldSet& s) {
  json::Document d;
  Value v = FieldSetToJson(s, d.GetAllocator());
  return json::Serialize(v);
}

FieldSet Union(const FieldSet& a, const FieldSet& b) {
  return Combine(
      a, b, [](bool x, bool y) { return x || y; }, true, true);
}
FieldSet Difference(const FieldSet& a, const FieldSet& b) {
  return Combine(
      a, b, [](bool x, bool y) { return x && !y; }, true, false);
}
FieldSet Intersection(const FieldSet& a, const FieldSet& b) {
  return Combine(
      a, b, [](bool x, bool y) { return x && y; }, false, false);
}

std::vector<std::string> MemberPaths(const FieldSet& s) {
  std::vector<std::string> out;
  Paths(s, "", &out);
  std::sort(out.begin(), out.end());
  return out;
}

FieldSet FieldSetOf(const Value& obj, const Type* kind) {
  FieldSet s;
  TypeRef t = kind ? OfMessage(kind) : TypeRef{};
  if (t.kind == TypeRef::kLeaf) t.kind = TypeRef::kStruct;
  Collect(obj, t, s);
  s.member = false;
  return s;
}

void StripSystemFields(FieldSet* s, bool drop_status) {
  s->children.erase("f:apiVersion");
  s->children.erase("f:kind");
  if (drop_status) s->children.erase("f:status");
  auto meta = s->children.find("f:metadata");
  if (meta == s->children.end()) return;
  for (const char* k : {"f:name", "f:namespace", "f:uid", "f:resourceVersion", "f:generation",
                        "f:creationTimestamp", "f:selfLink", "f:managedFields",
                        "f:deletionTimestamp", "f:deletionGracePeriodSeconds"})
    meta->second.children.erase(k);
  if (meta->second.empty()) s->children.erase(meta);
}

void MergeInto(Value& live, const Value& config, const Type* kind, json::Allocator& a) {
  Merge(live, config, kind ? OfMessage(kind) : TypeRef{}, a);
}

void Prune(Value& obj, const FieldSet& last, const FieldSet& keep, const Type* kind) {
  PruneNode(obj, last, &keep, kind ? OfMessage(kind) : TypeRef{});
}

void Compare(const Value& old_obj, const Value& new_obj, const Type* kind, FieldSet* changed,
             FieldSet* removed) {
  FieldSet before = FieldSetOf(old_obj, kind);
  FieldSet after = FieldSetOf(new_obj, kind);
  FieldSet modified;
  Modified(old_obj, new_obj, kind ? OfMessage(kind) : TypeRef{}, modified);
  *changed = Union(Difference(after, before), modified);
  *removed = Difference(before, after);
}

std::vector<ManagedFieldsEntry> ReadManagedFields(const Value& obj) {
  std::vector<ManagedFieldsEntry> out;
  const Value* mf = json::Find(obj, {"metadata", "managedFields"});
  if (mf == nullptr || !mf->IsArray()) return out;
  for (const Value& e : mf->GetArray()) {
    if (!e.IsObject()) continue;
    ManagedFieldsEntry m;
    m.manager = json::GetString(e, {"manager"});
    m.operation = json::GetString(e, {"operation"});
    m.api_version = json::GetString(e, {"apiVersion"});
    m.time = json::GetString(e, {"time"});
    m.subresource = json::GetString(e, {"subresource"});
    if (const Value* f = json::Find(e, {"fieldsV1"})) {
      auto set = FieldSetFromJson(*f);
      if (!set.ok()) continue;
      m.fields = std::move(set).value();
    }
    out.push_back(std::move(m));
  }
  return out;
}

void WriteManagedFields(Value& obj, const std::vector<ManagedFieldsEntry>& entries,
                        json::Allocator& a) {
  Value& meta = json::EnsureObject(obj, {"metadata"}, a);
  if (entries.empty()) {
    json::Remove(meta, "managedFields");
    return;
  }
  Value list(rapidjson::kArrayType);
  for (const auto& e : entries) {
    Value v(rapidjson::kObjectType);
    json::SetString(v, "manager", e.manager, a);
    json::SetString(v, "operation", e.operation, a);
    json::SetString(v, "apiVersion", e.api_version, a);
    if (!e.time.empty()) json::SetString(v, "time", e.time, a);
    json::SetString(v, "fieldsType", "FieldsV1", a);
    json::Set(v, "fieldsV1", FieldSetToJson(e.fields, a), a);
    if (!e.subresource.empty()) json::SetString(v, "subresource", e.subresource, a);
    list.PushBack(std::move(v), a);
  }
  json::Set(meta, "managedFields", std::move(list), a);
}

void RecordUpdate(const Value* old_obj, json::Document& new_obj, const Type* kind,
                  const std::string& manager, const std::string& api_version,
                  const std::string& subresource, bool drop_status, const std::string& now) {
  json::Allocator& a = new_obj.GetAllocator();
  Value& meta = json::EnsureObject(new_obj, {"metadata"}, a);
  if (old_obj && (!meta.HasMember("managedFields") || meta["managedFields"].IsNull()))
    if (const Value* old_mf = json::Find(*old_obj, {"metadata", "managedFields"}))
      json::Set(meta, "managedFields", Value(*old_mf, a), a);
  FieldSet changed, removed;
  if (old_obj) {
    Compare(*old_obj, new_obj, kind, &changed, &removed);
  } else {
    changed = FieldSetOf(new_obj, kind);
  }
  StripSystemFields(&changed, drop_status);
  StripSystemFields(&removed, drop_status);
  if (changed.empty() && removed.empty()) return;
  std::vector<ManagedFieldsEntry> entries = ReadManagedFields(new_obj);
  bool found = false;
  for (auto& e : entries) {
    if (e.manager == manager && e.operation == "Update" && e.subresource == subresource) {
      e.fields = Difference(Union(e.fields, changed), removed);
      e.api_version = api_version;
      e.time = now;
      found = true;
    } else {
      e.fields = Difference(Difference(e.fields, changed), removed);
    }
  }
  if (!found) entries.push_back({manager, "Update", api_version, now, subresource, changed});
  std::erase_if(entries, [](const ManagedFieldsEntry& e) { return e.fields.empty(); });
  WriteManagedFields(new_obj, entries, a);
}

}  // namespace cluster::api
