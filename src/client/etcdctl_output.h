// etcdctl 3.4's printers ("simple" and "json" write-out) over gateway JSON responses.
// Internal to `cluster etcdctl`. Functions write to stdout.
#pragma once

#include <string>

#include "common/json.h"

namespace cluster::client::etcdctl {

// etcdctl's JSON form of a gateway response: the same field names with int64s as numbers and
// event types as enum numbers (encoding/json over the protobuf structs).
std::string ToEtcdctlJson(const json::Value& v);

// Simple printers.
void PrintKvs(const json::Value& range_resp, bool value_only);
// One watch event: "PUT"/"DELETE", [prev kv], key, value.
void PrintEvent(const json::Value& event, bool prev_kv);
// "ENDPOINT, MEMBER_ID_HEX, VERSION, DB_SIZE, IS_LEADER, IS_LEARNER, RAFT_TERM, RAFT_INDEX,
// RAFT_APPLIED_INDEX, ERRORS"
void PrintEndpointStatus(const std::string& endpoint, const json::Value& status);
// go-humanize's Bytes (SI units): 20480 → "20 kB".
std::string HumanBytes(uint64_t n);

// A gateway bytes field decoded (empty when absent or invalid).
std::string Bytes(const json::Value& obj, const char* name);

}  // namespace cluster::client::etcdctl
