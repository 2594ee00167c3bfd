// /v3/lease/{grant,revoke,keepalive,timetolive,leases} and /v3/maintenance/status.
// Lease messages use etcd's proto names "ID", "TTL", "grantedTTL" (not snake_case).
#include "common/base64.h"
#include "server/etcd_api/handlers.h"

namespace cluster::server::etcd {
namespace {

constexpr int64_t kMaxLeaseTtl = 9000000000;  // etcd's MaxLeaseTTL

Reply LeaseError(const Status& st) {
  if (st.code() == Code::kNotFound) return ErrorReply(Grpc::kNotFound, kErrLeaseNotFound);
  if (st.code() == Code::kAlreadyExists)
    return ErrorReply(Grpc::kFailedPrecondition, "etcdserver: lease already exists");
  return StoreErrorReply(st);
}

Result<int64_t> ParseId(std::string_view body, rapidjson::Document* doc) {
  auto parsed = ParseRequest(body);
  if (!parsed.ok()) return parsed.status();
  *doc = std::move(parsed).value();
  int64_t id = 0;
  RETURN_IF_ERROR(GetInt64(*doc, "ID", &id));
  return id;
}

// One keepalive answer: {"result":{header, ID, TTL}}; TTL is left out (0) for a dead lease.
void WriteKeepAliveLine(store::Store* s, int64_t id, std::string* out) {
  auto ttl = s->LeaseKeepAlive(id);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  w.Key("result");
  w.StartObject();
  WriteHeader(w, s->CurrentRevision());
  WriteInt(w, "ID", id);
  WriteInt(w, "TTL", ttl.ok() ? *ttl : 0);
  w.EndObject();
  w.EndObject();
  out->append(buf.GetString(), buf.GetSize());
  out->push_back('\n');
}

}  // namespace

Reply HandleLeaseGrant(store::Store* s, std::string_view body) {
  auto doc = ParseRequest(body);
  if (!doc.ok()) return ErrorReply(Grpc::kInvalidArgument, doc.status().message());
  int64_t ttl = 0, id = 0;
  Status st = GetInt64(*doc, "TTL", &ttl);
  if (st.ok()) st = GetInt64(*doc, "ID", &id);
  if (!st.ok()) return ErrorReply(Grpc::kInvalidArgument, st.message());
  if (ttl > kMaxLeaseTtl) return ErrorReply(Grpc::kOutOfRange, "etcdserver: too large lease TTL");
  auto granted = s->LeaseGrant(ttl, id);
  if (!granted.ok()) return LeaseError(granted.status());
  auto info = s->LeaseTimeToLive(*granted, false);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  WriteHeader(w, s->CurrentRevision());
  WriteInt(w, "ID", *granted);
  WriteInt(w, "TTL", info.ok() ? info->granted_ttl : ttl);
  w.EndObject();
  return OkReply(buf);
}

Reply HandleLeaseRevoke(store::Store* s, std::string_view body) {
  rapidjson::Document doc;
  auto id = ParseId(body, &doc);
  if (!id.ok()) return ErrorReply(Grpc::kInvalidArgument, id.status().message());
  Status st = s->LeaseRevoke(*id);
  if (!st.ok()) return LeaseError(st);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  WriteHeader(w, s->CurrentRevision());
  w.EndObject();
  return OkReply(buf);
}

Reply HandleLeaseKeepAlive(store::Store* s, std::string_view body) {
  // The body is a stream of request objects; answer each in order.
  std::string out;
  size_t pos = 0;
  while (body.find_first_not_of(" \t\r\n", pos) != std::string_view::npos) {
    size_t len = FirstValueLength(body.substr(pos));
    if (len == 0)
      return ErrorReply(Grpc::kInvalidArgument, "lease keepalive: malformed request object");
    auto doc = ParseRequest(body.substr(pos, len));
    pos += len;
    int64_t id = 0;
    Status st = doc.ok() ? GetInt64(*doc, "ID", &id) : doc.status();
    if (!st.ok()) return ErrorReply(Grpc::kInvalidArgument, st.message());
    WriteKeepAliveLine(s, id, &out);
  }
  if (out.empty()) return ErrorReply(Grpc::kInvalidArgument, "lease keepalive: no request");
  return Reply{200, std::move(out)};
}

Reply HandleLeaseTimeToLive(store::Store* s, std::string_view body) {
  rapidjson::Document doc;
  auto id = ParseId(body, &doc);
  bool keys = false;
  Status st = id.ok() ? GetBool(doc, "keys", &keys) : id.status();
  if (!st.ok()) return ErrorReply(Grpc::kInvalidArgument, st.message());
  auto info = s->LeaseTimeToLive(*id, keys);
  if (!info.ok() && info.status().code() != Code::kNotFound) return LeaseError(info.status());
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  WriteHeader(w, s->CurrentRevision());
  WriteInt(w, "ID", *id);
  // etcd answers an unknown lease with TTL -1 rather than an error.
  WriteInt(w, "TTL", info.ok() ? info->ttl : -1);
  if (info.ok()) {
    WriteInt(w, "grantedTTL", info->granted_ttl);
    if (keys && !info->keys.empty()) {
      w.Key("keys");
      w.StartArray();
      for (const auto& k : info->keys) w.String(Base64Encode(k));
      w.EndArray();
    }
  }
  w.EndObject();
  return OkReply(buf);
}

Reply HandleLeaseLeases(store::Store* s, std::string_view body) {
  auto doc = ParseRequest(body);
  if (!doc.ok()) return ErrorReply(Grpc::kInvalidArgument, doc.status().message());
  auto leases = s->Leases();
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  WriteHeader(w, s->CurrentRevision());
  if (!leases.empty()) {
    w.Key("leases");
    w.StartArray();
    for (const auto& l : leases) {
      w.StartObject();
      WriteInt(w, "ID", l.id);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return OkReply(buf);
}

Reply HandleStatus(store::Store* s, std::string_view body) {
  auto doc = ParseRequest(body);
  if (!doc.ok()) return ErrorReply(Grpc::kInvalidArgument, doc.status().message());
  store::StoreStatus st = s->GetStatus();
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  WriteHeader(w, st.revision);
  w.Key("version");
  w.String(kVersion);
  WriteInt(w, "dbSize", st.db_size);
  w.Key("leader");
  w.String(std::to_string(kMemberId));
  // No raft: the revision stands in for the raft index, which grows with every write too.
  WriteInt(w, "raftIndex", st.revision);
  WriteInt(w, "raftTerm", kRaftTerm);
  WriteInt(w, "raftAppliedIndex", st.revision);
  WriteInt(w, "dbSizeInUse", st.db_size_in_use);
  w.EndObject();
  return OkReply(buf);
}

}  // namespace cluster::server::etcd
