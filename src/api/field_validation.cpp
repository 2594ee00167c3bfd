#include "api/field_validation.h"

#include <set>

namespace cluster::api {
namespace {

using schema::Field;
using schema::Scalar;
using schema::Shape;
using schema::Type;

struct Walker {
  bool patch = false;
  std::vector<std::string>* out;

  static std::string Join(const std::string& path, std::string_view name) {
    return path.empty() ? std::string(name) : path + "." + std::string(name);
  }

  // Reports repeated member names of one object (RapidJSON keeps duplicates as members).
  void Duplicates(const json::Value& obj, const std::string& path) {
    if (obj.MemberCount() < 2) return;
    std::set<std::string_view> seen;
    for (const auto& m : obj.GetObject()) {
      std::string_view k(m.name.GetString(), m.name.GetStringLength());
      if (!seen.insert(k).second) out->push_back("duplicate field \"" + Join(path, k) + "\"");
    }
  }

  // Any JSON without a schema: only duplicates.
  void Untyped(const json::Value& v, const std::string& path) {
    if (v.IsObject()) {
      Duplicates(v, path);
      for (const auto& m : v.GetObject())
        Untyped(m.value, Join(path, std::string_view(m.name.GetString(),
                                                     m.name.GetStringLength())));
    } else if (v.IsArray()) {
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
        Untyped(v[i], path + "[" + std::to_string(i) + "]");
    }
  }

  // One value of `f` (an element for lists, a value for maps).
  void Element(const json::Value& v, const Field& f, const std::string& path) {
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

  void Value(const json::Value& v, const Field& f, const std::string& path) {
    if (v.IsNull()) return;
    if (f.shape == Shape::kRepeated) {
      if (!v.IsArray()) return;
      for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
        Element(v[i], f, path + "[" + std::to_string(i) + "]");
    } else if (f.shape == Shape::kMap) {
      if (!v.IsObject()) return;
      Duplicates(v, path);
      for (const auto& m : v.GetObject())
        Element(m.value, f, Join(path, std::string_view(m.name.GetString(),
                                                        m.name.GetStringLength())));
    } else {
      Element(v, f, path);
    }
  }

  void Object(const json::Value& obj, const Type& t, const std::string& path, bool top) {
    Duplicates(obj, path);
    for (const auto& m : obj.GetObject()) {
      std::string_view k(m.name.GetString(), m.name.GetStringLength());
      if (patch && !k.empty() && k[0] == '$') continue;
      if (top && (k == "apiVersion" || k == "kind")) continue;
      const Field* f = t.FieldByJsonName(k);
      std::string p = Join(path, k);
      if (f == nullptr) {
        if (!(patch && m.value.IsNull())) out->push_back("unknown field \"" + p + "\"");
        continue;
      }
      Value(m.value, *f, p);
    }
  }
};

}  // namespace

bool ParseFieldValidation(std::string_view param, FieldValidation* out) {
  if (param.empty() || param == "Ignore") *out = FieldValidation::kIgnore;
  else if (param == "Warn") *out = FieldValidation::kWarn;
  else if (param == "Strict") *out = FieldValidation::kStrict;
  else return false;
  return true;
}

std::vector<std::string> FindFieldProblems(const json::Value& obj, const schema::Type& kind,
                                           bool patch) {
  std::vector<std::string> out;
  if (!obj.IsObject()) return out;
  Walker w{patch, &out};
  w.Object(obj, kind, "", true);
  return out;
}

std::vector<std::string> FindDuplicateFields(const json::Value& obj) {
  std::vector<std::string> out;
  Walker w{false, &out};
  w.Untyped(obj, "");
  return out;
}

}  // namespace cluster::api
