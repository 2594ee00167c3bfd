#include "common/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <regex>

namespace cluster {
namespace {

bool Convert(const YAML::Node& n, json::Value* out, json::Allocator& a, int depth,
             std::string* err) {
  if (depth <= 0) {
    *err = "YAML nesting too deep";
    return false;
  }
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out->SetNull();
      return true;
    case YAML::NodeType::Sequence:
      out->SetArray();
      for (const auto& e : n) {
        json::Value v;
        if (!Convert(e, &v, a, depth - 1, err)) return false;
        out->PushBack(v, a);
      }
      return true;
    case YAML::NodeType::Map:
      out->SetObject();
      for (const auto& kv : n) {
        if (!kv.first.IsScalar()) {
          *err = "YAML mapping keys must be scalars";
          return false;
        }
        json::Value v;
        if (!Convert(kv.second, &v, a, depth - 1, err)) return false;
        json::Set(*out, kv.first.Scalar(), std::move(v), a);
      }
      return true;
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() == "!" || n.Tag() == "tag:yaml.org,2002:str") {
        *out = json::String(s, a);
        return true;
      }
      static const std::regex kInt("[-+]?[0-9]+");
      static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
      if (s == "true" || s == "True" || s == "TRUE") out->SetBool(true);
      else if (s == "false" || s == "False" || s == "FALSE") out->SetBool(false);
      else if (s == "null" || s == "Null" || s == "NULL" || s == "~" || s.empty()) out->SetNull();
      else if (std::regex_match(s, kInt)) {
        errno = 0;
        long long v = std::strtoll(s.c_str(), nullptr, 10);
        if (errno == ERANGE) *out = json::String(s, a);
        else out->SetInt64(v);
      } else if (std::regex_match(s, kFloat)) {
        out->SetDouble(std::strtod(s.c_str(), nullptr));
      } else {
        *out = json::String(s, a);
      }
      return true;
    }
  }
  return true;
}

}  // namespace

Result<json::Document> YamlToJson(std::string_view text, int max_depth) {
  // yaml-cpp's parser recurses per nesting level; bound it before parsing.
  int depth = 0, max_seen = 0;
  for (char c : text) {
    if (c == '[' || c == '{') max_seen = std::max(max_seen, ++depth);
    if (c == ']' || c == '}') --depth;
  }
  if (max_seen > max_depth) return BadRequest("YAML nesting deeper than " + std::to_string(max_depth));
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return BadRequest(std::string("invalid YAML: ") + e.what());
  } catch (...) {
    return BadRequest("invalid YAML");
  }
  json::Document d;
  std::string err;
  if (!Convert(root, &d, d.GetAllocator(), max_depth, &err)) return BadRequest(err);
  return d;
}

}  // namespace cluster
