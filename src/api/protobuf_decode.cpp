// Protobuf → JSON, driven by the schema table. Values are decoded into the JSON members present
// on the wire; NormalizeAsGo then gives the result Go's JSON shape.
#include <cmath>
#include <cstring>

#include "api/protobuf.h"
#include "api/protobuf_wire.h"
#include "common/base64.h"

namespace cluster::api {
namespace {

using schema::Field;
using schema::Scalar;
using schema::Shape;
using schema::Type;

// Go's encoding/json writes invalid UTF-8 as U+FFFD, one per bad byte.
std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    uint8_t c = static_cast<uint8_t>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (int k = 1; ok && k < len; ++k) {
      uint8_t cc = static_cast<uint8_t>(s[i + k]);
      ok = (cc & 0xc0) == 0x80;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (ok) {
      static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= kMin[len] && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out.append("\xef\xbf\xbd");
      ++i;
    }
  }
  return out;
}

// Wire type of one value (a list element or a map value) of `f`.
int ValueWire(const Field& f) {
  switch (f.scalar) {
    case Scalar::kInt32:
    case Scalar::kInt64:
    case Scalar::kBool:
      return schema::kVarint;
    case Scalar::kDouble:
      return schema::kFixed64;
    default:
      return schema::kLengthDelimited;
  }
}

class Decoder {
 public:
  explicit Decoder(json::Allocator& alloc) : alloc_(alloc) {}

  // Decodes `bytes` (a message of `type`) into the JSON object `obj`, merging with what is
  // there (protobuf merge semantics: a repeated message field merges into the last one).
  Status Message(const Type& type, std::string_view bytes, json::Value& obj, int depth) {
    if (depth > kMaxProtobufDepth) {
      return BadRequest("protobuf: nesting deeper than " + std::to_string(kMaxProtobufDepth));
    }
    if (!obj.IsObject()) obj.SetObject();
    wire::Reader r(bytes);
    while (!r.done()) {
      int number = 0, wt = 0;
      RETURN_IF_ERROR(r.ReadTag(&number, &wt));
      const Field* f = type.FieldByNumber(number);
      if (f == nullptr) {
        RETURN_IF_ERROR(r.Skip(wt));
        continue;
      }
      Status st = FieldValue(*f, wt, r, obj, depth);
      if (!st.ok()) return Prefix(type, *f, st);
    }
    return Status::Ok();
  }

 private:
  static Status Prefix(const Type& type, const Field& f, const Status& st) {
    return BadRequest(type.short_name + "." + f.json_name + ": " + st.message());
  }

  Status FieldValue(const Field& f, int wt, wire::Reader& r, json::Value& obj, int depth) {
    if (f.inline_json) {
      std::string_view bytes;
      RETURN_IF_ERROR(ExpectWire(wt, schema::kLengthDelimited));
      RETURN_IF_ERROR(r.ReadLengthDelimited(&bytes));
      return Message(*f.message, bytes, obj, depth + 1);
    }
    json::Value name(rapidjson::StringRef(f.json_name.data(), f.json_name.size()));
    auto member = obj.FindMember(name);
    if (f.shape == Shape::kMap) {
      std::string_view entry;
      RETURN_IF_ERROR(ExpectWire(wt, schema::kLengthDelimited));
      RETURN_IF_ERROR(r.ReadLengthDelimited(&entry));
      json::Value& map = Slot(obj, member, name, rapidjson::kObjectType);
      return MapEntry(f, entry, map, depth);
    }
    if (f.shape == Shape::kRepeated) {
      json::Value& list = Slot(obj, member, name, rapidjson::kArrayType);
      if (wt == schema::kLengthDelimited && ValueWire(f) != schema::kLengthDelimited) {
        return Packed(f, r, list);
      }
      json::Value v;
      RETURN_IF_ERROR(Value(f, wt, r, nullptr, v, depth));
      list.PushBack(v, alloc_);
      return Status::Ok();
    }
    json::Value* existing = member != obj.MemberEnd() ? &member->value : nullptr;
    json::Value v;
    RETURN_IF_ERROR(Value(f, wt, r, existing, v, depth));
    if (existing != nullptr) {
      existing->Swap(v);
    } else {
      obj.AddMember(json::Value(f.json_name.data(), f.json_name.size(), alloc_), v, alloc_);
    }
    return Status::Ok();
  }

  json::Value& Slot(json::Value& obj, json::Value::MemberIterator member, json::Value& name,
                    rapidjson::Type kind) {
    if (member != obj.MemberEnd()) {
      if (member->value.GetType() != kind) member->value = json::Value(kind);
      return member->value;
    }
    obj.AddMember(json::Value(name.GetString(), name.GetStringLength(), alloc_), json::Value(kind),
                  alloc_);
    return obj.MemberEnd()[-1].value;
  }

