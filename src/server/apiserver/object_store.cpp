#include "server/apiserver/object_store.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace cluster::server {

std::string ObjectKey(const api::ResourceInfo& info, const std::string& ns,
                      const std::string& name) {
  if (info.namespaced) return info.StorePrefix() + ns + "/" + name;
  return info.StorePrefix() + name;
}

std::string CollectionPrefix(const api::ResourceInfo& info, const std::string& ns) {
  if (info.namespaced && !ns.empty()) return info.StorePrefix() + ns + "/";
  return info.StorePrefix();
}

std::string EncodeForStore(json::Document& obj) {
  if (json::Value* meta = json::FindMutable(obj, {"metadata"}); meta && meta->IsObject())
    meta->RemoveMember("resourceVersion");
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  // apiVersion, kind, metadata first so that readers can find metadata without parsing.
  w.StartObject();
  static const char* kFirst[] = {"apiVersion", "kind", "metadata"};
  for (const char* k : kFirst) {
    auto it = obj.FindMember(k);
    if (it == obj.MemberEnd()) continue;
    w.Key(k);
    it->value.Accept(w);
  }
  for (auto& m : obj.GetObject()) {
    std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (name == "apiVersion" || name == "kind" || name == "metadata") continue;
    w.Key(m.name.GetString(), m.name.GetStringLength());
    m.value.Accept(w);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string SpliceResourceVersion(const std::string& stored, int64_t revision) {
  // EncodeForStore wrote apiVersion and kind (plain strings) before metadata, so the first
  // `"metadata":{` is the object's own.
  static const std::string kMeta = "\"metadata\":{";
  size_t pos = stored.find(kMeta);
  std::string rv = "\"resourceVersion\":\"" + std::to_string(revision) + "\"";
  if (pos == std::string::npos) {
    // No metadata (never written by us): add one.
    std::string out = stored;
    if (out.size() >= 2 && out[0] == '{')
      out.insert(1, "\"metadata\":{" + rv + "}" + (out.size() > 2 ? "," : ""));
    return out;
  }
  size_t at = pos + kMeta.size();
  std::string out;
  out.reserve(stored.size() + rv.size() + 1);
  out.append(stored, 0, at);
  out += rv;
  if (at < stored.size() && stored[at] != '}') out += ',';
  out.append(stored, at, std::string::npos);
  return out;
}

Result<json::Document> DecodeFromStore(const store::KeyValue& kv) {
  auto doc = json::Parse(kv.value);
  if (!doc.ok() || !doc->IsObject())
    return Internal("stored object at " + kv.key + " is not valid JSON");
  json::Document d = std::move(doc).value();
  json::Value& meta = json::EnsureObject(d, {"metadata"}, d.GetAllocator());
  json::SetString(meta, "resourceVersion", std::to_string(kv.mod_revision), d.GetAllocator());
  return d;
}

std::string EncodeForStore(const api::ResourceInfo& info, json::Document& obj) {
  if (!info.to_storage) return EncodeForStore(obj);
  json::Document copy;
  copy.CopyFrom(obj, copy.GetAllocator());
  info.to_storage(copy);
  return EncodeForStore(copy);
}

std::string WireFromStored(const api::ResourceInfo& info, const std::string& stored,
                           int64_t revision) {
  if (!info.from_storage) return SpliceResourceVersion(stored, revision);
  store::KeyValue kv;
  kv.value = stored;
  kv.mod_revision = revision;
  auto doc = DecodeFromStore(info, kv);
  if (!doc.ok()) return SpliceResourceVersion(stored, revision);
  return json::Serialize(*doc);
}

Result<json::Document> DecodeFromStore(const api::ResourceInfo& info, const store::KeyValue& kv) {
  auto doc = DecodeFromStore(kv);
  if (doc.ok() && info.from_storage) info.from_storage(*doc);
  return doc;
}

}  // namespace cluster::server
