#include "server/apiserver/request_info.h"

#include <cctype>

namespace cluster::server {
namespace {

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace

RequestInfo ParseRequestInfo(const ApiRequest& req) {
  RequestInfo info;
  info.parts = Split(req.path);
  const auto& p = info.parts;
  size_t i = 0;
  if (p.size() >= 2 && p[0] == "api") {
    info.version = p[1];
    i = 2;
  } else if (p.size() >= 3 && p[0] == "apis") {
    info.group = p[1];
    info.version = p[2];
    i = 3;
  } else {
    return info;
  }
  if (i >= p.size()) return info;
  info.is_resource = true;
  // Legacy "/api/v1/watch/..." form.
  bool watch_prefix = false;
  if (p[i] == "watch") {
    watch_prefix = true;
    ++i;
  }
  if (i + 2 < p.size() && p[i] == "namespaces" && p[i + 2] != "status" && p[i + 2] != "finalize") {
    // "/namespaces/NS/RESOURCE..." addresses a namespaced resource; "/namespaces/NS[/status]"
    // is the Namespace object itself.
    info.ns = p[i + 1];
    i += 2;
  }
  if (i < p.size()) info.resource = p[i++];
  if (i < p.size()) info.name = p[i++];
  if (i < p.size()) info.subresource = p[i++];
  if (i < p.size()) info.subresource += "/" + p[i];  // unsupported deeper paths stay visible

  const std::string& m = req.method;
  // ?watch= is decoded as upstream's query parameters are (anything but 0/false), and only turns
  // a collection GET into a watch; a GET of a named object stays a get, as upstream.
  auto q = req.query.find("watch");
  bool watch_param = false;
  if (q != req.query.end()) {
    std::string v = q->second;
    for (char& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    watch_param = v != "0" && v != "false";
  }
  if (m == "GET" || m == "HEAD") {
    if (watch_prefix)
      info.verb = "watch";
    else if (!info.name.empty())
      info.verb = "get";
    else
      info.verb = watch_param ? "watch" : "list";
  } else if (m == "POST") {
    info.verb = "create";
  } else if (m == "PUT") {
    info.verb = "update";
  } else if (m == "PATCH") {
    info.verb = "patch";
  } else if (m == "DELETE") {
    info.verb = info.name.empty() ? "deletecollection" : "delete";
  } else {
    info.verb = "";
  }
  return info;
}

}  // namespace cluster::server