  static Status ExpectWire(int got, int want) {
    if (got == want) return Status::Ok();
    return BadRequest("wire type " + std::to_string(got) + ", expected " + std::to_string(want));
  }

  Status Packed(const Field& f, wire::Reader& r, json::Value& list) {
    std::string_view bytes;
    RETURN_IF_ERROR(r.ReadLengthDelimited(&bytes));
    wire::Reader packed(bytes);
    while (!packed.done()) {
      json::Value v;
      RETURN_IF_ERROR(Value(f, ValueWire(f), packed, nullptr, v, 0));
      list.PushBack(v, alloc_);
    }
    return Status::Ok();
  }

  Status MapEntry(const Field& f, std::string_view entry, json::Value& map, int depth) {
    wire::Reader r(entry);
    std::string key;
    json::Value value;
    bool have_value = false;
    while (!r.done()) {
      int number = 0, wt = 0;
      RETURN_IF_ERROR(r.ReadTag(&number, &wt));
      if (number == 1) {
        std::string_view k;
        RETURN_IF_ERROR(ExpectWire(wt, schema::kLengthDelimited));
        RETURN_IF_ERROR(r.ReadLengthDelimited(&k));
        key = SanitizeUtf8(k);
      } else if (number == 2) {
        RETURN_IF_ERROR(Value(f, wt, r, nullptr, value, depth));
        have_value = true;
      } else {
        RETURN_IF_ERROR(r.Skip(wt));
      }
    }
    if (!have_value) RETURN_IF_ERROR(ZeroMapValue(f, value, depth));
    json::Value k(key.data(), key.size(), alloc_);
    auto it = map.FindMember(k);
    if (it != map.MemberEnd()) {
      it->value.Swap(value);
    } else {
      map.AddMember(k, value, alloc_);
    }
    return Status::Ok();
  }

  // A map entry without a value holds the value type's zero value.
  Status ZeroMapValue(const Field& f, json::Value& out, int depth) {
    wire::Reader empty("");
    switch (f.scalar) {
      case Scalar::kString:
      case Scalar::kBytes:
        out.SetString("", 0, alloc_);
        return Status::Ok();
      case Scalar::kQuantity:
        out.SetString("0", 1, alloc_);
        return Status::Ok();
      case Scalar::kMessage:
        if (f.message->wrapper) {
          out.SetArray();
          return Status::Ok();
        }
        return Message(*f.message, "", out, depth + 1);
      default:
        out.SetInt(0);
        return Status::Ok();
    }
  }

  // Decodes one value of `f`'s element type. `existing` is the current value for merging.
  Status Value(const Field& f, int wt, wire::Reader& r, json::Value* existing, json::Value& out,
               int depth) {
    RETURN_IF_ERROR(ExpectWire(wt, ValueWire(f)));
    uint64_t n = 0;
    std::string_view bytes;
    switch (f.scalar) {
      case Scalar::kInt32:
        RETURN_IF_ERROR(r.ReadVarint(&n));
        out.SetInt(static_cast<int32_t>(static_cast<uint32_t>(n)));
        return Status::Ok();
      case Scalar::kInt64:
        RETURN_IF_ERROR(r.ReadVarint(&n));
        out.SetInt64(static_cast<int64_t>(n));
        return Status::Ok();
      case Scalar::kBool:
        RETURN_IF_ERROR(r.ReadVarint(&n));
        out.SetBool(n != 0);
        return Status::Ok();
      case Scalar::kDouble: {
        RETURN_IF_ERROR(r.ReadFixed(8, &n));
        double d;
        std::memcpy(&d, &n, sizeof d);
        if (!std::isfinite(d)) return BadRequest("non-finite number");
        out.SetDouble(d);
        return Status::Ok();
      }
      default:
        break;
    }
    RETURN_IF_ERROR(r.ReadLengthDelimited(&bytes));
    switch (f.scalar) {
      case Scalar::kString: {
        std::string s = SanitizeUtf8(bytes);
        out.SetString(s.data(), s.size(), alloc_);
        return Status::Ok();
      }
      case Scalar::kBytes: {
        std::string s = Base64Encode(bytes);
        out.SetString(s.data(), s.size(), alloc_);
        return Status::Ok();
      }
      case Scalar::kMessage:
        if (f.message->wrapper) return Wrapper(*f.message, bytes, out, depth);
        if (existing != nullptr && existing->IsObject()) out.Swap(*existing);
        return Message(*f.message, bytes, out, depth + 1);
      case Scalar::kIntOrString:
        return IntOrString(bytes, out);
      case Scalar::kQuantity:
        return Quantity(bytes, out);
      case Scalar::kTime:
      case Scalar::kMicroTime:
        return Time(bytes, f.scalar == Scalar::kMicroTime, out);
      case Scalar::kRawExtension:
      case Scalar::kFieldsV1:
        return EmbeddedJson(bytes, out, depth);
      case Scalar::kDuration:
        return BadRequest("Duration fields are not supported");
      default:
        return Internal("unhandled scalar");
    }
  }

