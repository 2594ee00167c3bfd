#include "common/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace cluster::json {
namespace {

// Deepest {}/[] nesting in a JSON text (strings skipped). Checked before building a DOM:
// RapidJSON's value destructor recurses, so a hostile depth must never reach the DOM.
int TextDepth(std::string_view text) {
  int depth = 0;
  int current = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      depth = std::max(depth, ++current);
    } else if (c == '}' || c == ']') {
      --current;
    }
  }
  return depth;
}

}  // namespace

Result<Document> Parse(std::string_view text, int max_depth) {
  if (TextDepth(text) > max_depth)
    return BadRequest("JSON nesting deeper than " + std::to_string(max_depth));
  Document d;
  d.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (d.HasParseError()) {
    return BadRequest(std::string("invalid JSON at offset ") + std::to_string(d.GetErrorOffset()) +
                      ": " + rapidjson::GetParseError_En(d.GetParseError()));
  }
  return d;
}

std::string Serialize(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string Pretty(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 2);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

const Value* Find(const Value& v, std::initializer_list<std::string_view> path) {
  const Value* cur = &v;
  for (std::string_view key : path) {
    if (!cur->IsObject()) return nullptr;
    auto it = cur->FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
    if (it == cur->MemberEnd()) return nullptr;
    cur = &it->value;
  }
  return cur;
}

Value* FindMutable(Value& v, std::initializer_list<std::string_view> path) {
  return const_cast<Value*>(Find(v, path));
}

std::string GetString(const Value& v, std::initializer_list<std::string_view> path,
                      std::string_view fallback) {
  const Value* f = Find(v, path);
  if (f == nullptr || !f->IsString()) return std::string(fallback);
  return std::string(f->GetString(), f->GetStringLength());
}

int64_t GetInt(const Value& v, std::initializer_list<std::string_view> path, int64_t fallback) {
  const Value* f = Find(v, path);
  if (f == nullptr) return fallback;
  if (f->IsInt64()) return f->GetInt64();
  if (f->IsUint64()) return static_cast<int64_t>(f->GetUint64());
  if (f->IsDouble()) {
    double d = f->GetDouble();
    // Out of range (or NaN) would be undefined behaviour to cast.
    if (!(d >= -9.2e18 && d <= 9.2e18)) return fallback;
    return static_cast<int64_t>(d);
  }
  return fallback;
}

bool GetBool(const Value& v, std::initializer_list<std::string_view> path, bool fallback) {
  const Value* f = Find(v, path);
  if (f == nullptr || !f->IsBool()) return fallback;
  return f->GetBool();
}

Value& EnsureObject(Value& v, std::initializer_list<std::string_view> path, Allocator& a) {
  Value* cur = &v;
  if (!cur->IsObject()) cur->SetObject();
  for (std::string_view key : path) {
    auto it = cur->FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
    if (it == cur->MemberEnd()) {
      cur->AddMember(String(key, a), Value(rapidjson::kObjectType), a);
      cur = &(cur->MemberEnd() - 1)->value;
    } else {
      cur = &it->value;
      if (!cur->IsObject()) cur->SetObject();
    }
  }
  return *cur;
}

void Set(Value& obj, std::string_view key, Value value, Allocator& a) {
  if (!obj.IsObject()) obj.SetObject();
  auto it = obj.FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
  if (it != obj.MemberEnd()) {
    it->value = value;  // move
    return;
  }
  obj.AddMember(String(key, a), value, a);
}

void SetString(Value& obj, std::string_view key, std::string_view s, Allocator& a) {
  Set(obj, key, String(s, a), a);
}

void SetInt(Value& obj, std::string_view key, int64_t n, Allocator& a) {
  Set(obj, key, Value(static_cast<int64_t>(n)), a);
}

void Remove(Value& obj, std::string_view key) {
  if (!obj.IsObject()) return;
  obj.RemoveMember(Value(rapidjson::StringRef(key.data(), key.size())));
}

Value String(std::string_view s, Allocator& a) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

Document Copy(const Value& v) {
  Document d;
  d.CopyFrom(v, d.GetAllocator());
  return d;
}

namespace {

constexpr size_t Align8(size_t n) { return (n + 7) & ~size_t{7}; }

// The pool and the document that allocates from it, kept together; shared_ptr's aliasing
// constructor hands out the document.
struct PooledDocument {
  explicit PooledDocument(size_t bytes) : pool(bytes), doc(&pool) {}
  rapidjson::MemoryPoolAllocator<> pool;
  Document doc;
};

}  // namespace

size_t PoolBytes(const Value& v) {
  // RapidJSON keeps short strings inside the value; longer ones and every array and member
  // table are pool allocations, each rounded up to 8 bytes.
  switch (v.GetType()) {
    case rapidjson::kStringType:
      return v.GetStringLength() < 14 ? 0 : Align8(v.GetStringLength() + 1);
    case rapidjson::kArrayType: {
      size_t n = Align8(v.Size() * sizeof(Value));
      for (const auto& e : v.GetArray()) n += PoolBytes(e);
      return n;
    }
    case rapidjson::kObjectType: {
      size_t n = Align8(v.MemberCount() * sizeof(Value::Member));
      for (const auto& m : v.GetObject()) n += PoolBytes(m.name) + PoolBytes(m.value);
      return n;
    }
    default:
      return 0;
  }
}

std::shared_ptr<const Document> SharedCopy(const Value& v) {
  // A little slack: an estimate that is short by a few bytes costs a second chunk.
  auto holder = std::make_shared<PooledDocument>(PoolBytes(v) + 64);
  holder->doc.CopyFrom(v, holder->pool);
  return std::shared_ptr<const Document>(holder, &holder->doc);
}

}  // namespace cluster::json
