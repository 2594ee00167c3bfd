// Internal to src/api/table*.cpp: the vocabulary server-side printers are written in — columns,
// the cell printer of a row, and helpers shared by every kind's printer.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "api/table.h"
#include "common/ids.h"
#include "common/json.h"

namespace cluster::api::table_internal {

using json::Value;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

struct Column {
  const char* name;
  const char* type;    // string, integer, date
  const char* format;  // name, date, ""
  const char* description;
  int priority;
};

// A row's cells as JSON values written straight to the writer.
using CellPrinter = std::function<void(const Value& obj, Writer& w)>;

struct Printer {
  std::vector<Column> columns;
  CellPrinter cells;
};

inline std::string S(const Value& obj, std::initializer_list<std::string_view> path,
                     const char* fallback = "") {
  return json::GetString(obj, path, fallback);
}

inline std::string Age(const Value& obj, const char* field = "creationTimestamp") {
  std::string ts = json::GetString(obj, {"metadata", field});
  std::chrono::system_clock::time_point t;
  if (ts.empty() || !ParseRfc3339(ts, &t)) return "<unknown>";
  auto d = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - t);
  return HumanDuration(d);
}

inline std::string AgeOf(const std::string& ts) {
  std::chrono::system_clock::time_point t;
  if (ts.empty() || !ParseRfc3339(ts, &t)) return "<unknown>";
  return HumanDuration(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - t));
}

inline std::string NoneIfEmpty(const std::string& s) { return s.empty() ? "<none>" : s; }

inline int64_t I(const Value& obj, std::initializer_list<std::string_view> path) {
  return json::GetInt(obj, path, 0);
}

inline void Str(Writer& w, const std::string& s) {
  w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
}

inline std::string Join(const std::vector<std::string>& v, const char* sep = ",") {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

inline std::string SelectorString(const Value* sel) {
  if (sel == nullptr || !sel->IsObject()) return "<none>";
  std::vector<std::string> parts;
  const Value* ml = json::Find(*sel, {"matchLabels"});
  const Value* flat = ml ? ml : sel;  // services use a plain map
  if (flat && flat->IsObject()) {
    for (auto& kv : flat->GetObject()) {
      if (!kv.value.IsString()) continue;
      parts.push_back(std::string(kv.name.GetString()) + "=" + kv.value.GetString());
    }
  }
  if (const Value* me = json::Find(*sel, {"matchExpressions"}); me && me->IsArray()) {
    for (auto& e : me->GetArray()) {
      std::string key = json::GetString(e, {"key"});
      std::string op = json::GetString(e, {"operator"});
      std::vector<std::string> vals;
      if (const Value* vs = json::Find(e, {"values"}); vs && vs->IsArray())
        for (auto& v : vs->GetArray())
          if (v.IsString()) vals.push_back(v.GetString());
      if (op == "In")
        parts.push_back(key + " in (" + Join(vals) + ")");
      else if (op == "NotIn")
        parts.push_back(key + " notin (" + Join(vals) + ")");
      else if (op == "Exists")
        parts.push_back(key);
      else if (op == "DoesNotExist")
        parts.push_back("!" + key);
    }
  }
  std::sort(parts.begin(), parts.end());
  return parts.empty() ? "<none>" : Join(parts);
}

inline void ContainersAndImages(const Value* pod_spec, std::string* names, std::string* images) {
  std::vector<std::string> n, i;
  if (pod_spec)
    if (const Value* cs = json::Find(*pod_spec, {"containers"}); cs && cs->IsArray())
      for (auto& c : cs->GetArray()) {
        n.push_back(json::GetString(c, {"name"}));
        i.push_back(json::GetString(c, {"image"}));
      }
  *names = Join(n);
  *images = Join(i);
}

inline const Column kName = {
    "Name", "string", "name",
    "Name must be unique within a namespace. Is required when creating "
    "resources, although some resources may allow a client to request the "
    "generation of an appropriate name automatically. Name is primarily "
    "intended for creation idempotence and configuration definition. Cannot "
    "be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/"
    "names#names",
    0};
inline const Column kAge = {
    "Age", "string", "",
    "CreationTimestamp is a timestamp representing the server time when this "
    "object was created. It is not guaranteed to be set in happens-before "
    "order across separate operations. Clients may not set this value. It is "
    "represented in RFC3339 form and is in UTC.\n\nPopulated by the system. "
    "Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/"
    "api-conventions.md#metadata",
    0};

// Printers of the kinds in table_more.cpp (networking, autoscaling, storage, node,
// certificates), by kind.
void AddMorePrinters(std::map<std::string, Printer>* printers);

}  // namespace cluster::api::table_internal
