// Strategic merge patch, following k8s.io/apimachinery/pkg/util/strategicpatch (mergeMap,
// mergeSlice, normalizeElementOrder) with the options the apiserver uses: parallel
// $deleteFromPrimitiveList lists are applied and nulls for absent fields are dropped.
//
// Deliberate differences from upstream, all for inputs kubectl never sends: a value copied in
// for a field the object lacks is cleaned of directives and nulls at every depth (upstream
// copies some of them raw, or drops a map carrying "$patch" altogether), and a nested
// "$patch: replace" map has its own directives processed.
#include <algorithm>
#include <limits>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "api/patch.h"

namespace cluster::api {
namespace {

using json::Allocator;
using json::Value;

constexpr std::string_view kPatchDirective = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrder = "$setElementOrder";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList";

enum class JType { kNull, kBool, kNumber, kString, kArray, kObject };

JType TypeOf(const Value& v) {
  if (v.IsObject()) return JType::kObject;
  if (v.IsArray()) return JType::kArray;
  if (v.IsString()) return JType::kString;
  if (v.IsNumber()) return JType::kNumber;
  if (v.IsBool()) return JType::kBool;
  return JType::kNull;
}

std::string_view Str(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

Value DeepCopy(const Value& v, Allocator& a) { return Value(v, a); }

const Value* Member(const Value& obj, std::string_view key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

Value* Member(Value& obj, std::string_view key) {
  return const_cast<Value*>(Member(static_cast<const Value&>(obj), key));
}

void Erase(Value& obj, std::string_view key) {
  auto it = obj.FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
  if (it != obj.MemberEnd()) obj.EraseMember(it);  // keeps the other members' order
}

void SetMember(Value& obj, std::string_view key, Value v, Allocator& a) {
  if (Value* existing = Member(obj, key)) {
    *existing = v;
  } else {
    obj.AddMember(json::String(key, a), v, a);
  }
}

// "$patch" of a map, or nullptr.
const Value* Directive(const Value& v) { return Member(v, kPatchDirective); }

bool HasPrefix(std::string_view s, std::string_view prefix) { return s.starts_with(prefix); }

// "$setElementOrder/containers" -> "containers". Upstream splits on the first '/', and the
// part before it must be exactly the prefix.
std::optional<std::string> ExtractKey(std::string_view key, std::string_view prefix) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos || key.substr(0, slash) != prefix) return std::nullopt;
  return std::string(key.substr(slash + 1));
}

Status BadSetElementOrder() { return BadRequest("invalid patch format of setElementOrder list"); }

Status NoMergeKey(const Value& m, const std::string& key) {
  return BadRequest("map: " + json::Serialize(m) + " does not contain declared merge key: " + key);
}

Status BadPatchType(const Value& directive, const Value& m) {
  std::string t = directive.IsString() ? std::string(Str(directive)) : json::Serialize(directive);
  return BadRequest("unknown patch type: " + t + " in map: " + json::Serialize(m));
}

// The identity of a list element for ordering: the serialized merge-key value for lists of
// maps, the serialized element for primitives. Element lacking the key -> nullopt.
constexpr char kMissingKey[] = "\x01missing";

std::string OrderKey(const Value& elem, const std::string& merge_key) {
  if (merge_key.empty()) return json::Serialize(elem);
  const Value* k = Member(elem, merge_key);
  return k ? json::Serialize(*k) : kMissingKey;
}

std::vector<std::string> OrderKeys(const Value& list, const std::string& merge_key) {
  std::vector<std::string> keys;
  for (const auto& e : list.GetArray()) keys.push_back(OrderKey(e, merge_key));
  return keys;
}

std::unordered_map<std::string, size_t> FirstIndex(const std::vector<std::string>& keys) {
  std::unordered_map<std::string, size_t> idx;
  for (size_t i = 0; i < keys.size(); ++i) idx.emplace(keys[i], i);
  return idx;
}

// upstream normalizeElementOrder + mergeSortedSlice: elements whose key appears in
// `patch_order` keep that order; the others (server-only) keep `server_order`; the two runs are
// interleaved by their positions in `server_order`. Returns indices into `keys`.
std::vector<size_t> NormalizeOrder(const std::vector<std::string>& keys,
                                   const std::vector<std::string>& patch_order,
                                   const std::vector<std::string>& server_order) {
  constexpr size_t kNotFound = std::numeric_limits<size_t>::max();
  auto patch_idx = FirstIndex(patch_order);
  auto server_idx = FirstIndex(server_order);
  auto pos = [](const std::unordered_map<std::string, size_t>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? kNotFound : it->second;
  };
  std::vector<size_t> from_patch, server_only;
  for (size_t i = 0; i < keys.size(); ++i)
    (patch_idx.count(keys[i]) ? from_patch : server_only).push_back(i);
  std::stable_sort(from_patch.begin(), from_patch.end(), [&](size_t l, size_t r) {
    return pos(patch_idx, keys[l]) < pos(patch_idx, keys[r]);
  });
  std::stable_sort(server_only.begin(), server_only.end(), [&](size_t l, size_t r) {
    return pos(server_idx, keys[l]) < pos(server_idx, keys[r]);
  });
  std::vector<size_t> out;
  size_t i = 0, j = 0;
  while (i < server_only.size() || j < from_patch.size()) {
    if (i >= server_only.size()) {
      out.push_back(from_patch[j++]);
    } else if (j >= from_patch.size()) {
      out.push_back(server_only[i++]);
    } else {
      size_t li = pos(server_idx, keys[server_only[i]]);
      size_t ri = pos(server_idx, keys[from_patch[j]]);
      if (li != kNotFound && ri != kNotFound && li < ri) {
        out.push_back(server_only[i++]);
      } else {
        out.push_back(from_patch[j++]);
      }
    }
  }
  return out;
}

void Permute(Value& list, const std::vector<size_t>& order, Allocator& a) {
  Value out(rapidjson::kArrayType);
  out.Reserve(static_cast<rapidjson::SizeType>(order.size()), a);
  for (size_t i : order) out.PushBack(list[static_cast<rapidjson::SizeType>(i)], a);  // moves
  list = out;
}

// The common element type of the lists (upstream sliceElementType); nullopt when both are empty.
Result<std::optional<JType>> ElementType(const Value& a, const Value& b) {
  std::optional<JType> type;
  for (const Value* list : {&a, &b}) {
    for (const auto& e : list->GetArray()) {
      JType t = TypeOf(e);
      if (t == JType::kArray) return Invalid("lists of lists are not supported");
      if (type && *type != t)
        return BadRequest("list element types are not identical: " + json::Serialize(a) + " " +
                          json::Serialize(b));
      type = t;
    }
  }
  return type;
}

class Merger {
 public:
  Merger(const PatchSchema& schema, std::string_view kind, Allocator& a)
      : schema_(schema), kind_(kind), a_(a) {}

