// Writes a kubeconfig for kubectl and for our own HTTPS client, with the CA and the client
// certificate embedded (base64 `*-data` fields), in the layout kubectl writes itself:
//   apiVersion: v1, kind: Config, clusters[{name, cluster{server, certificate-authority-data}}],
//   users[{name, user{client-certificate-data, client-key-data}}],
//   contexts[{name, context{cluster, user}}], current-context.
// The cluster, user and context all take `cluster_name`/`user` (the context is named after
// the cluster). Missing parent directories are created (default mode, 0755 under the usual
// umask) and the file is replaced atomically with exactly `mode` (use 0600: it holds a key).
#pragma once

#include <string>

#include "common/status.h"

namespace cluster::bootstrap {

Status WriteKubeconfig(const std::string& path, int mode, const std::string& server_url,
                       const std::string& ca_pem, const std::string& client_cert_pem,
                       const std::string& client_key_pem,
                       const std::string& cluster_name = "default",
                       const std::string& user = "default");

}  // namespace cluster::bootstrap
