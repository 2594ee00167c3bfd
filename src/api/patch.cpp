// RFC 6902 JSON patch and RFC 7386 JSON merge patch. Strategic merge patch lives in
// strategic_merge_patch.cpp.
#include "api/patch.h"

#include <optional>
#include <string>
#include <vector>

namespace cluster::api {
namespace {

using json::Allocator;
using json::Value;

// ---- JSON pointer (RFC 6901) ----------------------------------------------------------------

Result<std::vector<std::string>> ParsePointer(std::string_view p) {
  std::vector<std::string> tokens;
  if (p.empty()) return tokens;
  if (p.front() != '/')
    return BadRequest("invalid JSON pointer \"" + std::string(p) + "\": must start with '/'");
  std::string cur;
  for (size_t i = 1; i <= p.size(); ++i) {
    if (i == p.size() || p[i] == '/') {
      tokens.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    if (p[i] != '~') {
      cur += p[i];
      continue;
    }
    char next = i + 1 < p.size() ? p[i + 1] : '\0';
    if (next != '0' && next != '1')
      return BadRequest("invalid JSON pointer \"" + std::string(p) + "\": bad '~' escape");
    cur += next == '0' ? '~' : '/';
    ++i;
  }
  return tokens;
}

// An array index token: "0" or digits without a leading zero.
std::optional<size_t> ArrayIndex(const std::string& tok) {
  if (tok.empty() || tok.size() > 9) return std::nullopt;
  if (tok.size() > 1 && tok[0] == '0') return std::nullopt;
  size_t n = 0;
  for (char c : tok) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  return n;
}

Value DeepCopy(const Value& v, Allocator& a) { return Value(v, a); }

Value::MemberIterator FindMember(Value& obj, const std::string& key) {
  return obj.FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
}

// The value a full pointer names, or nullptr.
Value* Resolve(Value& root, const std::vector<std::string>& tokens, size_t count) {
  Value* cur = &root;
  for (size_t i = 0; i < count; ++i) {
    const std::string& tok = tokens[i];
    if (cur->IsObject()) {
      auto it = FindMember(*cur, tok);
      if (it == cur->MemberEnd()) return nullptr;
      cur = &it->value;
    } else if (cur->IsArray()) {
      auto idx = ArrayIndex(tok);
      if (!idx || *idx >= cur->Size()) return nullptr;
      cur = &(*cur)[static_cast<rapidjson::SizeType>(*idx)];
    } else {
      return nullptr;
    }
  }
  return cur;
}

void InsertAt(Value& array, size_t index, Value v, Allocator& a) {
  array.PushBack(v, a);
  for (size_t j = array.Size() - 1; j > index; --j) {
    array[static_cast<rapidjson::SizeType>(j)].Swap(array[static_cast<rapidjson::SizeType>(j - 1)]);
  }
}

Status OpError(std::string msg) { return Invalid(std::move(msg)); }

struct Op {
  std::string op;
  std::string path_text;
  std::vector<std::string> path;
  std::string from_text;
  std::vector<std::string> from;
  const Value* value = nullptr;
};

Status Add(json::Document& doc, const Op& op, Value v) {
  Allocator& a = doc.GetAllocator();
  if (op.path.empty()) {
    static_cast<Value&>(doc) = v;
    return Status::Ok();
  }
  Value* parent = Resolve(doc, op.path, op.path.size() - 1);
  const std::string& last = op.path.back();
  auto missing = [&] {
    return OpError("add operation does not apply: doc is missing path: \"" + op.path_text +
                   "\": missing value");
  };
  if (!parent) return missing();
  if (parent->IsObject()) {
    auto it = FindMember(*parent, last);
    if (it != parent->MemberEnd()) {
      it->value = v;
    } else {
      parent->AddMember(json::String(last, a), v, a);
    }
    return Status::Ok();
  }
  if (!parent->IsArray()) return missing();
  if (last == "-") {
    parent->PushBack(v, a);
    return Status::Ok();
  }
  auto idx = ArrayIndex(last);
  if (!idx || *idx > parent->Size())
    return OpError("Unable to access invalid index: " + last + ": invalid index referenced");
  InsertAt(*parent, *idx, std::move(v), a);
  return Status::Ok();
}

// Removes the value at `path`, optionally moving it into `out`.
Status Remove(json::Document& doc, const std::vector<std::string>& path, const std::string& text,
              const char* what, Value* out) {
  auto missing = [&] {
    return OpError(std::string(what) + " operation does not apply: doc is missing path: \"" + text +
                   "\": missing value");
  };
  if (path.empty()) return missing();
  Value* parent = Resolve(doc, path, path.size() - 1);
  if (!parent) return missing();
  const std::string& last = path.back();
  if (parent->IsObject()) {
    auto it = FindMember(*parent, last);
    if (it == parent->MemberEnd()) return missing();
    if (out) *out = it->value;
    parent->EraseMember(it);
    return Status::Ok();
  }
  if (!parent->IsArray()) return missing();
  auto idx = ArrayIndex(last);
  if (!idx || *idx >= parent->Size())
    return OpError("Unable to access invalid index: " + last + ": invalid index referenced");
  if (out) *out = (*parent)[static_cast<rapidjson::SizeType>(*idx)];
  parent->Erase(parent->Begin() + *idx);
  return Status::Ok();
}

bool IsPrefix(const std::vector<std::string>& prefix, const std::vector<std::string>& path) {
  if (prefix.size() >= path.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (prefix[i] != path[i]) return false;
  return true;
}

Status ApplyOp(json::Document& doc, const Op& op) {
  Allocator& a = doc.GetAllocator();
  if (op.op == "add") return Add(doc, op, DeepCopy(*op.value, a));
  if (op.op == "remove") return Remove(doc, op.path, op.path_text, "remove", nullptr);
  if (op.op == "replace") {
    Value* target = Resolve(doc, op.path, op.path.size());
    if (!target)
      return OpError("replace operation does not apply: doc is missing key: " + op.path_text +
                     ": missing value");
    *target = DeepCopy(*op.value, a);
    return Status::Ok();
  }
  if (op.op == "test") {
    Value* target = Resolve(doc, op.path, op.path.size());
    if (!target && op.value->IsNull()) return Status::Ok();  // as evanphx/json-patch
    if (!target || *target != *op.value)
      return OpError("testing value " + op.path_text + " failed: test failed");
    return Status::Ok();
  }
  // move and copy
  Value* source = Resolve(doc, op.from, op.from.size());
  if (!source)
    return OpError(op.op + " operation does not apply: doc is missing from path: " + op.from_text +
                   ": missing value");
  if (op.op == "copy") return Add(doc, op, DeepCopy(*source, a));
  if (op.from == op.path) return Status::Ok();
  if (IsPrefix(op.from, op.path))
    return OpError("move operation does not apply: cannot move " + op.from_text +
                   " into its own child " + op.path_text);
  Value moved;
  RETURN_IF_ERROR(Remove(doc, op.from, op.from_text, "move", &moved));
  return Add(doc, op, std::move(moved));
}

Result<Op> DecodeOp(const Value& v, size_t index) {
  std::string where = "operation " + std::to_string(index) + ": ";
  if (!v.IsObject()) return BadRequest(where + "each JSON patch operation must be an object");
  Op op;
  const Value* kind = json::Find(v, {"op"});
  if (!kind || !kind->IsString()) return BadRequest(where + "missing or non-string \"op\"");
  op.op = kind->GetString();
  if (op.op != "add" && op.op != "remove" && op.op != "replace" && op.op != "move" &&
      op.op != "copy" && op.op != "test")
    return BadRequest("Unexpected kind: " + op.op);
  const Value* path = json::Find(v, {"path"});
  if (!path || !path->IsString()) return BadRequest(where + "operation missing path field");
  op.path_text.assign(path->GetString(), path->GetStringLength());
  ASSIGN_OR_RETURN(op.path, ParsePointer(op.path_text));
  if (op.op == "move" || op.op == "copy") {
    const Value* from = json::Find(v, {"from"});
    if (!from || !from->IsString()) return BadRequest(where + "operation missing from field");
    op.from_text.assign(from->GetString(), from->GetStringLength());
    ASSIGN_OR_RETURN(op.from, ParsePointer(op.from_text));
  }
  if (op.op == "add" || op.op == "replace" || op.op == "test") {
    op.value = json::Find(v, {"value"});
    if (!op.value) return BadRequest(where + op.op + " operation missing value field");
  }
  return op;
}

// RFC 7386 MergePatch(Target, Patch) for an object patch; `target` is replaced by an object if
// it is not one.
void MergeObject(Value& target, const Value& patch, Allocator& a) {
  if (!target.IsObject()) target.SetObject();
  for (auto m = patch.MemberBegin(); m != patch.MemberEnd(); ++m) {
    auto it = target.FindMember(m->name);
    if (m->value.IsNull()) {
      if (it != target.MemberEnd()) target.EraseMember(it);
      continue;
    }
    if (!m->value.IsObject()) {
      Value copy = DeepCopy(m->value, a);
      if (it != target.MemberEnd()) {
        it->value = copy;
      } else {
        target.AddMember(DeepCopy(m->name, a), copy, a);
      }
      continue;
    }
    if (it == target.MemberEnd()) {
      target.AddMember(DeepCopy(m->name, a), Value(rapidjson::kObjectType), a);
      it = target.MemberEnd() - 1;
    }
    MergeObject(it->value, m->value, a);
  }
}

}  // namespace

Status ApplyJsonPatch(json::Document& target, std::string_view patch) {
  auto parsed = json::Parse(patch);
  if (!parsed.ok()) return parsed.status();
  return ApplyJsonPatch(target, parsed.value());
}

Status ApplyJsonPatch(json::Document& target, const json::Value& patch) {
  if (!patch.IsArray())
    return BadRequest("json: cannot unmarshal " +
                      std::string(patch.IsObject() ? "object" : "value") +
                      " into Go value of type jsonpatch.Patch");
  if (patch.Size() > kMaxJsonPatchOperations)
    return Status(Code::kTooLarge, "The allowed maximum operations in a JSON patch is " +
                                       std::to_string(kMaxJsonPatchOperations) + ", got " +
                                       std::to_string(patch.Size()));
  std::vector<Op> ops;
  ops.reserve(patch.Size());
  for (rapidjson::SizeType i = 0; i < patch.Size(); ++i) {
    ASSIGN_OR_RETURN(Op op, DecodeOp(patch[i], i));
    ops.push_back(std::move(op));
  }
  json::Document work = json::Copy(target);
  for (const Op& op : ops) RETURN_IF_ERROR(ApplyOp(work, op));
  target.Swap(work);
  return Status::Ok();
}

Status ApplyMergePatch(json::Document& target, const json::Value& patch) {
  if (!patch.IsObject()) return BadRequest("a merge patch must be a JSON object");
  // Merging cannot fail midway, so the target is patched in place.
  MergeObject(target, patch, target.GetAllocator());
  return Status::Ok();
}

}  // namespace cluster::api
