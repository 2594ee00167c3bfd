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

}  // namespace cluster::api
