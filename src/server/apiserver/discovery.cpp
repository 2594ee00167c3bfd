// Discovery: /api, /apis, /apis/{group}, /api/v1, /apis/{group}/{version} in the legacy forms
// (APIVersions, APIGroupList, APIGroup, APIResourceList) and the aggregated form
// (apidiscovery.k8s.io/v2 APIGroupDiscoveryList) that kubectl asks for first.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "server/apiserver/media.h"
#include "server/apiserver/rest.h"

namespace cluster::server {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

struct SubInfo {
  std::string group, version, kind;
  std::vector<std::string> verbs;
};

SubInfo Sub(const api::ResourceInfo& r, const std::string& sub) {
  if (sub == "status" || sub == "approval" || sub == "ephemeralcontainers")
    return {r.group, r.version, r.kind, {"get", "patch", "update"}};
  if (sub == "scale") return {"autoscaling", "v1", "Scale", {"get", "patch", "update"}};
  if (sub == "binding") return {"", "v1", "Binding", {"create"}};
  if (sub == "eviction") return {"policy", "v1", "Eviction", {"create"}};
  if (sub == "log") return {"", "v1", "Pod", {"get"}};
  if (sub == "finalize") return {"", "v1", "Namespace", {"update"}};
  if (sub == "token") return {"authentication.k8s.io", "v1", "TokenRequest", {"create"}};
  return {r.group, r.version, r.kind, {"get"}};
}

void Strings(Writer& w, const char* key, const std::vector<std::string>& v) {
  w.Key(key);
  w.StartArray();
  for (const auto& s : v) w.String(s);
  w.EndArray();
}

std::string ResourceList(const api::ResourceTable& t, const std::string& group,
                         const std::string& version) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("kind");
  w.String("APIResourceList");
  w.Key("apiVersion");
  w.String("v1");
  w.Key("groupVersion");
  w.String(group.empty() ? version : group + "/" + version);
  w.Key("resources");
  w.StartArray();
  for (const auto& r : t.All()) {
    if (r.group != group || r.version != version) continue;
    w.StartObject();
    w.Key("name");
    w.String(r.plural);
    w.Key("singularName");
    w.String(r.singular);
    w.Key("namespaced");
    w.Bool(r.namespaced);
    w.Key("kind");
    w.String(r.kind);
    Strings(w, "verbs", r.verbs);
    if (!r.short_names.empty()) Strings(w, "shortNames", r.short_names);
    if (!r.categories.empty()) Strings(w, "categories", r.categories);
    w.EndObject();
    for (const auto& sub : r.subresources) {
      SubInfo si = Sub(r, sub);
      w.StartObject();
      w.Key("name");
      w.String(r.plural + "/" + sub);
      w.Key("singularName");
      w.String("");
      w.Key("namespaced");
      w.Bool(r.namespaced);
      if (si.group != r.group) {
        w.Key("group");
        w.String(si.group);
      }
      if (si.version != r.version || si.group != r.group) {
        w.Key("version");
        w.String(si.version);
      }
      w.Key("kind");
      w.String(si.kind);
      Strings(w, "verbs", si.verbs);
      w.EndObject();
    }
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

void GroupObject(Writer& w, const std::string& group, const std::vector<std::string>& versions) {
  w.StartObject();
  w.Key("name");
  w.String(group);
  w.Key("versions");
  w.StartArray();
  for (const auto& v : versions) {
    w.StartObject();
    w.Key("groupVersion");
    w.String(group + "/" + v);
    w.Key("version");
    w.String(v);
    w.EndObject();
  }
  w.EndArray();
  w.Key("preferredVersion");
  w.StartObject();
  w.Key("groupVersion");
  w.String(group + "/" + versions.front());
  w.Key("version");
  w.String(versions.front());
  w.EndObject();
  w.EndObject();
}

void AggregatedGroup(Writer& w, const api::ResourceTable& t, const std::string& group) {
  w.StartObject();
  w.Key("metadata");
  w.StartObject();
  if (!group.empty()) {
    w.Key("name");
    w.String(group);
  }
  w.Key("creationTimestamp");
  w.Null();
  w.EndObject();
  w.Key("versions");
  w.StartArray();
  for (const auto& version : t.Versions(group)) {
    w.StartObject();
    w.Key("version");
    w.String(version);
    w.Key("resources");
    w.StartArray();
    for (const auto& r : t.All()) {
      if (r.group != group || r.version != version) continue;
      w.StartObject();
      w.Key("resource");
      w.String(r.plural);
      w.Key("responseKind");
      w.StartObject();
      w.Key("group");
      w.String(r.group);
      w.Key("version");
      w.String(r.version);
      w.Key("kind");
      w.String(r.kind);
      w.EndObject();
      w.Key("scope");
      w.String(r.namespaced ? "Namespaced" : "Cluster");
      w.Key("singularResource");
      w.String(r.singular);
      Strings(w, "verbs", r.verbs);
      if (!r.short_names.empty()) Strings(w, "shortNames", r.short_names);
      if (!r.categories.empty()) Strings(w, "categories", r.categories);
      if (!r.subresources.empty()) {
        w.Key("subresources");
        w.StartArray();
        for (const auto& sub : r.subresources) {
          SubInfo si = Sub(r, sub);
          w.StartObject();
          w.Key("subresource");
          w.String(sub);
          w.Key("responseKind");
          w.StartObject();
          w.Key("group");
          w.String(si.group);
          w.Key("version");
          w.String(si.version);
          w.Key("kind");
          w.String(si.kind);
          w.EndObject();
          Strings(w, "verbs", si.verbs);
          w.EndObject();
        }
        w.EndArray();
      }
      w.EndObject();
    }
    w.EndArray();
    w.Key("freshness");
    w.String("Current");
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

std::string Aggregated(const api::ResourceTable& t, bool core, const std::string& version) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("kind");
  w.String("APIGroupDiscoveryList");
  w.Key("apiVersion");
  w.String("apidiscovery.k8s.io/" + version);
  w.Key("metadata");
  w.StartObject();
  w.EndObject();
  w.Key("items");
  w.StartArray();
  for (const auto& g : t.Groups()) {
    if (core != g.empty()) continue;
    AggregatedGroup(w, t, g);
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

namespace {
ApiResponse ServeDiscoveryDocument(const api::ResourceTable& t, const std::vector<std::string>& p,
                                   const MediaChoice& media);
}  // namespace

ApiResponse ServeDiscovery(const api::ResourceTable& t, const ApiRequest& req,
                           const RequestInfo& ri) {
  const auto& p = ri.parts;
  // Aggregated discovery (v2, and v2beta1 for client-go before 1.30) only at /api and /apis;
  // anything else, or a client that asks for plain JSON, gets the plain documents.
  MediaOffer offer;
  offer.protobuf = false;
  offer.aggregated_discovery = p.size() == 1;
  auto media = NegotiateMedia(req.accept, offer);
  if (!media.ok()) return ErrorResponse(media.status());
  ApiResponse resp = ServeDiscoveryDocument(t, p, *media);
  EncodeResponseBody(*media, &resp);
  return resp;
}

namespace {

ApiResponse ServeDiscoveryDocument(const api::ResourceTable& t, const std::vector<std::string>& p,
                                   const MediaChoice& media) {
  if (media.target == MediaTarget::kAggregatedDiscovery) {
    ApiResponse r = JsonResponse(200, Aggregated(t, p[0] == "api", media.version));
    r.content_type = media.ContentType();
    return r;
  }
  if (p.size() == 1 && p[0] == "api")
    return JsonResponse(200, R"({"kind":"APIVersions","versions":["v1"],)"
                             R"("serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0",)"
                             R"("serverAddress":"127.0.0.1:6443"}]})");
  if (p.size() == 1 && p[0] == "apis") {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    w.Key("kind");
    w.String("APIGroupList");
    w.Key("apiVersion");
    w.String("v1");
    w.Key("groups");
    w.StartArray();
    for (const auto& g : t.Groups())
      if (!g.empty()) GroupObject(w, g, t.Versions(g));
    w.EndArray();
    w.EndObject();
    return JsonResponse(200, std::string(buf.GetString(), buf.GetSize()));
  }
  if (p.size() == 2 && p[0] == "api" && p[1] == "v1")
    return JsonResponse(200, ResourceList(t, "", "v1"));
  if (p.size() == 2 && p[0] == "apis" && !t.Versions(p[1]).empty()) {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    GroupObject(w, p[1], t.Versions(p[1]));
    std::string body(buf.GetString(), buf.GetSize());
    body.insert(1, R"("kind":"APIGroup","apiVersion":"v1",)");
    return JsonResponse(200, body);
  }
  if (p.size() == 3 && p[0] == "apis") {
    auto versions = t.Versions(p[1]);
    if (std::find(versions.begin(), versions.end(), p[2]) != versions.end())
      return JsonResponse(200, ResourceList(t, p[1], p[2]));
  }
  return ErrorResponse(Status(Code::kNotFound, "the server could not find the requested resource"));
}

}  // namespace

}  // namespace cluster::server