  // Merges object `patch` into object `original`.
  Status MergeMap(Value& original, const Value& patch) {
    if (!original.IsObject()) original.SetObject();
    bool replace = false;
    if (const Value* d = Directive(patch)) {
      if (d->IsString() && Str(*d) == "delete") {
        original.SetObject();  // upstream: the map becomes empty
        return Status::Ok();
      }
      if (!d->IsString() || Str(*d) != "replace") return BadPatchType(*d, patch);
      original.SetObject();
      replace = true;
    }
    RETURN_IF_ERROR(ApplyRetainKeys(original, patch));
    std::unordered_set<std::string> handled;
    RETURN_IF_ERROR(ApplySetElementOrder(original, patch, handled));
    for (auto m = patch.MemberBegin(); m != patch.MemberEnd(); ++m) {
      std::string_view key = Str(m->name);
      if ((replace && key == kPatchDirective) || key == kRetainKeys ||
          HasPrefix(key, kSetElementOrder) || handled.count(std::string(key)))
        continue;
      if (HasPrefix(key, kDeleteFromPrimitiveList)) {
        auto field = ExtractKey(key, kDeleteFromPrimitiveList);
        if (!field) return BadRequest("invalid patch format of primitive list");
        RETURN_IF_ERROR(MergeField(original, *field, m->value, /*is_delete_list=*/true));
      } else {
        RETURN_IF_ERROR(MergeField(original, std::string(key), m->value, false));
      }
    }
    return Status::Ok();
  }

 private:
  // Pushes a field name onto the schema path for the guard's lifetime.
  class PathGuard {
   public:
    PathGuard(std::vector<std::string>& path, std::string field) : path_(path) {
      path_.push_back(std::move(field));
    }
    ~PathGuard() { path_.pop_back(); }

   private:
    std::vector<std::string>& path_;
  };

  FieldStrategy Strategy() const { return schema_.ForPath(kind_, path_).value_or(FieldStrategy{}); }

