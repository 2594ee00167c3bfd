#include "client/etcdctl_output.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string_view>

#include "common/base64.h"

namespace cluster::client::etcdctl {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// Gateway fields that are int64/uint64 in the protos (written as strings by the gateway).
const std::set<std::string_view> kIntFields = {
    "cluster_id", "member_id", "revision",  "raft_term", "create_revision",  "mod_revision",
    "version",    "lease",     "count",     "deleted",   "compact_revision", "watch_id",
    "dbSize",     "leader",    "raftIndex", "raftTerm",  "raftAppliedIndex", "dbSizeInUse",
    "ID",         "TTL",       "grantedTTL"};

bool IsInteger(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

void Convert(const json::Value& v, std::string_view key, Writer& w) {
  if (v.IsObject()) {
    w.StartObject();
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      std::string_view k(it->name.GetString(), it->name.GetStringLength());
      w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
      Convert(it->value, k, w);
    }
    w.EndObject();
  } else if (v.IsArray()) {
    w.StartArray();
    for (const auto& e : v.GetArray()) Convert(e, key, w);
    w.EndArray();
  } else if (v.IsString() && kIntFields.count(key) && IsInteger(v.GetString())) {
    w.RawValue(v.GetString(), v.GetStringLength(), rapidjson::kNumberType);
  } else if (v.IsString() && key == "type" && std::string_view(v.GetString()) == "DELETE") {
    w.Int(1);  // mvccpb.Event_DELETE
  } else {
    v.Accept(w);
  }
}

void PrintKv(const json::Value& kv, bool value_only) {
  if (!value_only) std::printf("%s\n", Bytes(kv, "key").c_str());
  std::printf("%s\n", Bytes(kv, "value").c_str());
}

}  // namespace

std::string Bytes(const json::Value& obj, const char* name) {
  if (!obj.IsObject()) return "";
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsString()) return "";
  auto decoded = Base64Decode(std::string_view(it->value.GetString(), it->value.GetStringLength()));
  return decoded ? *decoded : "";
}

std::string ToEtcdctlJson(const json::Value& v) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  Convert(v, "", w);
  return std::string(buf.GetString(), buf.GetSize());
}

void PrintKvs(const json::Value& resp, bool value_only) {
  const json::Value* kvs = json::Find(resp, {"kvs"});
  if (kvs == nullptr || !kvs->IsArray()) return;
  for (const auto& kv : kvs->GetArray()) PrintKv(kv, value_only);
}

void PrintEvent(const json::Value& ev, bool prev_kv) {
  std::printf("%s\n", json::GetString(ev, {"type"}, "PUT").c_str());
  const json::Value* prev = json::Find(ev, {"prev_kv"});
  if (prev_kv && prev != nullptr) PrintKv(*prev, false);
  const json::Value* kv = json::Find(ev, {"kv"});
  if (kv != nullptr) PrintKv(*kv, false);
}

std::string HumanBytes(uint64_t n) {
  if (n < 10) return std::to_string(n) + " B";
  static const char* kSizes[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  int e = static_cast<int>(std::floor(std::log(static_cast<double>(n)) / std::log(1000.0)));
  double val = std::floor(static_cast<double>(n) / std::pow(1000.0, e) * 10 + 0.5) / 10;
  char buf[32];
  std::snprintf(buf, sizeof(buf), val < 10 ? "%.1f %s" : "%.0f %s", val, kSizes[e]);
  return buf;
}

void PrintEndpointStatus(const std::string& endpoint, const json::Value& st) {
  std::string member = json::GetString(st, {"header", "member_id"}, "0");
  std::string leader = json::GetString(st, {"leader"}, "0");
  uint64_t member_id = std::strtoull(member.c_str(), nullptr, 10);
  uint64_t db_size = std::strtoull(json::GetString(st, {"dbSize"}, "0").c_str(), nullptr, 10);
  std::printf("%s, %llx, %s, %s, %s, %s, %s, %s, %s, \n", endpoint.c_str(),
              static_cast<unsigned long long>(member_id), json::GetString(st, {"version"}).c_str(),
              HumanBytes(db_size).c_str(), member == leader ? "true" : "false",
              json::GetBool(st, {"isLearner"}) ? "true" : "false",
              json::GetString(st, {"raftTerm"}, "0").c_str(),
              json::GetString(st, {"raftIndex"}, "0").c_str(),
              json::GetString(st, {"raftAppliedIndex"}, "0").c_str());
}

}  // namespace cluster::client::etcdctl
