// /v3/kv/range, /v3/kv/put, /v3/kv/deleterange, /v3/kv/compaction.
#include <algorithm>

#include "server/etcd_api/handlers.h"

namespace cluster::server::etcd {
namespace {

Status NeedKey(const std::string& key) {
  return key.empty() ? BadRequest(kErrNoKey) : Status::Ok();
}

// A bad-request Status from parsing becomes InvalidArgument with the parser's text.
Reply ParseError(const Status& st) { return ErrorReply(Grpc::kInvalidArgument, st.message()); }

int64_t SortValue(const store::KeyValue& kv, int target) {
  switch (target) {
    case 1:
      return kv.version;
    case 2:
      return kv.create_revision;
    case 3:
      return kv.mod_revision;
    default:
      return 0;
  }
}

bool OutsideBounds(const RangeExtras& x, const store::KeyValue& kv) {
  return (x.min_mod_revision && kv.mod_revision < x.min_mod_revision) ||
         (x.max_mod_revision && kv.mod_revision > x.max_mod_revision) ||
         (x.min_create_revision && kv.create_revision < x.min_create_revision) ||
         (x.max_create_revision && kv.create_revision > x.max_create_revision);
}

}  // namespace

bool RangeExtras::Needed() const {
  bool sorted_by_key = sort_target == 0 && (sort_order == 0 || sort_order == 1);
  return !sorted_by_key || min_mod_revision || max_mod_revision || min_create_revision ||
         max_create_revision;
}

Status ParseRange(const JsonValue& obj, store::RangeRequest* req, RangeExtras* x) {
  RETURN_IF_ERROR(GetBytes(obj, "key", &req->key));
  RETURN_IF_ERROR(GetBytes(obj, "range_end", &req->range_end));
  RETURN_IF_ERROR(GetInt64(obj, "limit", &req->limit));
  RETURN_IF_ERROR(GetInt64(obj, "revision", &req->revision));
  RETURN_IF_ERROR(GetEnum(obj, "sort_order", {"NONE", "ASCEND", "DESCEND"}, &x->sort_order));
  RETURN_IF_ERROR(
      GetEnum(obj, "sort_target", {"KEY", "VERSION", "CREATE", "MOD", "VALUE"}, &x->sort_target));
  bool serializable = false;  // one member: every read is linearizable
  RETURN_IF_ERROR(GetBool(obj, "serializable", &serializable));
  RETURN_IF_ERROR(GetBool(obj, "keys_only", &req->keys_only));
  RETURN_IF_ERROR(GetBool(obj, "count_only", &req->count_only));
  RETURN_IF_ERROR(GetInt64(obj, "min_mod_revision", &x->min_mod_revision));
  RETURN_IF_ERROR(GetInt64(obj, "max_mod_revision", &x->max_mod_revision));
  RETURN_IF_ERROR(GetInt64(obj, "min_create_revision", &x->min_create_revision));
  RETURN_IF_ERROR(GetInt64(obj, "max_create_revision", &x->max_create_revision));
  if (x->sort_order < 0 || x->sort_order > 2 || x->sort_target < 0 || x->sort_target > 4)
    return BadRequest("etcdserver: invalid sort option");
  if (req->limit < 0) req->limit = 0;
  x->limit = req->limit;
  if (x->Needed()) req->limit = 0;  // sort/filter first, limit after
  return NeedKey(req->key);
}

void ApplyExtras(const RangeExtras& x, store::RangeResponse* resp) {
  auto& kvs = resp->kvs;
  kvs.erase(std::remove_if(kvs.begin(), kvs.end(),
                           [&](const store::KeyValue& kv) { return OutsideBounds(x, kv); }),
            kvs.end());
  // etcd: a target other than KEY with order NONE means ascending.
  int order = (x.sort_order == 0 && x.sort_target != 0) ? 1 : x.sort_order;
  if (order != 0) {
    std::stable_sort(
        kvs.begin(), kvs.end(), [&](const store::KeyValue& a, const store::KeyValue& b) {
          bool less = x.sort_target == 0 ? a.key < b.key
                      : x.sort_target == 4
                          ? a.value < b.value
                          : SortValue(a, x.sort_target) < SortValue(b, x.sort_target);
          bool greater = x.sort_target == 0 ? b.key < a.key
                         : x.sort_target == 4
                             ? b.value < a.value
                             : SortValue(b, x.sort_target) < SortValue(a, x.sort_target);
          return order == 2 ? greater : less;
        });
  }
  if (x.limit > 0 && static_cast<int64_t>(kvs.size()) > x.limit) {
    kvs.resize(x.limit);
    resp->more = true;
  }
}

Status ParsePut(const JsonValue& obj, store::PutRequest* req) {
  RETURN_IF_ERROR(GetBytes(obj, "key", &req->key));
  RETURN_IF_ERROR(GetBytes(obj, "value", &req->value));
  RETURN_IF_ERROR(GetInt64(obj, "lease", &req->lease));
  RETURN_IF_ERROR(GetBool(obj, "prev_kv", &req->prev_kv));
  RETURN_IF_ERROR(GetBool(obj, "ignore_value", &req->ignore_value));
  RETURN_IF_ERROR(GetBool(obj, "ignore_lease", &req->ignore_lease));
  if (req->ignore_value && !req->value.empty()) return BadRequest("etcdserver: value is provided");
  if (req->ignore_lease && req->lease != 0) return BadRequest("etcdserver: lease is provided");
  return NeedKey(req->key);
}

Status ParseDelete(const JsonValue& obj, store::DeleteRequest* req) {
  RETURN_IF_ERROR(GetBytes(obj, "key", &req->key));
  RETURN_IF_ERROR(GetBytes(obj, "range_end", &req->range_end));
  RETURN_IF_ERROR(GetBool(obj, "prev_kv", &req->prev_kv));
  return NeedKey(req->key);
}

void WriteRangeFields(JsonWriter& w, const store::RangeResponse& r) {
  if (!r.kvs.empty()) {
    w.Key("kvs");
    w.StartArray();
    for (const auto& kv : r.kvs) WriteKv(w, kv);
    w.EndArray();
  }
  WriteBool(w, "more", r.more);
  WriteInt(w, "count", r.count);
}

void WritePutFields(JsonWriter& w, const store::PutResponse& r) {
  if (!r.prev_kv) return;
  w.Key("prev_kv");
  WriteKv(w, *r.prev_kv);
}

void WriteDeleteFields(JsonWriter& w, const store::DeleteResponse& r) {
  WriteInt(w, "deleted", r.deleted);
  if (r.prev_kvs.empty()) return;
  w.Key("prev_kvs");
  w.StartArray();
  for (const auto& kv : r.prev_kvs) WriteKv(w, kv);
  w.EndArray();
}

Reply OkReply(const rapidjson::StringBuffer& buf) {
  return Reply{200, std::string(buf.GetString(), buf.GetSize())};
}

Reply HandleRange(store::Store* s, std::string_view body) {
  auto doc = ParseRequest(body);
  if (!doc.ok()) return ParseError(doc.status());
  store::RangeRequest req;
  RangeExtras extras;
  Status st = ParseRange(*doc, &req, &extras);
  if (!st.ok()) return ParseError(st);
  if (req.revision > s->CurrentRevision()) return ErrorReply(Grpc::kOutOfRange, kErrFutureRev);
  auto resp = s->Range(req);
  if (!resp.ok()) return StoreErrorReply(resp.status());
  if (extras.Needed()) ApplyExtras(extras, &resp.value());
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  WriteHeader(w, resp->revision);
  WriteRangeFields(w, *resp);
  w.EndObject();
  return OkReply(buf);
}

Reply HandlePut(store::Store* s, std::string_view body) {
  auto doc = ParseRequest(body);
  if (!doc.ok()) return ParseError(doc.status());
  store::PutRequest req;
  Status st = ParsePut(*doc, &req);
  if (!st.ok()) return ParseError(st);
  auto resp = s->Put(req);
  if (!resp.ok()) return StoreErrorReply(resp.status());
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  WriteHeader(w, resp->revision);
  WritePutFields(w, *resp);
  w.EndObject();
  return OkReply(buf);
}

Reply HandleDeleteRange(store::Store* s, std::string_view body) {
  auto doc = ParseRequest(body);
  if (!doc.ok()) return ParseError(doc.status());
  store::DeleteRequest req;
  Status st = ParseDelete(*doc, &req);
  if (!st.ok()) return ParseError(st);
  auto resp = s->Delete(req);
  if (!resp.ok()) return StoreErrorReply(resp.status());
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  WriteHeader(w, resp->revision);
  WriteDeleteFields(w, *resp);
  w.EndObject();
  return OkReply(buf);
}

Reply HandleCompaction(store::Store* s, std::string_view body) {
  auto doc = ParseRequest(body);
  if (!doc.ok()) return ParseError(doc.status());
  int64_t revision = 0;
  bool physical = false;  // every compaction is applied before the reply anyway
  Status st = GetInt64(*doc, "revision", &revision);
  if (st.ok()) st = GetBool(*doc, "physical", &physical);
  if (!st.ok()) return ParseError(st);
  if (revision <= s->CompactRevision()) return ErrorReply(Grpc::kOutOfRange, kErrCompacted);
  if (revision > s->CurrentRevision()) return ErrorReply(Grpc::kOutOfRange, kErrFutureRev);
  st = s->Compact(revision);
  if (!st.ok()) return StoreErrorReply(st);
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  WriteHeader(w, s->CurrentRevision());
  w.EndObject();
  return OkReply(buf);
}

}  // namespace cluster::server::etcd