  // A patch value for a field the original lacks, cleaned of directives and nulls. nullopt when
  // nothing should be stored (a map that only says "$patch: delete").
  Result<std::optional<Value>> Fresh(const Value& patch) {
    if (patch.IsObject()) {
      const Value* d = Directive(patch);
      if (d && d->IsString() && Str(*d) == "delete") return std::optional<Value>();
      Value out(rapidjson::kObjectType);
      RETURN_IF_ERROR(MergeMap(out, patch));
      return std::optional<Value>(std::move(out));
    }
    if (patch.IsArray()) {
      Value out(rapidjson::kArrayType);
      for (const auto& e : patch.GetArray()) {
        if (Directive(e)) continue;  // list directives ($patch: replace/delete) carry no data
        ASSIGN_OR_RETURN(std::optional<Value> v, Fresh(e));
        if (v) out.PushBack(*v, a_);
      }
      return std::optional<Value>(std::move(out));
    }
    return std::optional<Value>(DeepCopy(patch, a_));
  }

  Status ApplyRetainKeys(Value& original, const Value& patch) {
    const Value* retain = Member(patch, kRetainKeys);
    if (!retain) return Status::Ok();
    if (!retain->IsArray()) return BadRequest("invalid patch format of retainKeys");
    std::unordered_set<std::string> keep;
    for (const auto& k : retain->GetArray())
      if (k.IsString()) keep.emplace(Str(k));
    for (auto m = patch.MemberBegin(); m != patch.MemberEnd(); ++m) {
      std::string_view key = Str(m->name);
      if (m->value.IsNull() || key == kRetainKeys || key == kPatchDirective ||
          HasPrefix(key, kDeleteFromPrimitiveList) || HasPrefix(key, kSetElementOrder))
        continue;
      if (!keep.count(std::string(key))) return BadRequest("invalid patch format of retainKeys");
    }
    for (auto m = original.MemberBegin(); m != original.MemberEnd();) {
      if (keep.count(std::string(Str(m->name)))) {
        ++m;
      } else {
        m = original.EraseMember(m);
      }
    }
    return Status::Ok();
  }

  // Upstream validatePatchWithSetOrderList: the patch list's items (deletions aside) must appear
  // in the $setElementOrder list in the same relative order.
  Status ValidateSetOrder(const Value* patch_list, const Value& order, const std::string& key) {
    if (!patch_list || patch_list->Empty() || order.Empty()) return Status::Ok();
    auto equal = [&](const Value& p, const Value& o) -> Result<bool> {
      if (key.empty()) return p == o;
      if (!p.IsObject() || !o.IsObject()) return BadSetElementOrder();
      const Value* pk = Member(p, key);
      const Value* ok = Member(o, key);
      if (!pk) return NoMergeKey(p, key);
      if (!ok) return NoMergeKey(o, key);
      return *pk == *ok;
    };
    std::vector<const Value*> items;
    for (const auto& e : patch_list->GetArray()) {
      if (!key.empty() && !e.IsObject()) return BadSetElementOrder();
      const Value* d = key.empty() ? nullptr : Directive(e);
      if (d && d->IsString() && Str(*d) == "delete") continue;
      items.push_back(&e);
    }
    size_t pi = 0, si = 0;
    while (pi < items.size() && si < order.Size()) {
      if (items[pi]->IsObject() && Directive(*items[pi])) {
        ++pi;
        continue;
      }
      ASSIGN_OR_RETURN(bool eq, equal(*items[pi], order[static_cast<rapidjson::SizeType>(si)]));
      if (eq) ++pi;
      ++si;
    }
    if (pi < items.size())
      return BadRequest("The order in patch list:\n" + json::Serialize(*patch_list) +
                        "\n doesn't match $setElementOrder list:\n" + json::Serialize(order) +
                        "\n");
    return Status::Ok();
  }

