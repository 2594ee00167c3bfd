// The HTTPS Transport (libcurl): for remote agents and the CLI tools. Credentials are held in
// memory (PEM blobs), never written to disk.
//
// Connections are reused: Do() borrows an easy handle from a pool (each handle keeps its live
// connection and TLS session), so sequential requests to the apiserver share one connection.
// OpenStream() gives each stream its own handle and thread; Stream::Cancel aborts the transfer
// at once (curl_multi_wakeup), from any thread.
//
// Thread safety: the transport is safe for concurrent use; see client.h for streams.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "client/client.h"
#include "common/status.h"

namespace cluster::client {

struct HttpsConfig {
  std::string server;    // "https://10.0.0.1:6443" (no trailing path)
  std::string ca_pem;    // trusted CA bundle; empty: the system's store
  std::string cert_pem;  // client certificate (mutual TLS), optional
  std::string key_pem;   // its private key
  std::string token;     // bearer token, optional
  bool insecure_skip_verify = false;
  std::string default_namespace;  // from the kubeconfig context; not used by the transport
  std::chrono::milliseconds connect_timeout{10000};
  // Whole-request limit for Do() and for a stream's response headers; streams themselves have
  // none (the server ends a watch with its timeoutSeconds).
  std::chrono::milliseconds request_timeout{60000};
  std::string user_agent = "cluster";
};

// Never returns null. Configuration errors (bad PEM, unreachable server) show up as kUnavailable
// from the first request.
std::shared_ptr<Transport> NewHttpsTransport(const HttpsConfig& config);

// Reads a kubeconfig file: its current-context (or its only context) picks the cluster (server,
// certificate-authority-data or certificate-authority file, insecure-skip-tls-verify) and the
// user (client-certificate-data/client-key-data or client-certificate/client-key files, token or
// tokenFile). Relative file paths are relative to the kubeconfig's directory.
// kNotFound when the file is missing; kInvalid with a reason when its content is unusable.
Result<HttpsConfig> LoadKubeconfig(const std::string& path);

}  // namespace cluster::client
