#include "api/schema.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace cluster::api::schema {
namespace {

struct Line {
  int number = 0;
  bool indented = false;
  std::vector<std::string> tokens;
  std::string description;
};

Status LineError(const Line& line, const std::string& what) {
  return BadRequest("schema line " + std::to_string(line.number) + ": " + what);
}

// Splits a line into whitespace-separated tokens and the trailing "description".
Result<Line> SplitLine(std::string_view text, int number) {
  Line line;
  line.number = number;
  line.indented = !text.empty() && (text[0] == ' ' || text[0] == '\t');
  size_t quote = text.find('"');
  std::string_view head = text.substr(0, quote);
  if (quote != std::string_view::npos) {
    size_t end = text.rfind('"');
    if (end == quote) return LineError(line, "unterminated description");
    line.description = std::string(text.substr(quote + 1, end - quote - 1));
  }
  std::istringstream in{std::string(head)};
  std::string token;
  while (in >> token) line.tokens.push_back(token);
  return line;
}

const std::map<std::string_view, Scalar>& ScalarNames() {
  static const auto* names = new std::map<std::string_view, Scalar>{
      {"string", Scalar::kString},
      {"int32", Scalar::kInt32},
      {"int64", Scalar::kInt64},
      {"bool", Scalar::kBool},
      {"double", Scalar::kDouble},
      {"bytes", Scalar::kBytes},
      {"IntOrString", Scalar::kIntOrString},
      {"Quantity", Scalar::kQuantity},
      {"Time", Scalar::kTime},
      {"MicroTime", Scalar::kMicroTime},
      {"Duration", Scalar::kDuration},
      {"RawExtension", Scalar::kRawExtension},
      {"FieldsV1", Scalar::kFieldsV1},
  };
  return *names;
}

std::vector<std::string> SplitComma(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string_view::npos) comma = s.size();
    out.emplace_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// Fills shape/scalar/type_name; message types are resolved after all files are read.
Status ParseFieldType(const Line& line, std::string_view text, Field& f) {
  f.type_name = std::string(text);
  std::string_view element = text;
  if (element.substr(0, 2) == "[]") {
    f.shape = Shape::kRepeated;
    element.remove_prefix(2);
  } else if (element.substr(0, 11) == "map<string," && element.back() == '>') {
    f.shape = Shape::kMap;
    element = element.substr(11, element.size() - 12);
  }
  if (element.empty()) return LineError(line, "empty type");
  auto it = ScalarNames().find(element);
  f.scalar = it == ScalarNames().end() ? Scalar::kMessage : it->second;
  return Status::Ok();
}

Status ParseFieldFlag(const Line& line, std::string_view flag, Field& f) {
  auto value = [&](std::string_view prefix) { return std::string(flag.substr(prefix.size())); };
  if (flag == "ptr") {
    f.pointer = true;
  } else if (flag == "omitempty") {
    f.omitempty = true;
  } else if (flag == "inline") {
    f.inline_json = true;
  } else if (flag == "required") {
    f.required = true;
  } else if (flag.starts_with("list=")) {
    f.list_type = value("list=");
  } else if (flag.starts_with("keys=")) {
    f.list_map_keys = SplitComma(value("keys="));
  } else if (flag.starts_with("map=")) {
    f.map_type = value("map=");
  } else if (flag.starts_with("patch=")) {
    f.patch_strategy = value("patch=");
  } else if (flag.starts_with("mergekey=")) {
    f.patch_merge_key = value("mergekey=");
  } else {
    return LineError(line, "unknown field flag '" + std::string(flag) + "'");
  }
  return Status::Ok();
}

Result<Field> ParseField(const Line& line) {
  if (line.tokens.size() < 3) return LineError(line, "field needs NAME NUMBER TYPE");
  Field f;
  f.json_name = line.tokens[0];
  char* end = nullptr;
  long number = std::strtol(line.tokens[1].c_str(), &end, 10);
  if (*end != '\0' || number < 1 || number > 536870911) {
    return LineError(line, "bad field number '" + line.tokens[1] + "'");
  }
  f.number = static_cast<int>(number);
  RETURN_IF_ERROR(ParseFieldType(line, line.tokens[2], f));
  for (size_t i = 3; i < line.tokens.size(); ++i) {
    RETURN_IF_ERROR(ParseFieldFlag(line, line.tokens[i], f));
  }
  f.description = line.description;
  return f;
}

struct Package {
  std::string name, group, version;
};

Result<Package> ParsePackage(const Line& line) {
  Package p;
  if (line.tokens.size() != 4) return LineError(line, "package needs NAME group=G version=V");
  p.name = line.tokens[1];
  for (size_t i = 2; i < line.tokens.size(); ++i) {
    const std::string& t = line.tokens[i];
    if (t.starts_with("version=")) p.version = t.substr(8);
    if (t.starts_with("group=")) p.group = t.substr(6);
  }
  if (p.version.empty() || p.group.empty()) return LineError(line, "package without group/version");
  if (p.group == "core") p.group.clear();  // the legacy core group is ""
  return p;
}

Status ParseTypeLine(const Line& line, const Package& pkg, Type& t) {
  t.short_name = line.tokens[1];
  t.package = pkg.name;
  t.name = pkg.name + "." + t.short_name;
  t.group = pkg.group;
  t.version = pkg.version;
  t.description = line.description;
  for (size_t i = 2; i < line.tokens.size(); ++i) {
    const std::string& flag = line.tokens[i];
    if (flag == "kind") {
      t.is_kind = true;
    } else if (flag == "wrapper") {
      t.wrapper = true;
    } else if (flag.starts_with("struct=")) {
      t.struct_type = flag.substr(7);
    } else {
      return LineError(line, "unknown type flag '" + flag + "'");
    }
  }
  return Status::Ok();
}

std::string_view ElementName(const Field& f) {
  std::string_view n = f.type_name;
  if (f.shape == Shape::kRepeated) return n.substr(2);
  if (f.shape == Shape::kMap) return n.substr(11, n.size() - 12);
  return n;
}

}  // namespace