  Status ApplySetElementOrder(Value& original, const Value& patch,
                              std::unordered_set<std::string>& handled) {
    for (auto m = patch.MemberBegin(); m != patch.MemberEnd(); ++m) {
      if (!HasPrefix(Str(m->name), kSetElementOrder)) continue;
      const Value& order = m->value;
      auto field = ExtractKey(Str(m->name), kSetElementOrder);
      if (!order.IsArray() || !field) return BadSetElementOrder();
      Value* orig_list = Member(original, *field);
      const Value* patch_list = Member(patch, *field);
      if (orig_list && !orig_list->IsArray()) return BadSetElementOrder();
      if (patch_list && !patch_list->IsArray()) return BadSetElementOrder();
      PathGuard guard(path_, *field);
      FieldStrategy fs = Strategy();
      const std::string& key = fs.strategy == FieldStrategy::Kind::kMerge ? fs.merge_key : "";
      RETURN_IF_ERROR(ValidateSetOrder(patch_list, order, key));
      if (!orig_list && !patch_list) continue;
      handled.insert(*field);
      std::vector<std::string> server_order;
      if (orig_list) server_order = OrderKeys(*orig_list, key);
      if (patch_list) RETURN_IF_ERROR(MergeList(original, *field, *patch_list, fs, false));
      Value* merged = Member(original, *field);
      if (!merged || !merged->IsArray()) continue;
      RETURN_IF_ERROR(CheckOrderable(*merged, order, key));
      Permute(*merged, NormalizeOrder(OrderKeys(*merged, key), OrderKeys(order, key), server_order),
              a_);
    }
    return Status::Ok();
  }

  // Upstream partitionMapsByPresentInList insists on maps carrying the merge key.
  Status CheckOrderable(const Value& merged, const Value& order, const std::string& key) {
    if (key.empty()) return Status::Ok();
    for (const Value* list : {&merged, &order}) {
      for (const auto& e : list->GetArray()) {
        if (!e.IsObject()) return BadSetElementOrder();
        if (!Member(e, key)) return NoMergeKey(e, key);
      }
    }
    return Status::Ok();
  }

  // Merges list `patch` into field `field` of `original` (which may lack it) per `fs`.
  Status MergeList(Value& original, const std::string& field, const Value& patch,
                   const FieldStrategy& fs, bool is_delete_list) {
    Value* list = Member(original, field);
    if (list && list->IsArray() && (fs.strategy == FieldStrategy::Kind::kMerge || is_delete_list))
      return MergeSlice(*list, patch, fs.merge_key, is_delete_list);
    if (is_delete_list) return Status::Ok();
    ASSIGN_OR_RETURN(std::optional<Value> fresh, Fresh(patch));
    if (fresh) SetMember(original, field, std::move(*fresh), a_);
    return Status::Ok();
  }

  Status MergeField(Value& original, const std::string& key, const Value& patch_value,
                    bool is_delete_list) {
    if (patch_value.IsNull()) {
      Erase(original, key);
      return Status::Ok();
    }
    PathGuard guard(path_, key);
    Value* existing = Member(original, key);
    if (!existing || TypeOf(*existing) != TypeOf(patch_value)) {
      if (is_delete_list) return Status::Ok();
      ASSIGN_OR_RETURN(std::optional<Value> fresh, Fresh(patch_value));
      if (fresh) {
        SetMember(original, key, std::move(*fresh), a_);
      } else {
        Erase(original, key);
      }
      return Status::Ok();
    }
    FieldStrategy fs = Strategy();
    switch (TypeOf(patch_value)) {
      case JType::kObject:
        if (fs.strategy == FieldStrategy::Kind::kReplace) {
          ASSIGN_OR_RETURN(std::optional<Value> fresh, Fresh(patch_value));
          *existing = fresh ? std::move(*fresh) : Value(rapidjson::kObjectType);
          return Status::Ok();
        }
        return MergeMap(*existing, patch_value);
      case JType::kArray:
        return MergeList(original, key, patch_value, fs, is_delete_list);
      default:
        *existing = DeepCopy(patch_value, a_);
        return Status::Ok();
    }
  }

  // Upstream mergeSliceWithSpecialElements: "$patch: delete" elements remove every original
  // element with their merge key; "$patch: replace" asks for the list to be replaced by the
  // other elements. `items` receives the ordinary elements.
  Status ApplySpecialElements(Value& original, const Value& patch, const std::string& merge_key,
                              std::vector<const Value*>& items, bool& replace) {
    for (const auto& e : patch.GetArray()) {
      const Value* d = Directive(e);
      if (!d) {
        items.push_back(&e);
        continue;
      }
      std::string_view dir = d->IsString() ? Str(*d) : "";
      if (dir == "replace") {
        replace = true;
      } else if (dir == "merge") {
        return BadRequest("merging lists cannot yet be specified in the patch");
      } else if (dir != "delete") {
        return BadPatchType(*d, e);
      } else {
        const Value* kv = Member(e, merge_key);
        if (!kv) return NoMergeKey(e, merge_key);
        for (rapidjson::SizeType i = 0; i < original.Size();) {
          const Value* ov = Member(original[i], merge_key);
          if (ov && *ov == *kv) {
            original.Erase(original.Begin() + i);
          } else {
            ++i;
          }
        }
      }
    }
    return Status::Ok();
  }

