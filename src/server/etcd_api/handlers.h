// The etcd API's request handlers as plain functions of (store, request body) → reply, so they
// can be tested without a listener. Internal to src/server/etcd_api; server.cpp routes to them.
// Thread-safe as the Store is. Bad input yields an error reply and leaves the store untouched.
#pragma once

#include <string>
#include <string_view>

#include "server/etcd_api/etcd_json.h"
#include "store/store.h"

namespace cluster::server::etcd {

Reply HandleRange(store::Store* s, std::string_view body);
Reply HandlePut(store::Store* s, std::string_view body);
Reply HandleDeleteRange(store::Store* s, std::string_view body);
Reply HandleTxn(store::Store* s, std::string_view body);
Reply HandleCompaction(store::Store* s, std::string_view body);

Reply HandleLeaseGrant(store::Store* s, std::string_view body);
Reply HandleLeaseRevoke(store::Store* s, std::string_view body);
// A stream of LeaseKeepAliveRequest objects in, one {"result":...} line out per request.
Reply HandleLeaseKeepAlive(store::Store* s, std::string_view body);
Reply HandleLeaseTimeToLive(store::Store* s, std::string_view body);
Reply HandleLeaseLeases(store::Store* s, std::string_view body);
Reply HandleStatus(store::Store* s, std::string_view body);

// ---- Pieces shared by the plain verbs and txn.

// RangeRequest fields the store does not implement; applied here after the read.
struct RangeExtras {
  int sort_order = 0;   // NONE, ASCEND, DESCEND
  int sort_target = 0;  // KEY, VERSION, CREATE, MOD, VALUE
  int64_t min_mod_revision = 0, max_mod_revision = 0;
  int64_t min_create_revision = 0, max_create_revision = 0;
  int64_t limit = 0;  // the client's limit (the store is asked for all keys when Needed())
  bool Needed() const;
};

Status ParseRange(const JsonValue& obj, store::RangeRequest* req, RangeExtras* extras);
Status ParsePut(const JsonValue& obj, store::PutRequest* req);
Status ParseDelete(const JsonValue& obj, store::DeleteRequest* req);
// Filters, sorts and limits a response read with extras.Needed().
void ApplyExtras(const RangeExtras& extras, store::RangeResponse* resp);

// The response fields after "header".
void WriteRangeFields(JsonWriter& w, const store::RangeResponse& r);
void WritePutFields(JsonWriter& w, const store::PutResponse& r);
void WriteDeleteFields(JsonWriter& w, const store::DeleteResponse& r);

// A finished JSON document as a 200 reply.
Reply OkReply(const rapidjson::StringBuffer& buf);

}  // namespace cluster::server::etcd
