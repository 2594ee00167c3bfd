#include "server/etcd_api/etcd_json.h"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <charconv>

#include "common/base64.h"
#include "common/json.h"

namespace cluster::server::etcd {
namespace {

Status WrongType(const char* name, const char* want) {
  return BadRequest(std::string("field \"") + name + "\": expected " + want);
}

// The member, or nullptr when absent or null (the gateway treats null as unset).
const JsonValue* Member(const JsonValue& obj, const char* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

void WriteKey(JsonWriter& w, const char* name) { w.Key(name); }

void WriteString(JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

}  // namespace

int HttpStatusFor(Grpc code) {
  // grpc-gateway v1's HTTPStatusFromCode, as etcd 3.4 ships it.
  switch (code) {
    case Grpc::kInvalidArgument:
      return 400;
    case Grpc::kOutOfRange:
      return 400;
    case Grpc::kDeadlineExceeded:
      return 504;
    case Grpc::kNotFound:
      return 404;
    case Grpc::kAlreadyExists:
      return 409;
    case Grpc::kAborted:
      return 409;
    case Grpc::kResourceExhausted:
      return 429;
    case Grpc::kFailedPrecondition:
      return 412;
    case Grpc::kUnimplemented:
      return 501;
    case Grpc::kUnavailable:
      return 503;
    case Grpc::kUnknown:
    case Grpc::kInternal:
      return 500;
  }
  return 500;
}

Reply ErrorReply(Grpc code, const std::string& message) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("error");
  WriteString(w, message);
  w.Key("message");
  WriteString(w, message);
  w.Key("code");
  w.Int(static_cast<int>(code));
  w.EndObject();
  return Reply{HttpStatusFor(code), std::string(buf.GetString(), buf.GetSize())};
}

namespace {

Reply MapStoreError(const Status& st) {
  switch (st.code()) {
    case Code::kGone:
      return ErrorReply(Grpc::kOutOfRange, kErrCompacted);
    case Code::kNotFound:
      return ErrorReply(Grpc::kNotFound, "etcdserver: " + st.message());
    case Code::kAlreadyExists:
      return ErrorReply(Grpc::kFailedPrecondition, "etcdserver: " + st.message());
    case Code::kConflict:
      return ErrorReply(Grpc::kAborted, "etcdserver: " + st.message());
    case Code::kBadRequest:
    case Code::kInvalid:
      return ErrorReply(Grpc::kInvalidArgument, "etcdserver: " + st.message());
    case Code::kTooManyRequests:
      return ErrorReply(Grpc::kResourceExhausted, "etcdserver: " + st.message());
    case Code::kTooLarge:
      return ErrorReply(Grpc::kInvalidArgument, "etcdserver: request is too large");
    case Code::kTimeout:
      return ErrorReply(Grpc::kDeadlineExceeded, "etcdserver: request timed out");
    case Code::kUnavailable:
      return ErrorReply(Grpc::kUnavailable, "etcdserver: " + st.message());
    default:
      return ErrorReply(Grpc::kInternal, "etcdserver: " + st.message());
  }
}

}  // namespace

Reply StoreErrorReply(const Status& st) {
  // The store words some errors as etcd does already ("etcdserver: ..."); keep one prefix.
  const std::string& m = st.message();
  std::string text = m.rfind("etcdserver: ", 0) == 0 ? m.substr(12) : m;
  Status s(st.code(), text);
  return MapStoreError(s);
}

Result<rapidjson::Document> ParseRequest(std::string_view body) {
  // An empty body is an empty message, as the gateway reads it.
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) body = "{}";
  auto doc = json::Parse(body, 64);
  if (!doc.ok()) return doc.status();
  if (!doc->IsObject()) return BadRequest("request body must be a JSON object");
  return std::move(doc).value();
}

size_t FirstValueLength(std::string_view text) {
  // A SAX pass builds no DOM and, iterative, does not recurse on hostile nesting.
  rapidjson::MemoryStream ms(text.data(), text.size());
  rapidjson::Reader reader;
  rapidjson::BaseReaderHandler<> skip;
  reader.Parse<rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseIterativeFlag>(ms, skip);
  return reader.HasParseError() ? 0 : ms.Tell();
}

Status GetBytes(const JsonValue& obj, const char* name, std::string* out) {
  const JsonValue* v = Member(obj, name);
  if (v == nullptr) return Status::Ok();
  if (!v->IsString()) return WrongType(name, "a base64 string");
  auto decoded = Base64Decode(std::string_view(v->GetString(), v->GetStringLength()));
  if (!decoded) return BadRequest(std::string("field \"") + name + "\": illegal base64 data");
  *out = std::move(*decoded);
  return Status::Ok();
}

Status GetInt64(const JsonValue& obj, const char* name, int64_t* out) {
  const JsonValue* v = Member(obj, name);
  if (v == nullptr) return Status::Ok();
  if (v->IsInt64()) {
    *out = v->GetInt64();
    return Status::Ok();
  }
  if (v->IsString()) {
    const char* b = v->GetString();
    const char* e = b + v->GetStringLength();
    int64_t n = 0;
    auto [p, ec] = std::from_chars(b, e, n);
    if (ec == std::errc() && p == e && b != e) {
      *out = n;
      return Status::Ok();
    }
  }
  return WrongType(name, "an int64 (number or decimal string)");
}

Status GetBool(const JsonValue& obj, const char* name, bool* out) {
  const JsonValue* v = Member(obj, name);
  if (v == nullptr) return Status::Ok();
  if (!v->IsBool()) return WrongType(name, "a boolean");
  *out = v->GetBool();
  return Status::Ok();
}

Status GetEnum(const JsonValue& obj, const char* name, std::initializer_list<const char*> names,
               int* out) {
  const JsonValue* v = Member(obj, name);
  if (v == nullptr) return Status::Ok();
  if (v->IsInt()) {
    *out = v->GetInt();  // the gateway accepts unknown numbers too; callers range-check
    return Status::Ok();
  }
  if (v->IsString()) {
    int i = 0;
    for (const char* n : names) {
      if (std::string_view(n) == v->GetString()) {
        *out = i;
        return Status::Ok();
      }
      ++i;
    }
    return BadRequest(std::string("field \"") + name + "\": unknown value \"" + v->GetString() +
                      "\"");
  }
  return WrongType(name, "an enum name or number");
}

Result<const JsonValue*> GetObject(const JsonValue& obj, const char* name) {
  const JsonValue* v = Member(obj, name);
  if (v != nullptr && !v->IsObject()) return WrongType(name, "an object");
  return v;
}

Result<const JsonValue*> GetArray(const JsonValue& obj, const char* name) {
  const JsonValue* v = Member(obj, name);
  if (v != nullptr && !v->IsArray()) return WrongType(name, "an array");
  return v;
}

void WriteInt(JsonWriter& w, const char* name, int64_t v) {
  if (v == 0) return;
  WriteKey(w, name);
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  (void)ec;
  w.String(buf, static_cast<rapidjson::SizeType>(p - buf));
}

void WriteBytes(JsonWriter& w, const char* name, std::string_view v) {
  if (v.empty()) return;
  WriteKey(w, name);
  WriteString(w, Base64Encode(v));
}

void WriteBool(JsonWriter& w, const char* name, bool v) {
  if (!v) return;
  WriteKey(w, name);
  w.Bool(true);
}

void WriteHeader(JsonWriter& w, int64_t revision) {
  w.Key("header");
  w.StartObject();
  // uint64 ids are written as their decimal string, like int64s.
  w.Key("cluster_id");
  std::string id = std::to_string(kClusterId);
  WriteString(w, id);
  w.Key("member_id");
  id = std::to_string(kMemberId);
  WriteString(w, id);
  WriteInt(w, "revision", revision);
  WriteInt(w, "raft_term", kRaftTerm);
  w.EndObject();
}

void WriteKv(JsonWriter& w, const store::KeyValue& kv) {
  w.StartObject();
  WriteBytes(w, "key", kv.key);
  WriteInt(w, "create_revision", kv.create_revision);
  WriteInt(w, "mod_revision", kv.mod_revision);
  WriteInt(w, "version", kv.version);
  WriteBytes(w, "value", kv.value);
  WriteInt(w, "lease", kv.lease);
  w.EndObject();
}

void WriteEvent(JsonWriter& w, const store::Event& ev) {
  w.StartObject();
  // PUT is the enum's zero value, so the gateway leaves it out.
  if (ev.type == store::Event::Type::kDelete) {
    w.Key("type");
    w.String("DELETE");
  }
  w.Key("kv");
  if (ev.type == store::Event::Type::kDelete) {
    // etcd's tombstone carries only the key and the delete's revision.
    store::KeyValue tomb;
    tomb.key = ev.kv.key;
    tomb.mod_revision = ev.kv.mod_revision;
    WriteKv(w, tomb);
  } else {
    WriteKv(w, ev.kv);
  }
  if (ev.prev_kv) {
    w.Key("prev_kv");
    WriteKv(w, *ev.prev_kv);
  }
  w.EndObject();
}

}  // namespace cluster::server::etcd