  Status Wrapper(const Type& type, std::string_view bytes, json::Value& out, int depth) {
    json::Value holder(rapidjson::kObjectType);
    RETURN_IF_ERROR(Message(type, bytes, holder, depth + 1));
    const std::string& items = type.fields[0].json_name;
    auto it = holder.FindMember(json::Value(rapidjson::StringRef(items.data(), items.size())));
    if (it != holder.MemberEnd()) {
      out.Swap(it->value);
    } else {
      out.SetArray();
    }
    return Status::Ok();
  }

  // Reads the small fixed messages (IntOrString, Quantity, Time) field by field.
  template <typename Fn>
  static Status Fields(std::string_view bytes, Fn&& fn) {
    wire::Reader r(bytes);
    while (!r.done()) {
      int number = 0, wt = 0;
      RETURN_IF_ERROR(r.ReadTag(&number, &wt));
      bool handled = false;
      RETURN_IF_ERROR(fn(number, wt, r, &handled));
      if (!handled) RETURN_IF_ERROR(r.Skip(wt));
    }
    return Status::Ok();
  }

  Status IntOrString(std::string_view bytes, json::Value& out) {
    uint64_t type = 0, int_val = 0;
    std::string str;
    RETURN_IF_ERROR(Fields(bytes, [&](int n, int wt, wire::Reader& r, bool* handled) -> Status {
      if (n < 1 || n > 3) return Status::Ok();
      *handled = true;
      if (n == 3) {
        std::string_view s;
        RETURN_IF_ERROR(ExpectWire(wt, schema::kLengthDelimited));
        RETURN_IF_ERROR(r.ReadLengthDelimited(&s));
        str = SanitizeUtf8(s);
        return Status::Ok();
      }
      RETURN_IF_ERROR(ExpectWire(wt, schema::kVarint));
      return r.ReadVarint(n == 1 ? &type : &int_val);
    }));
    if (type == 0) {
      out.SetInt(static_cast<int32_t>(static_cast<uint32_t>(int_val)));
    } else if (type == 1) {
      out.SetString(str.data(), str.size(), alloc_);
    } else {
      return BadRequest("IntOrString with unknown type " + std::to_string(type));
    }
    return Status::Ok();
  }

  Status Quantity(std::string_view bytes, json::Value& out) {
    std::string value = "0";
    RETURN_IF_ERROR(Fields(bytes, [&](int n, int wt, wire::Reader& r, bool* handled) -> Status {
      if (n != 1) return Status::Ok();
      *handled = true;
      std::string_view s;
      RETURN_IF_ERROR(ExpectWire(wt, schema::kLengthDelimited));
      RETURN_IF_ERROR(r.ReadLengthDelimited(&s));
      value = std::string(s);
      return Status::Ok();
    }));
    if (value.empty() || value.size() > 64 ||
        value.find_first_not_of("0123456789+-.eEkMGTPnumiKm") != std::string::npos) {
      return BadRequest("invalid quantity '" + SanitizeUtf8(value) + "'");
    }
    out.SetString(value.data(), value.size(), alloc_);
    return Status::Ok();
  }

