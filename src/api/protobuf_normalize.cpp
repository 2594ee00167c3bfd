// Go JSON semantics over the schema table: what encoding/json writes after decoding into the Go
// struct. Non-pointer structs are always written (omitempty does not apply to structs), zero
// scalars and empty slices/maps are dropped under omitempty, nil slices/maps/pointers without
// omitempty are written as null.
#include <set>

#include "api/protobuf.h"

namespace cluster::api {
namespace {

using schema::Field;
using schema::Scalar;
using schema::Shape;
using schema::Type;

bool IsZeroScalar(const json::Value& v) {
  if (v.IsString()) return v.GetStringLength() == 0;
  if (v.IsBool()) return !v.GetBool();
  if (v.IsNumber()) return v.GetDouble() == 0;
  return false;
}

bool IsBasic(Scalar s) {
  return s == Scalar::kString || s == Scalar::kInt32 || s == Scalar::kInt64 || s == Scalar::kBool ||
         s == Scalar::kDouble;
}

class Normalizer {
 public:
  explicit Normalizer(json::Allocator& alloc) : alloc_(alloc) {}

  void Object(const Type& type, json::Value& obj, int depth) {
    if (!obj.IsObject() || depth > kMaxProtobufDepth) return;
    json::Value out(rapidjson::kObjectType);
    std::set<std::string_view> known;
    if (type.is_kind) {
      for (const char* name : {"apiVersion", "kind"}) {
        known.insert(name);
        auto it = obj.FindMember(name);
        if (it != obj.MemberEnd() && !IsZeroScalar(it->value) && !it->value.IsNull()) {
          out.AddMember(json::Value(name, alloc_), it->value, alloc_);
        }
      }
    }
    Fields(type, obj, out, known, depth);
    for (auto& m : obj.GetObject()) {
      std::string_view name(m.name.GetString(), m.name.GetStringLength());
      if (!known.count(name) && !m.value.IsNull()) out.AddMember(m.name, m.value, alloc_);
    }
    obj.Swap(out);
  }

 private:
  void Fields(const Type& type, json::Value& in, json::Value& out,
              std::set<std::string_view>& known, int depth) {
    for (const Field& f : type.fields) {
      if (f.inline_json) {
        Fields(*f.message, in, out, known, depth + 1);
        continue;
      }
      known.insert(f.json_name);
      auto it =
          in.FindMember(json::Value(rapidjson::StringRef(f.json_name.data(), f.json_name.size())));
      json::Value v;
      if (it != in.MemberEnd()) v.Swap(it->value);
      if (!Member(f, v, depth)) continue;
      out.AddMember(json::Value(f.json_name.data(), f.json_name.size(), alloc_), v, alloc_);
    }
  }

  // Normalizes one member value in place; false when Go would leave the member out.
  bool Member(const Field& f, json::Value& v, int depth) {
    bool nilable = f.shape != Shape::kSingle || f.pointer || f.scalar == Scalar::kBytes ||
                   (f.scalar == Scalar::kMessage && f.message->wrapper);
    if (v.IsNull()) {
      if (nilable) return !f.omitempty;  // written as null without omitempty
      Zero(f, v, depth);
    } else if (f.shape == Shape::kRepeated) {
      if (v.IsArray()) {
        for (auto& e : v.GetArray()) Element(f, e, depth);
      }
    } else if (f.shape == Shape::kMap) {
      if (v.IsObject()) {
        for (auto& m : v.GetObject()) Element(f, m.value, depth);
      }
    } else {
      Element(f, v, depth);
    }
    if (!f.omitempty) return true;
    if (v.IsArray()) return !v.Empty();
    if (v.IsObject() && f.shape == Shape::kMap) return v.MemberCount() != 0;
    if (f.pointer) return true;
    if (IsBasic(f.scalar) || f.scalar == Scalar::kBytes) return !IsZeroScalar(v);
    return true;  // structs (messages, Time, Quantity, IntOrString) are always written
  }

  // One list item or map value: Go decodes null into the element's zero value.
  void Element(const Field& f, json::Value& v, int depth) {
    if (v.IsNull() && f.shape != Shape::kSingle) {
      Zero(f, v, depth);
      return;
    }
    if (f.scalar == Scalar::kMessage && !f.message->wrapper && v.IsObject()) {
      Object(*f.message, v, depth + 1);
    }
  }

  // The JSON of a Go zero value for a non-pointer single field.
  void Zero(const Field& f, json::Value& v, int depth) {
    switch (f.scalar) {
      case Scalar::kString:
        v.SetString("", 0);
        break;
      case Scalar::kInt32:
      case Scalar::kInt64:
      case Scalar::kIntOrString:
        v.SetInt(0);
        break;
      case Scalar::kDouble:
        v.SetDouble(0);
        break;
      case Scalar::kBool:
        v.SetBool(false);
        break;
      case Scalar::kQuantity:
        v.SetString("0", 1);
        break;
      case Scalar::kDuration:
        v.SetString("0s", 2);
        break;
      case Scalar::kMessage:
        v.SetObject();
        Object(*f.message, v, depth + 1);
        break;
      default:  // Time, MicroTime, RawExtension, FieldsV1 write null when zero
        v.SetNull();
        break;
    }
  }

  json::Allocator& alloc_;
};

}  // namespace

void NormalizeAsGo(const schema::Type& type, json::Value& obj, json::Allocator& alloc) {
  Normalizer(alloc).Object(type, obj, 0);
}

}  // namespace cluster::api
