// JSON → protobuf, driven by the schema table. Writes fields in number order, maps sorted by key
// and repeated fields one tag per element, as Go's generated marshalers do.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "api/protobuf.h"
#include "api/protobuf_wire.h"
#include "common/base64.h"

namespace cluster::api {
namespace {

using schema::Field;
using schema::Scalar;
using schema::Shape;
using schema::Type;

std::string_view View(const json::Value& v) { return {v.GetString(), v.GetStringLength()}; }

// Where a value is, as a chain of steps from the root; spelled out only for errors (building
// the string for every field cost more than the encoding itself).
struct Path {
  const Path* parent = nullptr;
  std::string_view field;  // ".field" step when index < 0 and key empty
  std::string_view key;    // "[key]" step (map entries)
  int index = -1;          // "[i]" step (list items)

  std::string str() const {
    std::string head = parent ? parent->str() : "";
    if (index >= 0) return head + "[" + std::to_string(index) + "]";
    if (!key.empty()) return head + "[" + std::string(key) + "]";
    if (field.empty()) return head;
    return head.empty() ? std::string(field) : head + "." + std::string(field);
  }
  Path Field(std::string_view name) const { return Path{this, name, {}, -1}; }
  Path Index(int i) const { return Path{this, {}, {}, i}; }
  Path Key(std::string_view k) const { return Path{this, {}, k, -1}; }
};

Status TypeError(const Path& path, const char* want) {
  return BadRequest(path.str() + ": expected " + want);
}

class Encoder {
 public:
  Status Message(const Type& type, const json::Value& obj, const Path& path, int depth,
                 wire::Writer& w) {
    if (depth > kMaxProtobufDepth) {
      return BadRequest(path.str() + ": nesting deeper than " + std::to_string(kMaxProtobufDepth));
    }
    if (!obj.IsObject()) return TypeError(path, "object");
    for (const Field* f : type.by_number) {
      if (f->inline_json) {
        wire::Writer sub;
        RETURN_IF_ERROR(Message(*f->message, obj, path, depth + 1, sub));
        w.BytesField(f->number, sub.str());
        continue;
      }
      auto it = obj.FindMember(
          json::Value(rapidjson::StringRef(f->json_name.data(), f->json_name.size())));
      if (it == obj.MemberEnd() || it->value.IsNull()) continue;
      RETURN_IF_ERROR(FieldValue(*f, it->value, path.Field(f->json_name), depth, w));
    }
    return Status::Ok();
  }

 private:
  Status FieldValue(const Field& f, const json::Value& v, const Path& path, int depth,
                    wire::Writer& w) {
    if (f.shape == Shape::kRepeated) {
      if (!v.IsArray()) return TypeError(path, "array");
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        RETURN_IF_ERROR(Value(f, f.number, v[i], path.Index(static_cast<int>(i)), depth, w));
      }
      return Status::Ok();
    }
    if (f.shape == Shape::kMap) {
      if (!v.IsObject()) return TypeError(path, "object");
      std::vector<const json::Value::Member*> members;
      for (const auto& m : v.GetObject()) members.push_back(&m);
      std::sort(members.begin(), members.end(),
                [](const auto* a, const auto* b) { return View(a->name) < View(b->name); });
      for (const auto* m : members) {
        wire::Writer entry;
        entry.BytesField(1, View(m->name));
        Path child = path.Key(View(m->name));
        if (m->value.IsNull()) return TypeError(child, "a value, not null");
        RETURN_IF_ERROR(Value(f, 2, m->value, child, depth, entry));
        w.BytesField(f.number, entry.str());
      }
      return Status::Ok();
    }
    return Value(f, f.number, v, path, depth, w);
  }

  // Writes one value of f's element type as field `number` of w.
  Status Value(const Field& f, int number, const json::Value& v, const Path& path, int depth,
               wire::Writer& w) {
    switch (f.scalar) {
      case Scalar::kString:
        if (!v.IsString()) return TypeError(path, "string");
        w.BytesField(number, View(v));
        return Status::Ok();
      case Scalar::kBytes: {
        if (!v.IsString()) return TypeError(path, "base64 string");
        auto bytes = Base64Decode(View(v));
        if (!bytes) return BadRequest(path.str() + ": illegal base64 data");
        w.BytesField(number, *bytes);
        return Status::Ok();
      }
      case Scalar::kInt32:
        if (!v.IsInt()) return TypeError(path, "32-bit integer");
        w.VarintField(number, static_cast<uint64_t>(static_cast<int64_t>(v.GetInt())));
        return Status::Ok();
      case Scalar::kInt64:
        if (!v.IsInt64()) return TypeError(path, "64-bit integer");
        w.VarintField(number, static_cast<uint64_t>(v.GetInt64()));
        return Status::Ok();
      case Scalar::kBool:
        if (!v.IsBool()) return TypeError(path, "boolean");
        w.VarintField(number, v.GetBool() ? 1 : 0);
        return Status::Ok();
      case Scalar::kDouble: {
        if (!v.IsNumber()) return TypeError(path, "number");
        double d = v.GetDouble();
        uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        w.Fixed64Field(number, bits);
        return Status::Ok();
      }
      default:
        break;
    }
    wire::Writer sub;
    RETURN_IF_ERROR(Special(f, v, path, depth, sub));
    w.BytesField(number, sub.str());
    return Status::Ok();
  }

