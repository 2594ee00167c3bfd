#include "common/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <vector>

namespace cluster {
namespace {

// ---- plain scalars, resolved as sigs.k8s.io/yaml (go-yaml v2, YAML 1.1) resolves them ----

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool OneOf(const std::string& s, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (s == w) return true;
  return false;
}

// An integer as Go's strconv.ParseInt(s, 0, 64) reads it after removing '_': optional sign,
// then 0x/0X hex, 0b/0B binary, 0o/0O or leading-0 octal, or decimal. Linear, no regex.
enum class IntParse { kNotInt, kOk, kRange };
IntParse ParseGoInt(const std::string& text, int64_t* out) {
  std::string s;
  s.reserve(text.size());
  for (char c : text)
    if (c != '_') s.push_back(c);
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  int base = 10;
  if (i + 1 < s.size() && s[i] == '0') {
    char p = s[i + 1];
    if (p == 'x' || p == 'X')
      base = 16, i += 2;
    else if (p == 'b' || p == 'B')
      base = 2, i += 2;
    else if (p == 'o' || p == 'O')
      base = 8, i += 2;
    else
      base = 8, i += 1;
  }
  if (i >= s.size())
    return s.size() == 1 && s[0] == '0' ? (*out = 0, IntParse::kOk) : IntParse::kNotInt;
  unsigned __int128 v = 0;
  bool range = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    int d = IsDigit(c)               ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : 99;
    if (d >= base) return IntParse::kNotInt;
    if (!range) {
      v = v * base + d;
      if (v > (static_cast<unsigned __int128>(1) << 64)) range = true;
    }
  }
  if (range) return IntParse::kRange;
  if (!neg && v > static_cast<unsigned __int128>(INT64_MAX)) return IntParse::kRange;
  if (neg && v > static_cast<unsigned __int128>(INT64_MAX) + 1) return IntParse::kRange;
  *out = neg ? static_cast<int64_t>(-static_cast<__int128>(v)) : static_cast<int64_t>(v);
  return IntParse::kOk;
}

// [-+]? (digits [. digits?] | . digits) ([eE] [-+]? digits)?
bool LooksFloat(const std::string& s) {
  size_t i = 0, n = s.size();
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < n && IsDigit(s[i])) ++i, ++int_digits;
  if (i < n && s[i] == '.') {
    ++i;
    while (i < n && IsDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < n && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == n;
}

void ResolvePlain(const std::string& s, json::Value* out, json::Allocator& a) {
  if (s.empty() || OneOf(s, {"~", "null", "Null", "NULL"})) {
    out->SetNull();
    return;
  }
  if (OneOf(s, {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"})) {
    out->SetBool(true);
    return;
  }
  if (OneOf(s, {"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"})) {
    out->SetBool(false);
    return;
  }
  char first = s[0];
  if (IsDigit(first) || first == '-' || first == '+' || first == '.') {
    int64_t v = 0;
    IntParse ip = ParseGoInt(s, &v);
    if (ip == IntParse::kOk) {
      out->SetInt64(v);
      return;
    }
    if (ip == IntParse::kNotInt && LooksFloat(s)) {
      errno = 0;
      double d = std::strtod(s.c_str(), nullptr);
      if (errno != ERANGE && std::isfinite(d)) {
        out->SetDouble(d);
        return;
      }
    }
  }
  *out = json::String(s, a);  // out of range numbers stay strings, as go-yaml leaves them
}

// ---- the YAML → JSON walk, with a budget for alias expansion ----

struct Walk {
  json::Allocator& a;
  int max_depth;
  size_t budget;  // nodes left to produce
  std::string err;
};

bool Convert(const YAML::Node& n, json::Value* out, Walk& w, int depth) {
  if (depth > w.max_depth) {
    w.err = "YAML nesting deeper than " + std::to_string(w.max_depth);
    return false;
  }
  if (w.budget == 0) {
    // Aliases can make a small text stand for billions of nodes ("billion laughs").
    w.err = "yaml: document contains excessive aliasing";
    return false;
  }
  --w.budget;
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out->SetNull();
      return true;
    case YAML::NodeType::Sequence:
      out->SetArray();
      for (const auto& e : n) {
        json::Value v;
        if (!Convert(e, &v, w, depth + 1)) return false;
        out->PushBack(v, w.a);
      }
      return true;
    case YAML::NodeType::Map:
      out->SetObject();
      for (const auto& kv : n) {
        if (!kv.first.IsScalar()) {
          w.err = "YAML mapping keys must be scalars";
          return false;
        }
        json::Value v;
        if (!Convert(kv.second, &v, w, depth + 1)) return false;
        json::Set(*out, kv.first.Scalar(), std::move(v), w.a);
      }
      return true;
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      // Quoted scalars carry the "!" tag; explicit !!str too.
      if (n.Tag() == "!" || n.Tag() == "tag:yaml.org,2002:str") {
        *out = json::String(s, w.a);
      } else {
        ResolvePlain(s, out, w.a);
      }
      return true;
    }
  }
  return true;
}

// yaml-cpp's parser recurses once per nesting level, so the nesting is bounded before it runs:
// flow collections by their brackets, block collections by indentation levels and "- " items
// opened on one line. Block scalars' contents (after `|` or `>`) are not structure and are
// skipped. Over-estimates are fine: the limit is far above real documents.
int EstimateDepth(std::string_view text) {
  int flow = 0, max_depth = 0;
  std::vector<size_t> indents;
  size_t block_scalar_indent = std::string_view::npos;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos || line[indent] == '#') continue;
    if (block_scalar_indent != std::string_view::npos) {
      if (indent > block_scalar_indent) continue;
      block_scalar_indent = std::string_view::npos;
    }
    while (!indents.empty() && indents.back() >= indent) indents.pop_back();
    indents.push_back(indent);
    int dashes = 0;
    for (size_t i = indent; i + 1 < line.size() && line[i] == '-' && line[i + 1] == ' '; i += 2) {
      ++dashes;
      while (i + 2 < line.size() && line[i + 2] == ' ') ++i;
    }
    for (char c : line) {
      if (c == '[' || c == '{') max_depth = std::max(max_depth, ++flow);
      if (c == ']' || c == '}') --flow;
    }
    max_depth = std::max(max_depth, static_cast<int>(indents.size()) + dashes + std::max(flow, 0));
    std::string_view trimmed = line.substr(0, line.find_last_not_of(" \r") + 1);
    size_t last = trimmed.find_last_of("|>");
    if (last != std::string_view::npos &&
        trimmed.find_first_not_of("|>+-0123456789", last) == std::string_view::npos &&
        (last == 0 || trimmed[last - 1] == ' '))
      block_scalar_indent = indent;
  }
  return max_depth;
}