WireType Field::wire_type() const {
  if (shape == Shape::kMap) return kLengthDelimited;
  switch (scalar) {
    case Scalar::kInt32:
    case Scalar::kInt64:
    case Scalar::kBool:
      return kVarint;
    case Scalar::kDouble:
      return kFixed64;
    default:
      return kLengthDelimited;
  }
}

const Field* Type::FieldByNumber(int number) const {
  auto it = std::lower_bound(by_number.begin(), by_number.end(), number,
                             [](const Field* f, int n) { return f->number < n; });
  return it != by_number.end() && (*it)->number == number ? *it : nullptr;
}

const Field* Type::FieldByJsonName(std::string_view name, const Type** owner) const {
  for (const Field& f : fields) {
    if (f.inline_json && f.message != nullptr) {
      if (const Field* inner = f.message->FieldByJsonName(name, owner)) return inner;
    } else if (f.json_name == name) {
      if (owner != nullptr) *owner = this;
      return &f;
    }
  }
  return nullptr;
}

Result<std::unique_ptr<Schema>> Schema::Parse(std::string_view text) {
  auto schema = std::make_unique<Schema>();
  Package pkg;
  Type* current = nullptr;
  std::vector<std::pair<Field*, int>> unresolved;  // field, line
  int number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view raw = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++number;
    size_t first = raw.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || raw[first] == '#') continue;
    ASSIGN_OR_RETURN(Line line, SplitLine(raw, number));
    if (line.tokens.empty()) return LineError(line, "description without a name");
    if (line.indented) {
      if (current == nullptr) return LineError(line, "field outside a type");
      ASSIGN_OR_RETURN(Field f, ParseField(line));
      current->fields.push_back(std::move(f));
      continue;
    }
    if (line.tokens[0] == "package") {
      ASSIGN_OR_RETURN(pkg, ParsePackage(line));
      current = nullptr;
    } else if (line.tokens[0] == "type" && line.tokens.size() >= 2) {
      if (pkg.name.empty()) return LineError(line, "type before package");
      auto t = std::make_unique<Type>();
      RETURN_IF_ERROR(ParseTypeLine(line, pkg, *t));
      if (schema->types_.count(t->name)) return LineError(line, "duplicate type " + t->name);
      current = t.get();
      schema->types_.emplace(t->name, std::move(t));
    } else {
      return LineError(line, "expected 'package' or 'type'");
    }
  }
  // Resolve message references and build the number index.
  for (auto& [name, type] : schema->types_) {
    for (Field& f : type->fields) {
      if (f.scalar != Scalar::kMessage) continue;
      std::string_view element = ElementName(f);
      std::string qualified = element.find('.') == std::string_view::npos
                                  ? type->package + "." + std::string(element)
                                  : std::string(element);
      f.message = schema->FindType(qualified);
      if (f.message == nullptr) {
        return BadRequest("schema: " + name + "." + f.json_name + " refers to unknown type " +
                          qualified);
      }
      if (f.inline_json && (f.shape != Shape::kSingle)) {
        return BadRequest("schema: " + name + "." + f.json_name + " inline must be a message");
      }
    }
    for (const Field& f : type->fields) type->by_number.push_back(&f);
    std::sort(type->by_number.begin(), type->by_number.end(),
              [](const Field* a, const Field* b) { return a->number < b->number; });
    for (size_t i = 1; i < type->by_number.size(); ++i) {
      if (type->by_number[i]->number == type->by_number[i - 1]->number) {
        return BadRequest("schema: " + name + " has two fields numbered " +
                          std::to_string(type->by_number[i]->number));
      }
    }
    if (type->wrapper && (type->fields.size() != 1 || type->fields[0].number != 1 ||
                          type->fields[0].shape != Shape::kRepeated)) {
      return BadRequest("schema: wrapper " + name + " needs exactly one repeated field 1");
    }
    if (type->is_kind) schema->kinds_.push_back(type.get());
  }
  return schema;
}

const Schema& Schema::Get() {
  static const Schema* instance = [] {
    auto parsed = Parse(EmbeddedSchemaText());
    if (!parsed.ok()) {
      std::fprintf(stderr, "embedded API schema is broken: %s\n",
                   parsed.status().message().c_str());
      std::abort();
    }
    return std::move(parsed).value().release();
  }();
  return *instance;
}

const Type* Schema::FindType(std::string_view name) const {
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : it->second.get();
}

const Type* Schema::FindKind(std::string_view group, std::string_view version,
                             std::string_view kind) const {
  for (const Type* t : kinds_) {
    if (t->short_name == kind && t->group == group && t->version == version) return t;
  }
  if (version == "v1" && (kind == "Status" || kind == "DeleteOptions")) {
    return FindType(std::string("meta.v1.") + std::string(kind));
  }
  return nullptr;
}

const Type* Schema::FindKindByApiVersion(std::string_view api_version,
                                         std::string_view kind) const {
  size_t slash = api_version.find('/');
  if (slash == std::string_view::npos) return FindKind("", api_version, kind);
  return FindKind(api_version.substr(0, slash), api_version.substr(slash + 1), kind);
}

}  // namespace cluster::api::schema
