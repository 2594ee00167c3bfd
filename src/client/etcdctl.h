// `cluster etcdctl`: etcdctl's verbs and flags over the store's etcd v3 JSON API (libcurl):
//   get KEY [RANGE_END] [--prefix] [--keys-only] [--print-value-only] [--rev N] [--limit N]
//   put KEY VALUE, del KEY [--prefix], watch KEY [--prefix] [--rev N], compaction REV,
//   endpoint status; global -w simple|json, --endpoints, --cacert, --cert, --key, --data-dir.
// With no connection flags it uses the local server's store client certificate and address
// found in the data dir (default /var/lib/cluster). Errors print one line on stderr.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace cluster::client {

// Where `cluster server` records the URLs its store API listens on (one per line, actual ports),
// so etcdctl finds the API when it is not on the default https://127.0.0.1:2379.
std::string EtcdEndpointsFile(const std::string& data_dir);

// Registers the `etcdctl` subcommand on `app`; when it runs, its exit code lands in *rc.
void AddEtcdctlCommand(CLI::App* app, int* rc);

}  // namespace cluster::client