// ---- JSON → YAML ----

// A string that would read back as something else unquoted.
bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  json::Document probe;
  ResolvePlain(s, &probe, probe.GetAllocator());
  return !probe.IsString();
}

void Emit(YAML::Emitter& out, const json::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType:
      out << YAML::Null;
      break;
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      out << (v.GetBool() ? "true" : "false");
      break;
    case rapidjson::kNumberType:
      if (v.IsInt64())
        out << v.GetInt64();
      else if (v.IsUint64())
        out << v.GetUint64();
      else
        out << v.GetDouble();
      break;
    case rapidjson::kStringType: {
      std::string s(v.GetString(), v.GetStringLength());
      if (NeedsQuotes(s)) out << YAML::DoubleQuoted;
      out << s;
      break;
    }
    case rapidjson::kArrayType:
      out << YAML::BeginSeq;
      for (const auto& e : v.GetArray()) Emit(out, e);
      out << YAML::EndSeq;
      break;
    case rapidjson::kObjectType: {
      // Sorted keys, as sigs.k8s.io/yaml writes them.
      std::vector<const json::Value::Member*> members;
      for (const auto& m : v.GetObject()) members.push_back(&m);
      std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) {
        return std::string_view(a->name.GetString(), a->name.GetStringLength()) <
               std::string_view(b->name.GetString(), b->name.GetStringLength());
      });
      out << YAML::BeginMap;
      for (const auto* m : members) {
        std::string key(m->name.GetString(), m->name.GetStringLength());
        out << YAML::Key;
        if (NeedsQuotes(key)) out << YAML::DoubleQuoted;
        out << key << YAML::Value;
        Emit(out, m->value);
      }
      out << YAML::EndMap;
      break;
    }
  }
}

}  // namespace

Result<json::Document> YamlToJson(std::string_view text, int max_depth) {
  if (EstimateDepth(text) > max_depth)
    return BadRequest("YAML nesting deeper than " + std::to_string(max_depth));
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return BadRequest(std::string("invalid YAML: ") + e.what());
  } catch (...) {
    return BadRequest("invalid YAML");
  }
  json::Document d;
  // Without aliases a document has fewer nodes than bytes; twice that (plus room for small
  // documents) admits real uses of anchors and refuses exponential expansion early.
  Walk w{d.GetAllocator(), max_depth, 2 * text.size() + 10000, ""};
  try {
    if (!Convert(root, &d, w, 0)) return BadRequest(w.err);
  } catch (const YAML::Exception& e) {
    return BadRequest(std::string("invalid YAML: ") + e.what());
  }
  return d;
}

std::string JsonToYaml(const json::Value& v) {
  YAML::Emitter out;
  Emit(out, v);
  std::string s = out.c_str();
  if (s.empty() || s.back() != '\n') s.push_back('\n');
  return s;
}

}  // namespace cluster
