// LoadKubeconfig (declared in https_transport.h): the subset of the kubeconfig format
// (clientcmd/api/v1) a client needs to reach one cluster.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "client/https_transport.h"
#include "common/base64.h"

namespace cluster::client {
namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Scalar(const YAML::Node& node, const char* key) {
  const YAML::Node v = node[key];
  return v && v.IsScalar() ? v.as<std::string>() : "";
}

// The entry of a named list ("clusters", "users", "contexts") whose name is `name`, unwrapped
// from its `field` ("cluster", "user", "context").
Result<YAML::Node> Named(const YAML::Node& root, const char* list, const char* field,
                         const std::string& name) {
  const YAML::Node entries = root[list];
  if (entries && entries.IsSequence()) {
    for (const auto& e : entries) {
      if (e.IsMap() && Scalar(e, "name") == name && e[field] && e[field].IsMap()) {
        return YAML::Node(e[field]);
      }
    }
  }
  return Invalid(std::string("kubeconfig has no ") + field + " named \"" + name + "\"");
}

// Inline "*-data" (base64) wins over a file path, as in kubectl.
Result<std::string> DataOrFile(const YAML::Node& node, const std::string& key,
                               const std::filesystem::path& dir) {
  std::string data = Scalar(node, (key + "-data").c_str());
  if (!data.empty()) {
    auto decoded = Base64Decode(data);
    if (!decoded) return Invalid("kubeconfig " + key + "-data is not valid base64");
    return *decoded;
  }
  std::string file = Scalar(node, key.c_str());
  if (file.empty()) return std::string();
  std::filesystem::path p(file);
  if (p.is_relative()) p = dir / p;
  auto content = ReadFile(p.string());
  if (!content.ok()) return Invalid("kubeconfig " + key + ": " + content.status().message());
  return content;
}

Result<HttpsConfig> FromYaml(const YAML::Node& root, const std::filesystem::path& dir) {
  if (!root.IsMap()) return Invalid("kubeconfig is not a YAML mapping");
  std::string context_name = Scalar(root, "current-context");
  if (context_name.empty()) {
    const YAML::Node contexts = root["contexts"];
    if (!contexts || !contexts.IsSequence() || contexts.size() != 1) {
      return Invalid("kubeconfig has no current-context");
    }
    context_name = Scalar(contexts[0], "name");
  }
  ASSIGN_OR_RETURN(YAML::Node context, Named(root, "contexts", "context", context_name));
  ASSIGN_OR_RETURN(YAML::Node cluster,
                   Named(root, "clusters", "cluster", Scalar(context, "cluster")));

  HttpsConfig cfg;
  cfg.server = Scalar(cluster, "server");
  if (cfg.server.rfind("https://", 0) != 0 && cfg.server.rfind("http://", 0) != 0) {
    return Invalid("kubeconfig cluster server \"" + cfg.server + "\" is not an http(s) URL");
  }
  cfg.insecure_skip_verify = Scalar(cluster, "insecure-skip-tls-verify") == "true";
  ASSIGN_OR_RETURN(cfg.ca_pem, DataOrFile(cluster, "certificate-authority", dir));
  cfg.default_namespace = Scalar(context, "namespace");

  std::string user_name = Scalar(context, "user");
  if (user_name.empty()) return cfg;  // anonymous
  ASSIGN_OR_RETURN(YAML::Node user, Named(root, "users", "user", user_name));
  ASSIGN_OR_RETURN(cfg.cert_pem, DataOrFile(user, "client-certificate", dir));
  ASSIGN_OR_RETURN(cfg.key_pem, DataOrFile(user, "client-key", dir));
  if (cfg.cert_pem.empty() != cfg.key_pem.empty()) {
    return Invalid("kubeconfig user \"" + user_name + "\" has a client certificate or key alone");
  }
  cfg.token = Scalar(user, "token");
  std::string token_file = Scalar(user, "tokenFile");
  if (cfg.token.empty() && !token_file.empty()) {
    std::filesystem::path p(token_file);
    if (p.is_relative()) p = dir / p;
    auto token = ReadFile(p.string());
    if (!token.ok()) return Invalid("kubeconfig tokenFile: " + token.status().message());
    cfg.token = *token;
    while (!cfg.token.empty() && std::isspace(static_cast<unsigned char>(cfg.token.back()))) {
      cfg.token.pop_back();
    }
  }
  return cfg;
}

}  // namespace

Result<HttpsConfig> LoadKubeconfig(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  try {
    YAML::Node root = YAML::Load(text);
    return FromYaml(root, std::filesystem::path(path).parent_path());
  } catch (const YAML::Exception& e) {
    return Invalid("kubeconfig " + path + ": " + e.what());
  }
}

}  // namespace cluster::client