  // Upstream mergeSlice: `original` and `patch` are arrays.
  Status MergeSlice(Value& original, const Value& patch, const std::string& merge_key,
                    bool is_delete_list) {
    ASSIGN_OR_RETURN(std::optional<JType> type, ElementType(original, patch));
    if (!type) return Status::Ok();
    if (*type != JType::kObject) return MergePrimitives(original, patch, is_delete_list);
    if (merge_key.empty()) {
      std::string path;
      for (const auto& p : path_) path += (path.empty() ? "" : ".") + p;
      return BadRequest("cannot merge lists without merge key for " + path);
    }
    std::vector<const Value*> items;
    bool replace = false;
    RETURN_IF_ERROR(ApplySpecialElements(original, patch, merge_key, items, replace));
    if (replace) {
      Value fresh(rapidjson::kArrayType);
      for (const Value* e : items) {
        ASSIGN_OR_RETURN(std::optional<Value> v, Fresh(*e));
        if (v) fresh.PushBack(*v, a_);
      }
      original = fresh;
      return Status::Ok();
    }
    std::vector<std::string> server_order = OrderKeys(original, merge_key);
    std::vector<std::string> patch_order;
    for (const Value* e : items) {
      const Value* kv = Member(*e, merge_key);
      if (!kv) return NoMergeKey(*e, merge_key);
      patch_order.push_back(json::Serialize(*kv));
      Value* match = nullptr;
      for (auto& ov : original.GetArray()) {
        const Value* okv = Member(ov, merge_key);
        if (okv && *okv == *kv) {
          match = &ov;
          break;
        }
      }
      if (match) {
        RETURN_IF_ERROR(MergeMap(*match, *e));
      } else {
        Value added(rapidjson::kObjectType);
        RETURN_IF_ERROR(MergeMap(added, *e));
        original.PushBack(added, a_);
      }
    }
    for (const auto& e : original.GetArray())
      if (!Member(e, merge_key)) return NoMergeKey(e, merge_key);
    Permute(original, NormalizeOrder(OrderKeys(original, merge_key), patch_order, server_order),
            a_);
    return Status::Ok();
  }

  // Lists of primitives with the merge strategy are sets: union (or removal for a
  // $deleteFromPrimitiveList list), ordered as upstream.
  Status MergePrimitives(Value& original, const Value& patch, bool is_delete_list) {
    std::vector<std::string> patch_keys = OrderKeys(patch, "");
    if (is_delete_list) {
      std::unordered_set<std::string> drop(patch_keys.begin(), patch_keys.end());
      for (rapidjson::SizeType i = 0; i < original.Size();) {
        if (drop.count(json::Serialize(original[i]))) {
          original.Erase(original.Begin() + i);
        } else {
          ++i;
        }
      }
      return Status::Ok();
    }
    std::vector<std::string> server_order = OrderKeys(original, "");
    std::unordered_set<std::string> seen;
    Value merged(rapidjson::kArrayType);
    for (auto& e : original.GetArray())
      if (seen.insert(json::Serialize(e)).second) merged.PushBack(e, a_);
    for (const auto& e : patch.GetArray())
      if (seen.insert(json::Serialize(e)).second) merged.PushBack(DeepCopy(e, a_), a_);
    original = merged;
    Permute(original, NormalizeOrder(OrderKeys(original, ""), patch_keys, server_order), a_);
    return Status::Ok();
  }

  const PatchSchema& schema_;
  std::string kind_;
  Allocator& a_;
  std::vector<std::string> path_;
};

}  // namespace

Status ApplyStrategicMergePatch(json::Document& target, const json::Value& patch,
                                const PatchSchema& schema, std::string_view kind) {
  if (!patch.IsObject())
    return BadRequest(
        "json: cannot unmarshal non-object into Go value of type "
        "map[string]interface {}");
  if (!target.IsObject()) return BadRequest("invalid JSON document");
  json::Document work = json::Copy(target);
  Merger merger(schema, kind, work.GetAllocator());
  RETURN_IF_ERROR(merger.MergeMap(work, patch));
  target.Swap(work);
  return Status::Ok();
}

}  // namespace cluster::api
