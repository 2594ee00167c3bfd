#include "api/openapi_gnostic.h"

#include <cstring>
#include <vector>

#include "api/protobuf_wire.h"
#include "common/json.h"

namespace cluster::api::openapi {
namespace {

using rapidjson::Value;

// How one JSON key maps onto one protobuf field.
enum class Kind {
  kString,   // string
  kBool,     // bool (varint)
  kDouble,   // double (fixed64)
  kInt64,    // int64 (varint)
  kStrings,  // repeated string (a JSON array; a lone string is one element)
  kMsg,      // message described by `msg`
  kMsgs,     // repeated message (JSON array)
  kNamed,    // JSON object → repeated Named*{name = 1, value = 2 (msg)} inside a wrapper
             // message whose pairs are field `wrap` (Definitions, Properties, Responses, …)
  kAny,      // Any{yaml = 2}
  kAnys,     // repeated Any
  kCustom,   // `custom` encodes the message body
};

struct Msg;
using MsgRef = const Msg& (*)();
using Custom = std::string (*)(const Value&);

struct FieldDesc {
  const char* key;
  int number;
  Kind kind;
  MsgRef msg = nullptr;
  Custom custom = nullptr;
  int wrap = 1;  // kNamed: field number of the pairs inside the wrapper message
};

struct Msg {
  std::vector<FieldDesc> fields;
  int vendor_extension = 0;  // field number of `repeated NamedAny vendor_extension`, 0 if none
};

std::string Encode(const Value& v, const Msg& m);

std::string AnyOf(const Value& v) {
  wire::Writer w;
  w.BytesField(2, json::Serialize(v));  // Any.yaml; JSON is YAML
  return std::move(w.str());
}

std::string NamedAny(std::string_view name, const Value& v) {
  wire::Writer w;
  w.BytesField(1, name);
  w.BytesField(2, AnyOf(v));
  return std::move(w.str());
}

void EncodeField(const Value& v, const FieldDesc& f, wire::Writer* w) {
  switch (f.kind) {
    case Kind::kString:
      if (v.IsString()) w->BytesField(f.number, {v.GetString(), v.GetStringLength()});
      return;
    case Kind::kBool:
      if (v.IsBool()) w->VarintField(f.number, v.GetBool() ? 1 : 0);
      return;
    case Kind::kDouble:
      if (v.IsNumber()) {
        double d = v.GetDouble();
        uint64_t bits = 0;
        std::memcpy(&bits, &d, sizeof bits);
        w->Fixed64Field(f.number, bits);
      }
      return;
    case Kind::kInt64:
      if (v.IsInt64()) w->VarintField(f.number, static_cast<uint64_t>(v.GetInt64()));
      return;
    case Kind::kStrings:
      if (v.IsString()) {
        w->BytesField(f.number, {v.GetString(), v.GetStringLength()});
      } else if (v.IsArray()) {
        for (const Value& s : v.GetArray()) {
          if (s.IsString()) w->BytesField(f.number, {s.GetString(), s.GetStringLength()});
        }
      }
      return;
    case Kind::kMsg:
      if (v.IsObject()) w->BytesField(f.number, Encode(v, f.msg()));
      return;
    case Kind::kMsgs:
      if (v.IsArray()) {
        for (const Value& e : v.GetArray()) {
          if (e.IsObject()) w->BytesField(f.number, Encode(e, f.msg()));
        }
      }
      return;
    case Kind::kNamed: {
      if (!v.IsObject()) return;
      wire::Writer pairs;
      for (const auto& m : v.GetObject()) {
        wire::Writer pair;
        pair.BytesField(1, {m.name.GetString(), m.name.GetStringLength()});
        if (f.msg) {
          if (m.value.IsObject()) pair.BytesField(2, Encode(m.value, f.msg()));
        } else {
          pair.BytesField(2, f.custom(m.value));
        }
        pairs.BytesField(f.wrap, pair.str());
      }
      w->BytesField(f.number, pairs.str());
      return;
    }
    case Kind::kAny:
      w->BytesField(f.number, AnyOf(v));
      return;
    case Kind::kAnys:
      if (v.IsArray()) {
        for (const Value& e : v.GetArray()) w->BytesField(f.number, AnyOf(e));
      }
      return;
    case Kind::kCustom:
      w->BytesField(f.number, f.custom(v));
      return;
  }
}

std::string Encode(const Value& v, const Msg& m) {
  wire::Writer w;
  if (!v.IsObject()) return {};
  for (const auto& member : v.GetObject()) {
    std::string_view key(member.name.GetString(), member.name.GetStringLength());
    if (key.substr(0, 2) == "x-") {
      if (m.vendor_extension != 0) {
        w.BytesField(m.vendor_extension, NamedAny(key, member.value));
      }
      continue;
    }
    for (const FieldDesc& f : m.fields) {
      if (key == f.key) {
        EncodeField(member.value, f, &w);
        break;
      }
    }
  }
  return std::move(w.str());
}

const Msg& SchemaMsg();

// oneof {Schema schema = 1; bool boolean = 2;}
std::string AdditionalProperties(const Value& v) {
  wire::Writer w;
  if (v.IsBool()) {
    w.VarintField(2, v.GetBool() ? 1 : 0);
  } else if (v.IsObject()) {
    w.BytesField(1, Encode(v, SchemaMsg()));
  }
  return std::move(w.str());
}

// TypeItem {repeated string value = 1;}
std::string TypeItem(const Value& v) {
  wire::Writer w;
  EncodeField(v, {"", 1, Kind::kStrings}, &w);
  return std::move(w.str());
}

// ItemsItem {repeated Schema schema = 1;}: one schema or a tuple of them.
std::string ItemsItem(const Value& v) {
  wire::Writer w;
  if (v.IsObject()) {
    w.BytesField(1, Encode(v, SchemaMsg()));
  } else {
    EncodeField(v, {"", 1, Kind::kMsgs, &SchemaMsg}, &w);
  }
  return std::move(w.str());
}

// SchemaItem {oneof {Schema schema = 1; FileSchema file_schema = 2;}}
std::string SchemaItem(const Value& v) {
  wire::Writer w;
  if (v.IsObject()) w.BytesField(1, Encode(v, SchemaMsg()));
  return std::move(w.str());
}

const Msg& SchemaMsg() {
  static const Msg m{{
                         {"$ref", 1, Kind::kString},
                         {"format", 2, Kind::kString},
                         {"title", 3, Kind::kString},
                         {"description", 4, Kind::kString},
                         {"default", 5, Kind::kAny},
                         {"multipleOf", 6, Kind::kDouble},
                         {"maximum", 7, Kind::kDouble},
                         {"exclusiveMaximum", 8, Kind::kBool},
                         {"minimum", 9, Kind::kDouble},
                         {"exclusiveMinimum", 10, Kind::kBool},
                         {"maxLength", 11, Kind::kInt64},
                         {"minLength", 12, Kind::kInt64},
                         {"pattern", 13, Kind::kString},
                         {"maxItems", 14, Kind::kInt64},
                         {"minItems", 15, Kind::kInt64},
                         {"uniqueItems", 16, Kind::kBool},
                         {"maxProperties", 17, Kind::kInt64},
                         {"minProperties", 18, Kind::kInt64},
                         {"required", 19, Kind::kStrings},
                         {"enum", 20, Kind::kAnys},
                         {"additionalProperties", 21, Kind::kCustom, nullptr, AdditionalProperties},
                         {"type", 22, Kind::kCustom, nullptr, TypeItem},
                         {"items", 23, Kind::kCustom, nullptr, ItemsItem},
                         {"allOf", 24, Kind::kMsgs, &SchemaMsg},
                         {"properties", 25, Kind::kNamed, &SchemaMsg},
                         {"discriminator", 26, Kind::kString},
                         {"readOnly", 27, Kind::kBool},
                         {"example", 30, Kind::kAny},
                     },
                     31};
  return m;
}

// PrimitivesItems (the items of a non-body parameter).
const Msg& PrimitivesItemsMsg() {
  static const Msg m{{
                         {"type", 1, Kind::kString},
                         {"format", 2, Kind::kString},
                         {"items", 3, Kind::kMsg, &PrimitivesItemsMsg},
                         {"collectionFormat", 4, Kind::kString},
                         {"default", 5, Kind::kAny},
                         {"uniqueItems", 15, Kind::kBool},
                         {"enum", 16, Kind::kAnys},
                     },
                     18};
  return m;
}

// Query and formData parameters share one layout; path and header parameters another (they
// have no allowEmptyValue, so every later number is one lower).
Msg NonBodyLayout(bool allow_empty_value) {
  int s = allow_empty_value ? 1 : 0;
  Msg m{{
            {"required", 1, Kind::kBool},
            {"in", 2, Kind::kString},
            {"description", 3, Kind::kString},
            {"name", 4, Kind::kString},
            {"type", 5 + s, Kind::kString},
            {"format", 6 + s, Kind::kString},
            {"items", 7 + s, Kind::kMsg, &PrimitivesItemsMsg},
            {"collectionFormat", 8 + s, Kind::kString},
            {"default", 9 + s, Kind::kAny},
            {"maximum", 10 + s, Kind::kDouble},
            {"exclusiveMaximum", 11 + s, Kind::kBool},
            {"minimum", 12 + s, Kind::kDouble},
            {"exclusiveMinimum", 13 + s, Kind::kBool},
            {"maxLength", 14 + s, Kind::kInt64},
            {"minLength", 15 + s, Kind::kInt64},
            {"pattern", 16 + s, Kind::kString},
            {"maxItems", 17 + s, Kind::kInt64},
            {"minItems", 18 + s, Kind::kInt64},
            {"uniqueItems", 19 + s, Kind::kBool},
            {"enum", 20 + s, Kind::kAnys},
            {"multipleOf", 21 + s, Kind::kDouble},
        },
        22 + s};
  if (allow_empty_value) m.fields.push_back({"allowEmptyValue", 5, Kind::kBool});
  return m;
}

const Msg& BodyParameterMsg() {
  static const Msg m{{
                         {"description", 1, Kind::kString},
                         {"name", 2, Kind::kString},
                         {"in", 3, Kind::kString},
                         {"required", 4, Kind::kBool},
                         {"schema", 5, Kind::kMsg, &SchemaMsg},
                     },
                     6};
  return m;
}

// Parameter {oneof {BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2;}}
// NonBodyParameter {oneof {header = 1; form_data = 2; query = 3; path = 4;}}
std::string Parameter(const Value& v) {
  static const Msg with_empty = NonBodyLayout(true);
  static const Msg without_empty = NonBodyLayout(false);
  wire::Writer w;
  if (!v.IsObject()) return {};
  std::string in = json::GetString(v, {"in"});
  if (in == "body") {
    w.BytesField(1, Encode(v, BodyParameterMsg()));
    return std::move(w.str());
  }
  wire::Writer non_body;
  if (in == "header") {
    non_body.BytesField(1, Encode(v, without_empty));
  } else if (in == "formData") {
    non_body.BytesField(2, Encode(v, with_empty));
  } else if (in == "path") {
    non_body.BytesField(4, Encode(v, without_empty));
  } else {
    non_body.BytesField(3, Encode(v, with_empty));
  }
  w.BytesField(2, non_body.str());
  return std::move(w.str());
}

// JsonReference {string _ref = 1; string description = 2;}
std::string JsonReference(const Value& v) {
  wire::Writer w;
  w.BytesField(1, json::GetString(v, {"$ref"}));
  std::string d = json::GetString(v, {"description"});
  if (!d.empty()) w.BytesField(2, d);
  return std::move(w.str());
}

// ParametersItem {oneof {Parameter parameter = 1; JsonReference json_reference = 2;}}
std::string ParametersItem(const Value& v) {
  wire::Writer w;
  if (v.IsObject() && v.HasMember("$ref")) {
    w.BytesField(2, JsonReference(v));
  } else {
    w.BytesField(1, Parameter(v));
  }
  return std::move(w.str());
}

void ParametersList(const Value& v, int number, wire::Writer* w) {
  if (!v.IsArray()) return;
  for (const Value& p : v.GetArray()) w->BytesField(number, ParametersItem(p));
}

const Msg& ResponseMsg() {
  static const Msg m{{
                         {"description", 1, Kind::kString},
                         {"schema", 2, Kind::kCustom, nullptr, SchemaItem},
                     },
                     5};
  return m;
}

// ResponseValue {oneof {Response response = 1; JsonReference json_reference = 2;}}
std::string ResponseValue(const Value& v) {
  wire::Writer w;
  if (v.IsObject() && v.HasMember("$ref")) {
    w.BytesField(2, JsonReference(v));
  } else if (v.IsObject()) {
    w.BytesField(1, Encode(v, ResponseMsg()));
  }
  return std::move(w.str());
}

// A JSON object as repeated named pairs {name = 1, value = 2} at field `pairs`, its "x-" keys
// as vendor extensions (NamedAny) at field `ext`: Responses (pairs 1, ext 2), Paths (2, 1).
std::string NamedPairs(const Value& v, int pairs, int ext, Custom value) {
  wire::Writer w;
  if (!v.IsObject()) return {};
  for (const auto& m : v.GetObject()) {
    std::string_view key(m.name.GetString(), m.name.GetStringLength());
    if (key.substr(0, 2) == "x-") {
      w.BytesField(ext, NamedAny(key, m.value));
      continue;
    }
    wire::Writer pair;
    pair.BytesField(1, key);
    pair.BytesField(2, value(m.value));
    w.BytesField(pairs, pair.str());
  }
  return std::move(w.str());
}

std::string Responses(const Value& v) { return NamedPairs(v, 1, 2, ResponseValue); }

const Msg& OperationMsg();
const Msg& PathItemMsg();

// A message whose `parameters` key is a list of ParametersItem at field `number`, encoded by
// Encode for every other key.
std::string WithParameters(const Value& v, const Msg& m, int number) {
  std::string out = Encode(v, m);
  auto it = v.FindMember("parameters");
  if (it != v.MemberEnd()) {
    wire::Writer w;
    ParametersList(it->value, number, &w);
    out += w.str();
  }
  return out;
}

const Msg& OperationMsg() {
  static const Msg m{{
                         {"tags", 1, Kind::kStrings},
                         {"summary", 2, Kind::kString},
                         {"description", 3, Kind::kString},
                         {"operationId", 5, Kind::kString},
                         {"produces", 6, Kind::kStrings},
                         {"consumes", 7, Kind::kStrings},
                         {"responses", 9, Kind::kCustom, nullptr, Responses},
                         {"schemes", 10, Kind::kStrings},
                         {"deprecated", 11, Kind::kBool},
                     },
                     13};
  return m;
}

std::string Operation(const Value& v) { return WithParameters(v, OperationMsg(), 8); }

const Msg& PathItemMsg() {
  static const Msg m{{
                         {"$ref", 1, Kind::kString},
                         {"get", 2, Kind::kCustom, nullptr, Operation},
                         {"put", 3, Kind::kCustom, nullptr, Operation},
                         {"post", 4, Kind::kCustom, nullptr, Operation},
                         {"delete", 5, Kind::kCustom, nullptr, Operation},
                         {"options", 6, Kind::kCustom, nullptr, Operation},
                         {"head", 7, Kind::kCustom, nullptr, Operation},
                         {"patch", 8, Kind::kCustom, nullptr, Operation},
                     },
                     10};
  return m;
}

std::string PathItem(const Value& v) {
  if (!v.IsObject()) return {};
  return WithParameters(v, PathItemMsg(), 9);
}

// Paths {repeated NamedAny vendor_extension = 1; repeated NamedPathItem path = 2;}
std::string Paths(const Value& v) { return NamedPairs(v, 2, 1, PathItem); }

const Msg& InfoMsg() {
  static const Msg m{{
                         {"title", 1, Kind::kString},
                         {"version", 2, Kind::kString},
                         {"description", 3, Kind::kString},
                         {"termsOfService", 4, Kind::kString},
                     },
                     7};
  return m;
}

// SecurityDefinitionsItem: only the apiKey form (ApiKeySecurity = 2) and basic (= 1) are
// meaningful for Kubernetes; others are skipped.
std::string SecurityDefinitionsItem(const Value& v) {
  static const Msg api_key{{
                               {"type", 1, Kind::kString},
                               {"name", 2, Kind::kString},
                               {"in", 3, Kind::kString},
                               {"description", 4, Kind::kString},
                           },
                           5};
  static const Msg basic{{
                             {"type", 1, Kind::kString},
                             {"description", 2, Kind::kString},
                         },
                         3};
  wire::Writer w;
  if (!v.IsObject()) return {};
  std::string type = json::GetString(v, {"type"});
  if (type == "apiKey") w.BytesField(2, Encode(v, api_key));
  if (type == "basic") w.BytesField(1, Encode(v, basic));
  return std::move(w.str());
}

// SecurityRequirement {repeated NamedStringArray additional_properties = 1;}
// NamedStringArray {string name = 1; StringArray value = 2;}, StringArray {repeated string = 1}
std::string SecurityRequirement(const Value& v) {
  wire::Writer w;
  if (!v.IsObject()) return {};
  for (const auto& m : v.GetObject()) {
    wire::Writer pair;
    pair.BytesField(1, {m.name.GetString(), m.name.GetStringLength()});
    wire::Writer values;
    EncodeField(m.value, {"", 1, Kind::kStrings}, &values);
    pair.BytesField(2, values.str());
    w.BytesField(1, pair.str());
  }
  return std::move(w.str());
}

const Msg& DocumentMsg() {
  static const Msg m{
      {
          {"swagger", 1, Kind::kString},
          {"info", 2, Kind::kMsg, &InfoMsg},
          {"host", 3, Kind::kString},
          {"basePath", 4, Kind::kString},
          {"schemes", 5, Kind::kStrings},
          {"consumes", 6, Kind::kStrings},
          {"produces", 7, Kind::kStrings},
          {"paths", 8, Kind::kCustom, nullptr, Paths},
          {"definitions", 9, Kind::kNamed, &SchemaMsg},
          {"securityDefinitions", 13, Kind::kNamed, nullptr, SecurityDefinitionsItem},
      },
      16};
  return m;
}

}  // namespace

Result<std::string> SwaggerToGnostic(const rapidjson::Value& doc) {
  if (!doc.IsObject()) return Status(Code::kInvalid, "openapi v2: the document is not an object");
  std::string out = Encode(doc, DocumentMsg());
  // `security` is a list of SecurityRequirement (Document field 12).
  auto it = doc.FindMember("security");
  if (it != doc.MemberEnd() && it->value.IsArray()) {
    wire::Writer w;
    for (const Value& req : it->value.GetArray()) w.BytesField(12, SecurityRequirement(req));
    out += w.str();
  }
  return out;
}

}  // namespace cluster::api::openapi
