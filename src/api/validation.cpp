#include "api/validation.h"

#include <algorithm>
#include <cctype>

namespace cluster::api {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

bool IsLabel(std::string_view s) {
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  for (char c : s)
    if (!IsLowerAlnum(c) && c != '-') return false;
  return true;
}

const char kSubdomainMsg[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char kLabelMsg[] =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char kQualifiedMsg[] =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const char kLabelValueMsg[] =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

// Service names are DNS-1035 labels upstream: a label that starts with a letter.
std::string Dns1035Label(std::string_view s) {
  if (s.size() > 63) return "must be no more than 63 characters";
  if (IsLabel(s) && s.front() >= 'a' && s.front() <= 'z') return "";
  return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
         "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
         "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
}

bool IsQualifiedPart(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s)
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void ValidateStringMap(const json::Value& obj, const char* field, bool label_values,
                       FieldCauses* causes) {
  const json::Value* m = json::Find(obj, {"metadata", field});
  if (m == nullptr || m->IsNull()) return;
  std::string path = std::string("metadata.") + field;
  if (!m->IsObject()) {
    AddInvalid(causes, path, "", "must be a map of strings");
    return;
  }
  size_t total = 0;
  for (auto& kv : m->GetObject()) {
    std::string key(kv.name.GetString(), kv.name.GetStringLength());
    // Upstream checks annotation keys lower-cased (a prefix like "Example.com/" is accepted).
    std::string checked = key;
    if (!label_values)
      for (char& c : checked) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string err = CheckQualifiedName(checked);
    if (!err.empty()) AddInvalid(causes, path, key, err);
    if (!kv.value.IsString()) {
      AddInvalid(causes, path + "[" + key + "]", "", "must be a string");
      continue;
    }
    std::string value(kv.value.GetString(), kv.value.GetStringLength());
    total += key.size() + value.size();
    if (label_values) {
      err = CheckLabelValue(value);
      if (!err.empty()) AddInvalid(causes, path, value, err);
    }
  }
  if (!label_values && total > 256 * 1024) AddTooLong(causes, path, 256 * 1024);
}

}  // namespace

std::string CheckDns1123Subdomain(std::string_view s) {
  if (s.size() > 253) return "must be no more than 253 characters";
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (!IsLabel(part)) return kSubdomainMsg;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return "";
}

std::string CheckDns1035Label(std::string_view s) { return Dns1035Label(s); }

std::string CheckDns1123Label(std::string_view s) {
  if (s.size() > 63) return "must be no more than 63 characters";
  return IsLabel(s) ? "" : kLabelMsg;
}

std::string CheckQualifiedName(std::string_view s) {
  std::string_view name = s;
  auto slash = s.find('/');
  if (slash != std::string_view::npos && s.find('/', slash + 1) != std::string_view::npos)
    return std::string("a qualified name ") + (kQualifiedMsg + sizeof("name part ") - 1) +
           " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
  if (slash != std::string_view::npos) {
    std::string_view prefix = s.substr(0, slash);
    name = s.substr(slash + 1);
    if (prefix.empty()) return "prefix part must be non-empty";
    std::string err = CheckDns1123Subdomain(prefix);
    if (!err.empty()) return "prefix part " + err;
  }
  if (name.empty()) return "name part must be non-empty";
  if (name.size() > 63) return "name part must be no more than 63 characters";
  return IsQualifiedPart(name) ? "" : kQualifiedMsg;
}

std::string CheckLabelValue(std::string_view s) {
  if (s.size() > 63) return "must be no more than 63 characters";
  if (s.empty()) return "";
  return IsQualifiedPart(s) ? "" : kLabelValueMsg;
}

std::string CheckConfigMapKey(std::string_view s) {
  if (s.empty() || s.size() > 253) return "must be no more than 253 characters";
  for (char c : s)
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.')
      return "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
             "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
             "'[-._a-zA-Z0-9]+')";
  return "";
}

// First of upstream IsValidPortName's messages, in its order.
std::string CheckIanaSvcName(std::string_view s) {
  if (s.size() > 15) return "must be no more than 15 characters";
  bool letter = false;
  for (char c : s) {
    if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-')
      return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
    if (c >= 'a' && c <= 'z') letter = true;
  }
  if (!letter) return "must contain at least one letter (a-z)";
  if (s.find("--") != s.npos) return "must not contain consecutive hyphens";
  if (s.front() == '-' || s.back() == '-') return "must not begin or end with a hyphen";
  return "";
}

void AddRequired(FieldCauses* causes, const std::string& field, const std::string& detail) {
  causes->push_back({"FieldValueRequired", field,
                     detail.empty() ? "Required value" : "Required value: " + detail});
}

void AddInvalid(FieldCauses* causes, const std::string& field, const std::string& value,
                const std::string& detail) {
  causes->push_back({"FieldValueInvalid", field, "Invalid value: " + Quote(value) + ": " + detail});
}

void AddNotSupported(FieldCauses* causes, const std::string& field, const std::string& value,
                     const std::vector<std::string>& allowed) {
  std::string msg = "Unsupported value: " + Quote(value) + ": supported values: ";
  for (size_t i = 0; i < allowed.size(); ++i) msg += (i ? ", " : "") + Quote(allowed[i]);
  causes->push_back({"FieldValueNotSupported", field, msg});
}

void AddDuplicate(FieldCauses* causes, const std::string& field, const std::string& value) {
  causes->push_back({"FieldValueDuplicate", field, "Duplicate value: " + Quote(value)});
}

void AddForbidden(FieldCauses* causes, const std::string& field, const std::string& detail) {
  causes->push_back({"FieldValueForbidden", field, "Forbidden: " + detail});
}

void AddTooLong(FieldCauses* causes, const std::string& field, size_t max) {
  causes->push_back({"FieldValueTooLong", field,
                     "Too long: must have at most " + std::to_string(max) + " bytes"});
}

NameRule NameRuleFor(const ResourceInfo& info) {
  if (info.group.empty() && (info.plural == "namespaces" || info.plural == "services"))
    return NameRule::kLabel;
  if (info.group == "rbac.authorization.k8s.io") return NameRule::kPathSegment;
  return NameRule::kSubdomain;
}

void ValidateObjectMeta(const ResourceInfo& info, const json::Value& obj, const json::Value* old,
                        FieldCauses* causes) {
  std::string name = json::GetString(obj, {"metadata", "name"});
  if (name.empty()) {
    AddRequired(causes, "metadata.name", "name or generateName is required");
  } else {
    std::string err;
    switch (NameRuleFor(info)) {
      case NameRule::kSubdomain:
        err = CheckDns1123Subdomain(name);
        break;
      case NameRule::kLabel:
        err = info.plural == "services" ? Dns1035Label(name) : CheckDns1123Label(name);
        break;
      case NameRule::kPathSegment:
        if (name == "." || name == "..")
          err = "may not be '" + name + "'";
        else if (name.find('/') != std::string::npos)
          err = "may not contain '/'";
        else if (name.find('%') != std::string::npos)
          err = "may not contain '%'";
        break;
    }
    if (!err.empty()) AddInvalid(causes, "metadata.name", name, err);
  }
  std::string ns = json::GetString(obj, {"metadata", "namespace"});
  if (info.namespaced && ns.empty()) AddRequired(causes, "metadata.namespace");
  if (!info.namespaced && !ns.empty())
    AddForbidden(causes, "metadata.namespace", "not allowed on this type");
  ValidateStringMap(obj, "labels", true, causes);
  ValidateStringMap(obj, "annotations", false, causes);
  if (const json::Value* f = json::Find(obj, {"metadata", "finalizers"}); f && !f->IsNull()) {
    if (!f->IsArray()) {
      AddInvalid(causes, "metadata.finalizers", "", "must be a list of strings");
    } else {
      for (auto& e : f->GetArray()) {
        std::string v = e.IsString() ? e.GetString() : "";
        std::string err = CheckQualifiedName(v);
        if (!err.empty()) AddInvalid(causes, "metadata.finalizers", v, err);
      }
    }
  }
  if (old == nullptr) return;
  auto immutable = [&](const char* field) {
    std::string was = json::GetString(*old, {"metadata", field});
    std::string now = json::GetString(obj, {"metadata", field});
    if (!now.empty() && was != now)
      AddInvalid(causes, std::string("metadata.") + field, now, "field is immutable");
  };
  immutable("name");
  immutable("namespace");
  immutable("uid");
}

std::string InvalidMessage(const std::string& kind, const std::string& name,
                           const FieldCauses& causes) {
  // As errors.NewInvalid with field.ErrorList.ToAggregate: identical messages appear once, and
  // brackets only when more than one distinct message remains.
  std::string msg = kind + " " + Quote(name) + " is invalid";
  std::vector<std::string> parts;
  for (const FieldCause& c : causes) {
    std::string part = c.field + ": " + c.message;
    if (std::find(parts.begin(), parts.end(), part) == parts.end()) parts.push_back(part);
  }
  if (parts.empty()) return msg;
  if (parts.size() == 1) return msg + ": " + parts[0];
  msg += ": [";
  for (size_t i = 0; i < parts.size(); ++i) msg += (i ? ", " : "") + parts[i];
  return msg + "]";
}

}  // namespace cluster::api
