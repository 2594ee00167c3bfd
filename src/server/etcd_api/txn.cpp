// /v3/kv/txn: compares, then the success or failure branch of range/put/delete/txn ops.
#include <memory>

#include "server/etcd_api/handlers.h"

namespace cluster::server::etcd {
namespace {

constexpr size_t kMaxTxnOps = 128;  // etcd's --max-txn-ops default

struct TxnExtras;
// Per-op state the store does not carry: a range's sort/filter options, a nested txn's.
struct OpExtras {
  RangeExtras range;
  std::unique_ptr<TxnExtras> txn;
};
struct TxnExtras {
  std::vector<OpExtras> success, failure;
};

Status ParseTxn(const JsonValue& obj, store::TxnRequest* txn, TxnExtras* extras);

Status ParseCompare(const JsonValue& obj, store::Compare* c) {
  if (!obj.IsObject()) return BadRequest("compare: expected an object");
  int result = 0, target = 0;
  RETURN_IF_ERROR(GetEnum(obj, "result", {"EQUAL", "GREATER", "LESS", "NOT_EQUAL"}, &result));
  RETURN_IF_ERROR(GetEnum(obj, "target", {"VERSION", "CREATE", "MOD", "VALUE", "LEASE"}, &target));
  if (result < 0 || result > 3 || target < 0 || target > 4)
    return BadRequest("compare: unknown result or target");
  c->op = static_cast<store::Compare::Op>(result);
  c->target = static_cast<store::Compare::Target>(target);
  RETURN_IF_ERROR(GetBytes(obj, "key", &c->key));
  RETURN_IF_ERROR(GetBytes(obj, "range_end", &c->range_end));
  static const char* kNumberField[] = {"version", "create_revision", "mod_revision", nullptr,
                                       "lease"};
  if (c->target == store::Compare::Target::kValue) return GetBytes(obj, "value", &c->value);
  return GetInt64(obj, kNumberField[target], &c->number);
}

Status ParseOp(const JsonValue& obj, store::RequestOp* op, OpExtras* extras) {
  if (!obj.IsObject()) return BadRequest("txn op: expected an object");
  ASSIGN_OR_RETURN(const JsonValue* range, GetObject(obj, "request_range"));
  ASSIGN_OR_RETURN(const JsonValue* put, GetObject(obj, "request_put"));
  ASSIGN_OR_RETURN(const JsonValue* del, GetObject(obj, "request_delete_range"));
  ASSIGN_OR_RETURN(const JsonValue* txn, GetObject(obj, "request_txn"));
  if (range != nullptr) {
    store::RangeRequest r;
    RETURN_IF_ERROR(ParseRange(*range, &r, &extras->range));
    *op = std::move(r);
  } else if (put != nullptr) {
    store::PutRequest p;
    RETURN_IF_ERROR(ParsePut(*put, &p));
    *op = std::move(p);
  } else if (del != nullptr) {
    store::DeleteRequest d;
    RETURN_IF_ERROR(ParseDelete(*del, &d));
    *op = std::move(d);
  } else if (txn != nullptr) {
    auto t = std::make_shared<store::TxnRequest>();
    extras->txn = std::make_unique<TxnExtras>();
    RETURN_IF_ERROR(ParseTxn(*txn, t.get(), extras->txn.get()));
    *op = std::move(t);
  } else {
    return BadRequest("txn op: no request_range, request_put, request_delete_range or request_txn");
  }
  return Status::Ok();
}

Status ParseOps(const JsonValue& obj, const char* name, std::vector<store::RequestOp>* ops,
                std::vector<OpExtras>* extras) {
  ASSIGN_OR_RETURN(const JsonValue* arr, GetArray(obj, name));
  if (arr == nullptr) return Status::Ok();
  if (arr->Size() > kMaxTxnOps) return BadRequest("etcdserver: too many operations in txn request");
  ops->resize(arr->Size());
  extras->resize(arr->Size());
  for (rapidjson::SizeType i = 0; i < arr->Size(); ++i)
    RETURN_IF_ERROR(ParseOp((*arr)[i], &(*ops)[i], &(*extras)[i]));
  return Status::Ok();
}

Status ParseTxn(const JsonValue& obj, store::TxnRequest* txn, TxnExtras* extras) {
  ASSIGN_OR_RETURN(const JsonValue* compares, GetArray(obj, "compare"));
  if (compares != nullptr) {
    if (compares->Size() > kMaxTxnOps)
      return BadRequest("etcdserver: too many operations in txn request");
    txn->compare.resize(compares->Size());
    for (rapidjson::SizeType i = 0; i < compares->Size(); ++i)
      RETURN_IF_ERROR(ParseCompare((*compares)[i], &txn->compare[i]));
  }
  RETURN_IF_ERROR(ParseOps(obj, "success", &txn->success, &extras->success));
  return ParseOps(obj, "failure", &txn->failure, &extras->failure);
}

// Inner responses carry a header with only the revision, as etcd fills them.
void WriteInnerHeader(JsonWriter& w, int64_t revision) {
  w.Key("header");
  w.StartObject();
  WriteInt(w, "revision", revision);
  w.EndObject();
}

void WriteTxnFields(JsonWriter& w, store::TxnResponse& r, const TxnExtras& extras);

void WriteResponseOp(JsonWriter& w, store::ResponseOp& op, const OpExtras& extras) {
  w.StartObject();
  if (auto* range = std::get_if<store::RangeResponse>(&op)) {
    if (extras.range.Needed()) ApplyExtras(extras.range, range);
    w.Key("response_range");
    w.StartObject();
    WriteInnerHeader(w, range->revision);
    WriteRangeFields(w, *range);
  } else if (auto* put = std::get_if<store::PutResponse>(&op)) {
    w.Key("response_put");
    w.StartObject();
    WriteInnerHeader(w, put->revision);
    WritePutFields(w, *put);
  } else if (auto* del = std::get_if<store::DeleteResponse>(&op)) {
    w.Key("response_delete_range");
    w.StartObject();
    WriteInnerHeader(w, del->revision);
    WriteDeleteFields(w, *del);
  } else {
    auto& txn = std::get<std::shared_ptr<store::TxnResponse>>(op);
    w.Key("response_txn");
    w.StartObject();
    WriteInnerHeader(w, 0);  // etcd leaves a nested txn's header empty
    static const TxnExtras kNone;
    if (txn) WriteTxnFields(w, *txn, extras.txn ? *extras.txn : kNone);
  }
  w.EndObject();
  w.EndObject();
}

void WriteTxnFields(JsonWriter& w, store::TxnResponse& r, const TxnExtras& extras) {
  WriteBool(w, "succeeded", r.succeeded);
  if (r.responses.empty()) return;
  const auto& branch = r.succeeded ? extras.success : extras.failure;
  static const OpExtras kNone;
  w.Key("responses");
  w.StartArray();
  for (size_t i = 0; i < r.responses.size(); ++i)
    WriteResponseOp(w, r.responses[i], i < branch.size() ? branch[i] : kNone);
  w.EndArray();
}

}  // namespace

Reply HandleTxn(store::Store* s, std::string_view body) {
  auto doc = ParseRequest(body);
  if (!doc.ok()) return ErrorReply(Grpc::kInvalidArgument, doc.status().message());
  store::TxnRequest req;
  TxnExtras extras;
  Status st = ParseTxn(*doc, &req, &extras);
  if (!st.ok()) return ErrorReply(Grpc::kInvalidArgument, st.message());
  auto resp = s->Txn(req);
  if (!resp.ok()) return StoreErrorReply(resp.status());
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  WriteHeader(w, resp->revision);
  WriteTxnFields(w, *resp, extras);
  w.EndObject();
  return OkReply(buf);
}

}  // namespace cluster::server::etcd
