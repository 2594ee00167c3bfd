#include "server/bootstrap/kubeconfig.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <stdexcept>

#include "common/base64.h"
#include "server/bootstrap/pki.h"

namespace cluster::bootstrap {
namespace {

std::string Render(const std::string& server_url, const std::string& ca_pem,
                   const std::string& cert_pem, const std::string& key_pem,
                   const std::string& cluster_name, const std::string& user) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "Config";
  out << YAML::Key << "clusters" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << cluster_name;
  out << YAML::Key << "cluster" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "server" << YAML::Value << server_url;
  out << YAML::Key << "certificate-authority-data" << YAML::Value << Base64Encode(ca_pem);
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  out << YAML::Key << "contexts" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << cluster_name;
  out << YAML::Key << "context" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "cluster" << YAML::Value << cluster_name;
  out << YAML::Key << "user" << YAML::Value << user;
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  out << YAML::Key << "current-context" << YAML::Value << cluster_name;
  out << YAML::Key << "preferences" << YAML::Value << YAML::BeginMap << YAML::EndMap;
  out << YAML::Key << "users" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << user;
  out << YAML::Key << "user" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "client-certificate-data" << YAML::Value << Base64Encode(cert_pem);
  out << YAML::Key << "client-key-data" << YAML::Value << Base64Encode(key_pem);
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;
  out << YAML::EndMap;
  if (!out.good()) throw std::runtime_error(out.GetLastError());
  return std::string(out.c_str()) + "\n";
}

}  // namespace

Status WriteKubeconfig(const std::string& path, int mode, const std::string& server_url,
                       const std::string& ca_pem, const std::string& client_cert_pem,
                       const std::string& client_key_pem, const std::string& cluster_name,
                       const std::string& user) {
  std::string text;
  try {
    text = Render(server_url, ca_pem, client_cert_pem, client_key_pem, cluster_name, user);
  } catch (const std::exception& e) {  // yaml-cpp reports emitter misuse by throwing
    return Internal(std::string("rendering kubeconfig: ") + e.what());
  }
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return Internal("creating " + parent.string() + ": " + ec.message());
  }
  return WriteFileAtomic(path, text, mode);
}

}  // namespace cluster::bootstrap
