#include "api/field_validation.h"

#include <set>

namespace cluster::api {
namespace {

using schema::Field;
using schema::Scalar;
using schema::Shape;
using schema::Type;

// Walks mutable JSON so that one walker both reports and (with `prune`) removes; callers that
// only report pass prune = false and never see a change.
struct Walker {
  bool patch = false;
  std::vector<std::string>* out;
  bool prune = false;

  static std::string Join(const std::string& path, std::string_view name) {
    return path.empty() ? std::string(name) : path + "." + std::string(name);
  }

  // Reports repeated member names of one object (RapidJSON keeps duplicates as members).
  void Duplicates(json::Value& obj, const std::string& path) {
    if (obj.MemberCount() < 2) return;
    std::set<std::string_view> seen;
    bool any = false;
    for (const auto& m : obj.GetObject()) {
      std::string_view k(m.name.GetString(), m.name.GetStringLength());
      if (!seen.insert(k).second) {
        out->push_back("duplicate field \"" + Join(path, k) + "\"");
        any = true;
      }
    }
    if (!prune || !any) return;
    // Keep the last of each name, as Go's decoder does.
    for (auto it = obj.MemberBegin(); it != obj.MemberEnd();) {
      bool later = false;
      for (auto j = it + 1; j != obj.MemberEnd() && !later; ++j) later = j->name == it->name;
      it = later ? obj.EraseMember(it) : it + 1;
    }
  }

  // Any JSON without a schema: only duplicates.
  void Untyped(json::Value& v, const std::string& path) {
    if (v.IsObject()) {
      Duplicates(v, path);
      for (auto& m : v.GetObject())
        Untyped(m.value,
                Join(path, std::string_view(m.name.GetString(), m.name.GetStringLength())));
    } else if (v.IsArray()) {
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
        Untyped(v[i], path + "[" + std::to_string(i) + "]");
    }
  }

  // One value of `f` (an element for lists, a value for maps).
  void Element(json::Value& v, const Field& f, const std::string& path) {
    if (f.scalar == Scalar::kRawExtension || f.scalar == Scalar::kFieldsV1) {
      Untyped(v, path);
      return;
    }
    if (f.scalar != Scalar::kMessage || f.message == nullptr) return;
    const Type& t = *f.message;
    if (t.wrapper) {
      if (!v.IsArray() || t.fields.empty()) return;
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
        Element(v[i], t.fields[0], path + "[" + std::to_string(i) + "]");
      return;
    }
    if (v.IsObject()) Object(v, t, path, false);
  }

  void Value(json::Value& v, const Field& f, const std::string& path) {
    if (v.IsNull()) return;
    if (f.shape == Shape::kRepeated) {
      if (!v.IsArray()) return;
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
        Element(v[i], f, path + "[" + std::to_string(i) + "]");
    } else if (f.shape == Shape::kMap) {
      if (!v.IsObject()) return;
      Duplicates(v, path);
      for (auto& m : v.GetObject())
        Element(m.value, f,
                Join(path, std::string_view(m.name.GetString(), m.name.GetStringLength())));
    } else {
      Element(v, f, path);
    }
  }

  void Object(json::Value& obj, const Type& t, const std::string& path, bool top) {
    Duplicates(obj, path);
    for (auto it = obj.MemberBegin(); it != obj.MemberEnd();) {
      std::string_view k(it->name.GetString(), it->name.GetStringLength());
      const Field* f = t.FieldByJsonName(k);
      bool skip =
          (patch && !k.empty() && k[0] == '$') || (top && (k == "apiVersion" || k == "kind"));
      if (!skip && f == nullptr && !(patch && it->value.IsNull())) {
        out->push_back("unknown field \"" + Join(path, k) + "\"");
        if (prune) {
          it = obj.EraseMember(it);
          continue;
        }
      } else if (!skip && f != nullptr) {
        Value(it->value, *f, Join(path, k));
      }
      ++it;
    }
  }
};

}  // namespace

bool ParseFieldValidation(std::string_view param, FieldValidation* out) {
  if (param == "Ignore")
    *out = FieldValidation::kIgnore;
  else if (param.empty() || param == "Warn")
    *out = FieldValidation::kWarn;
  else if (param == "Strict")
    *out = FieldValidation::kStrict;
  else
    return false;
  return true;
}

std::vector<std::string> FindFieldProblems(const json::Value& obj, const schema::Type& kind,
                                           bool patch) {
  std::vector<std::string> out;
  if (!obj.IsObject()) return out;
  Walker w{patch, &out, false};
  w.Object(const_cast<json::Value&>(obj), kind, "", true);  // prune = false: read only
  return out;
}

std::vector<std::string> PruneUnknownFields(json::Value& obj, const schema::Type& kind,
                                            bool patch) {
  std::vector<std::string> out;
  if (!obj.IsObject()) return out;
  Walker w{patch, &out, true};
  w.Object(obj, kind, "", true);
  return out;
}

std::vector<std::string> FindDuplicateFields(const json::Value& obj) {
  std::vector<std::string> out;
  Walker w{false, &out, false};
  w.Untyped(const_cast<json::Value&>(obj), "");  // prune = false: read only
  return out;
}

namespace {

const char* JsonKind(const json::Value& v) {
  if (v.IsString()) return "string";
  if (v.IsNumber()) return "number";
  if (v.IsBool()) return "bool";
  if (v.IsArray()) return "array";
  if (v.IsObject()) return "object";
  return "null";
}

// Go's name of a schema type: "v1.DeploymentSpec".
std::string GoTypeName(const schema::Type& t) {
  std::string pkg = t.package.substr(t.package.rfind('.') + 1);
  return pkg + "." + t.short_name;
}

std::string GoElementType(const schema::Field& f) {
  switch (f.scalar) {
    case schema::Scalar::kString:
      return "string";
    case schema::Scalar::kInt32:
      return "int32";
    case schema::Scalar::kInt64:
      return "int64";
    case schema::Scalar::kBool:
      return "bool";
    case schema::Scalar::kDouble:
      return "float64";
    case schema::Scalar::kBytes:
      return "[]uint8";
    case schema::Scalar::kMessage:
      return GoTypeName(*f.message);
    case schema::Scalar::kIntOrString:
      return "intstr.IntOrString";
    case schema::Scalar::kQuantity:
      return "resource.Quantity";
    case schema::Scalar::kTime:
      return "v1.Time";
    case schema::Scalar::kMicroTime:
      return "v1.MicroTime";
    case schema::Scalar::kDuration:
      return "v1.Duration";
    case schema::Scalar::kRawExtension:
      return "runtime.RawExtension";
    case schema::Scalar::kFieldsV1:
      return "v1.FieldsV1";
  }
  return "?";
}

class TypeChecker {
 public:
  std::string error;

