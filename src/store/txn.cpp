// Transactions, evaluated as etcd does: every compare on the path through (nested) txns is
// evaluated first against the state before the txn; then the chosen ops run in order, each
// seeing the ones before it, all under one revision.
#include <type_traits>

#include "store/write_batch.h"

namespace cluster::store {
namespace {

template <typename T>
bool Holds(Compare::Op op, const T& a, const T& b) {
  switch (op) {
    case Compare::Op::kEqual: return a == b;
    case Compare::Op::kGreater: return a > b;
    case Compare::Op::kLess: return a < b;
    case Compare::Op::kNotEqual: return a != b;
  }
  return false;
}

bool HoldsFor(const Compare& c, const KeyValue& kv) {
  switch (c.target) {
    case Compare::Target::kVersion: return Holds(c.op, kv.version, c.number);
    case Compare::Target::kCreate: return Holds(c.op, kv.create_revision, c.number);
    case Compare::Target::kMod: return Holds(c.op, kv.mod_revision, c.number);
    case Compare::Target::kLease: return Holds(c.op, kv.lease, c.number);
    case Compare::Target::kValue: return Holds(c.op, kv.value, c.value);
  }
  return false;
}

// Every key in range must satisfy the compare; an empty range compares as a zero key, except
// that a value compare on a missing key always fails.
bool Evaluate(const WriteBatch& b, const Compare& c) {
  bool any = false;
  bool all = true;
  b.ForEach(KeyBounds::Of(c.key, c.range_end), [&](const KeyValue& kv) {
    any = true;
    all = HoldsFor(c, kv);
    return all;
  });
  if (any) return all;
  if (c.target == Compare::Target::kValue) return false;
  return HoldsFor(c, KeyValue{});
}

Status BuildPath(const WriteBatch& b, const TxnRequest& t, int depth, std::vector<bool>* path) {
  if (depth > 64) return BadRequest("etcdserver: txn nested too deeply");
  bool ok = true;
  for (const Compare& c : t.compare) {
    if (!Evaluate(b, c)) {
      ok = false;
      break;
    }
  }
  path->push_back(ok);
  for (const RequestOp& op : ok ? t.success : t.failure) {
    const auto* nested = std::get_if<std::shared_ptr<TxnRequest>>(&op);
    if (!nested) continue;
    if (!*nested) return BadRequest("etcdserver: empty nested txn");
    RETURN_IF_ERROR(BuildPath(b, **nested, depth + 1, path));
  }
  return Status::Ok();
}

Status Execute(WriteBatch& b, const TxnRequest& t, const std::vector<bool>& path, size_t* pos,
               TxnResponse* out) {
  bool ok = path[(*pos)++];
  out->succeeded = ok;
  for (const RequestOp& op : ok ? t.success : t.failure) {
    if (const auto* r = std::get_if<RangeRequest>(&op)) {
      if (r->revision != 0 && r->revision != b.revision()) {
        return BadRequest("etcdserver: range at a past revision is not supported inside a txn");
      }
      out->responses.emplace_back(b.Range(*r));
    } else if (const auto* p = std::get_if<PutRequest>(&op)) {
      PutResponse resp;
      RETURN_IF_ERROR(b.Put(*p, &resp));
      out->responses.emplace_back(std::move(resp));
    } else if (const auto* d = std::get_if<DeleteRequest>(&op)) {
      DeleteResponse resp;
      RETURN_IF_ERROR(b.Delete(*d, &resp));
      out->responses.emplace_back(std::move(resp));
    } else {
      const auto& nested = std::get<std::shared_ptr<TxnRequest>>(op);
      auto resp = std::make_shared<TxnResponse>();
      RETURN_IF_ERROR(Execute(b, *nested, path, pos, resp.get()));
      out->responses.emplace_back(std::move(resp));
    }
  }
  out->revision = b.revision();
  return Status::Ok();
}

// Nested responses report the revision of the whole txn, known only at its end.
void FixRevisions(TxnResponse* out, int64_t revision) {
  out->revision = revision;
  for (ResponseOp& r : out->responses) {
    if (auto* t = std::get_if<std::shared_ptr<TxnResponse>>(&r)) FixRevisions(t->get(), revision);
  }
}

}  // namespace

Status ExecuteTxn(WriteBatch& batch, const TxnRequest& req, TxnResponse* out) {
  std::vector<bool> path;
  RETURN_IF_ERROR(BuildPath(batch, req, 0, &path));
  size_t pos = 0;
  RETURN_IF_ERROR(Execute(batch, req, path, &pos, out));
  FixRevisions(out, batch.revision());
  return Status::Ok();
}

}  // namespace cluster::store