  Status Time(std::string_view bytes, bool micro, json::Value& out) {
    uint64_t seconds = 0, nanos = 0;
    RETURN_IF_ERROR(Fields(bytes, [&](int n, int wt, wire::Reader& r, bool* handled) -> Status {
      if (n != 1 && n != 2) return Status::Ok();
      *handled = true;
      RETURN_IF_ERROR(ExpectWire(wt, schema::kVarint));
      return r.ReadVarint(n == 1 ? &seconds : &nanos);
    }));
    constexpr int64_t kGoZeroTime = -62135596800;  // 0001-01-01T00:00:00Z, Go's zero time
    int64_t s = static_cast<int64_t>(seconds);
    int32_t ns = static_cast<int32_t>(static_cast<uint32_t>(nanos));
    // metav1.Time keeps whole seconds only (its Unmarshal drops nanos).
    if (!micro) ns = 0;
    if (ns < 0 || ns >= 1000000000) return BadRequest("timestamp nanos out of range");
    if (bytes.empty() || (s == kGoZeroTime && ns == 0)) {
      out.SetNull();
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(std::string text, FormatRfc3339(s, ns, micro));
    out.SetString(text.data(), text.size(), alloc_);
    return Status::Ok();
  }

  Status EmbeddedJson(std::string_view bytes, json::Value& out, int depth) {
    std::string_view raw;
    RETURN_IF_ERROR(Fields(bytes, [&](int n, int wt, wire::Reader& r, bool* handled) -> Status {
      if (n != 1) return Status::Ok();
      *handled = true;
      RETURN_IF_ERROR(ExpectWire(wt, schema::kLengthDelimited));
      return r.ReadLengthDelimited(&raw);
    }));
    if (raw.empty()) {
      out.SetNull();
      return Status::Ok();
    }
    auto parsed = json::Parse(raw, std::max(1, 2 * kMaxProtobufDepth - depth));
    if (!parsed.ok())
      return BadRequest("embedded object is not JSON: " + parsed.status().message());
    out.CopyFrom(*parsed, alloc_);
    return Status::Ok();
  }

  json::Allocator& alloc_;
};

struct Envelope {
  std::string api_version, kind, content_encoding, content_type;
  std::string_view raw;
};

Result<Envelope> ReadEnvelope(std::string_view body) {
  if (body.size() < kProtobufMagic.size() || body.substr(0, 4) != kProtobufMagic) {
    return BadRequest("protobuf body does not start with the k8s\\0 prefix");
  }
  Envelope env;
  wire::Reader r(body.substr(4));
  while (!r.done()) {
    int number = 0, wt = 0;
    RETURN_IF_ERROR(r.ReadTag(&number, &wt));
    if (number < 1 || number > 4) {
      RETURN_IF_ERROR(r.Skip(wt));
      continue;
    }
    if (wt != schema::kLengthDelimited) return BadRequest("protobuf: bad envelope wire type");
    std::string_view bytes;
    RETURN_IF_ERROR(r.ReadLengthDelimited(&bytes));
    if (number == 1) {
      wire::Reader tm(bytes);
      while (!tm.done()) {
        int n = 0, w = 0;
        RETURN_IF_ERROR(tm.ReadTag(&n, &w));
        std::string_view s;
        if ((n == 1 || n == 2) && w == schema::kLengthDelimited) {
          RETURN_IF_ERROR(tm.ReadLengthDelimited(&s));
          (n == 1 ? env.api_version : env.kind) = SanitizeUtf8(s);
        } else {
          RETURN_IF_ERROR(tm.Skip(w));
        }
      }
    } else if (number == 2) {
      env.raw = bytes;
    } else {
      (number == 3 ? env.content_encoding : env.content_type) = SanitizeUtf8(bytes);
    }
  }
  return env;
}

}  // namespace

Result<json::Document> DecodeProtobufMessage(const schema::Type& type, std::string_view bytes) {
  json::Document doc(rapidjson::kObjectType);
  Decoder decoder(doc.GetAllocator());
  RETURN_IF_ERROR(decoder.Message(type, bytes, doc, 0));
  NormalizeAsGo(type, doc, doc.GetAllocator());
  return doc;
}

Result<json::Document> DecodeProtobufObject(std::string_view body) {
  ASSIGN_OR_RETURN(Envelope env, ReadEnvelope(body));
  if (!env.content_encoding.empty()) {
    return BadRequest("protobuf: unsupported contentEncoding '" + env.content_encoding + "'");
  }
  if (!env.content_type.empty() && env.content_type != "application/vnd.kubernetes.protobuf") {
    return BadRequest("protobuf: unsupported contentType '" + env.content_type + "'");
  }
  if (env.kind.empty() || env.api_version.empty()) {
    return BadRequest("protobuf: object has no apiVersion or kind");
  }
  const schema::Type* type = schema::Schema::Get().FindKindByApiVersion(env.api_version, env.kind);
  if (type == nullptr) {
    return BadRequest("no kind \"" + env.kind + "\" is registered for version \"" +
                      env.api_version + "\" in protobuf");
  }
  json::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("apiVersion", json::Value(env.api_version.c_str(), a), a);
  doc.AddMember("kind", json::Value(env.kind.c_str(), a), a);
  Decoder decoder(a);
  RETURN_IF_ERROR(decoder.Message(*type, env.raw, doc, 0));
  NormalizeAsGo(*type, doc, a);
  return doc;
}

}  // namespace cluster::api