  void Message(const schema::Type& t, const json::Value& obj, const std::string& path, int depth) {
    if (!error.empty() || depth > 100 || !obj.IsObject()) return;
    for (const auto& m : obj.GetObject()) {
      std::string_view name(m.name.GetString(), m.name.GetStringLength());
      const schema::Type* owner = nullptr;
      const schema::Field* f = Lookup(t, name, &owner);
      if (f == nullptr || m.value.IsNull()) continue;
      std::string child = path.empty() ? std::string(name) : path + "." + std::string(name);
      Member(*owner, *f, m.value, child, depth);
      if (!error.empty()) return;
    }
  }

 private:
  // The field `name` of `t`, looking through inline (embedded) members; *owner gets the struct
  // Go names in errors: `t` itself, also for promoted fields.
  static const schema::Field* Lookup(const schema::Type& t, std::string_view name,
                                     const schema::Type** owner) {
    for (const schema::Field& f : t.fields) {
      if (f.inline_json) {
        if (const schema::Field* in = Lookup(*f.message, name, owner)) {
          *owner = &t;
          return in;
        }
        continue;
      }
      if (f.json_name == name) {
        *owner = &t;
        return &f;
      }
    }
    return nullptr;
  }

  void Fail(const schema::Type& owner, const std::string& path, const json::Value& v,
            const std::string& go_type, bool show_number = false) {
    std::string what = JsonKind(v);
    if (show_number) what += " " + json::Serialize(v);
    error = "json: cannot unmarshal " + what + " into Go struct field " + owner.short_name + "." +
            path + " of type " + go_type;
  }

  void Member(const schema::Type& owner, const schema::Field& f, const json::Value& v,
              const std::string& path, int depth) {
    if (f.shape == schema::Shape::kRepeated ||
        (f.scalar == schema::Scalar::kMessage && f.message->wrapper)) {
      const schema::Field& elem = f.shape == schema::Shape::kRepeated ? f : f.message->fields[0];
      if (!v.IsArray()) return Fail(owner, path, v, "[]" + GoElementType(elem));
      for (const auto& e : v.GetArray()) {
        if (!e.IsNull()) Element(owner, elem, e, path, depth);
        if (!error.empty()) return;
      }
      return;
    }
    if (f.shape == schema::Shape::kMap) {
      if (!v.IsObject()) return Fail(owner, path, v, "map[string]" + GoElementType(f));
      for (const auto& m : v.GetObject()) {
        if (!m.value.IsNull()) Element(owner, f, m.value, path, depth);
        if (!error.empty()) return;
      }
      return;
    }
    Element(owner, f, v, path, depth);
  }

  // One value of f's element type.
  void Element(const schema::Type& owner, const schema::Field& f, const json::Value& v,
               const std::string& path, int depth) {
    using S = schema::Scalar;
    switch (f.scalar) {
      case S::kString:
      case S::kBytes:
      case S::kTime:
      case S::kMicroTime:
      case S::kDuration:
        if (!v.IsString()) Fail(owner, path, v, GoElementType(f));
        return;
      case S::kInt32:
        if (!v.IsNumber()) return Fail(owner, path, v, "int32");
        if (!v.IsInt()) Fail(owner, path, v, "int32", true);
        return;
      case S::kInt64:
        if (!v.IsNumber()) return Fail(owner, path, v, "int64");
        if (!v.IsInt64()) Fail(owner, path, v, "int64", true);
        return;
      case S::kBool:
        if (!v.IsBool()) Fail(owner, path, v, "bool");
        return;
      case S::kDouble:
        if (!v.IsNumber()) Fail(owner, path, v, "float64");
        return;
      case S::kIntOrString:
        if (!v.IsString() && !v.IsInt64()) Fail(owner, path, v, "intstr.IntOrString");
        return;
      case S::kQuantity:
        if (!v.IsString() && !v.IsNumber()) Fail(owner, path, v, "resource.Quantity");
        return;
      case S::kMessage:
        if (!v.IsObject()) return Fail(owner, path, v, GoTypeName(*f.message));
        Message(*f.message, v, path, depth + 1);
        return;
      case S::kRawExtension:
      case S::kFieldsV1:
        return;  // any JSON
    }
  }
};

}  // namespace

std::string FindTypeError(const json::Value& obj, const schema::Type& kind) {
  TypeChecker c;
  c.Message(kind, obj, "", 0);
  return c.error;
}

}  // namespace cluster::api