  // Length-delimited values: messages and the built-ins with a JSON form of their own.
  Status Special(const Field& f, const json::Value& v, const Path& path, int depth,
                 wire::Writer& sub) {
    switch (f.scalar) {
      case Scalar::kMessage:
        if (f.message->wrapper) {
          if (!v.IsArray()) return TypeError(path, "array");
          return FieldValue(f.message->fields[0], v, path, depth + 1, sub);
        }
        return Message(*f.message, v, path, depth + 1, sub);
      case Scalar::kIntOrString:
        // Go writes all three fields: type, intVal, strVal.
        if (v.IsInt()) {
          sub.VarintField(1, 0);
          sub.VarintField(2, static_cast<uint64_t>(static_cast<int64_t>(v.GetInt())));
          sub.BytesField(3, "");
        } else if (v.IsString()) {
          sub.VarintField(1, 1);
          sub.VarintField(2, 0);
          sub.BytesField(3, View(v));
        } else {
          return TypeError(path, "integer or string");
        }
        return Status::Ok();
      case Scalar::kQuantity:
        if (v.IsString()) {
          sub.BytesField(1, View(v));
        } else if (v.IsNumber()) {
          sub.BytesField(1, json::Serialize(v));
        } else {
          return TypeError(path, "quantity string");
        }
        return Status::Ok();
      case Scalar::kTime:
      case Scalar::kMicroTime: {
        if (!v.IsString()) return TypeError(path, "RFC 3339 time string");
        int64_t seconds = 0;
        int32_t nanos = 0;
        Status st = ParseRfc3339(View(v), &seconds, &nanos);
        if (!st.ok()) return BadRequest(path.str() + ": " + st.message());
        if (f.scalar == Scalar::kTime)
          nanos = 0;
        else
          nanos -= nanos % 1000;
        sub.VarintField(1, static_cast<uint64_t>(seconds));
        sub.VarintField(2, static_cast<uint64_t>(static_cast<int64_t>(nanos)));
        return Status::Ok();
      }
      case Scalar::kRawExtension:
      case Scalar::kFieldsV1:
        sub.BytesField(1, json::Serialize(v));
        return Status::Ok();
      case Scalar::kDuration:
        return BadRequest(path.str() + ": Duration fields are not supported");
      default:
        return Internal(path.str() + ": unhandled scalar");
    }
  }
};

}  // namespace

Result<std::string> EncodeProtobufMessage(const schema::Type& type, const json::Value& obj) {
  wire::Writer w;
  Encoder encoder;
  RETURN_IF_ERROR(encoder.Message(type, obj, Path{}, 0, w));
  return std::move(w.str());
}

Result<std::string> EncodeProtobufObject(const json::Value& obj) {
  if (!obj.IsObject()) return BadRequest("protobuf: object expected");
  std::string api_version = json::GetString(obj, {"apiVersion"});
  std::string kind = json::GetString(obj, {"kind"});
  const schema::Type* type = schema::Schema::Get().FindKindByApiVersion(api_version, kind);
  if (type == nullptr) {
    return BadRequest("protobuf: no kind \"" + kind + "\" for version \"" + api_version + "\"");
  }
  ASSIGN_OR_RETURN(std::string raw, EncodeProtobufMessage(*type, obj));
  return WrapProtobufEnvelope(api_version, kind, raw);
}

std::string WrapProtobufEnvelope(std::string_view api_version, std::string_view kind,
                                 std::string_view raw) {
  wire::Writer type_meta;
  type_meta.BytesField(1, api_version);
  type_meta.BytesField(2, kind);
  wire::Writer w;
  w.str().reserve(raw.size() + type_meta.str().size() + 16);
  w.str().append(kProtobufMagic);
  w.BytesField(1, type_meta.str());
  w.BytesField(2, raw);
  w.BytesField(3, "");  // contentEncoding
  w.BytesField(4, "");  // contentType
  return std::move(w.str());
}

}  // namespace cluster::api
