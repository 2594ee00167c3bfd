// `cluster etcdctl`: flags and verbs as etcdctl 3.4 has them, over the etcd v3 JSON gateway.
#include "client/etcdctl.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "client/etcd_gateway.h"
#include "client/etcdctl_output.h"
#include "common/base64.h"
#include "common/json.h"

namespace cluster::client {
namespace {

struct Globals {
  std::vector<std::string> endpoints;
  std::string cacert, cert, key;
  std::string data_dir = "/var/lib/cluster";
  std::string write_out = "simple";
};

struct KeyArgs {
  std::vector<std::string> args;
  bool prefix = false;
  bool from_key = false;
};

struct GetFlags : KeyArgs {
  bool keys_only = false, print_value_only = false, count_only = false;
  int64_t rev = 0, limit = 0;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "Error: %s\n", message.c_str());
  return 1;
}

bool Exists(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

// Connection settings: flags first; whatever is missing comes from the local server's data dir.
EtcdGatewayConfig Connection(const Globals& g) {
  EtcdGatewayConfig c;
  c.endpoints = g.endpoints;
  std::string tls = g.data_dir + "/server/tls/etcd/";
  c.cacert = !g.cacert.empty()               ? g.cacert
             : Exists(tls + "server-ca.crt") ? tls + "server-ca.crt"
                                             : "";
  c.cert = !g.cert.empty() ? g.cert : Exists(tls + "client.crt") ? tls + "client.crt" : "";
  c.key = !g.key.empty() ? g.key : Exists(tls + "client.key") ? tls + "client.key" : "";
  if (c.endpoints.empty()) {
    std::ifstream in(EtcdEndpointsFile(g.data_dir));
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) c.endpoints.push_back(line);
  }
  if (c.endpoints.empty()) c.endpoints.push_back("https://127.0.0.1:2379");
  return c;
}

std::string PrefixEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    auto c = static_cast<unsigned char>(end.back());
    if (c < 0xff) {
      end.back() = static_cast<char>(c + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');
}

// key and range_end of a key argument list, as clientv3's WithPrefix/WithFromKey set them.
Status KeyRange(const KeyArgs& a, const char* verb, std::string* key, std::string* end) {
  if (a.args.empty() || a.args.size() > 2)
    return BadRequest(std::string(verb) +
                      " command needs one argument as key and an optional argument as range_end");
  if ((a.prefix || a.from_key) && a.args.size() > 1)
    return BadRequest(
        "too many arguments, only accept one argument when `--prefix` or "
        "`--from-key` is set");
  *key = a.args[0];
  if (a.args.size() == 2) *end = a.args[1];
  if (a.prefix) {
    if (key->empty()) *key = std::string(1, '\0');
    *end = key->size() == 1 && (*key)[0] == '\0' ? std::string(1, '\0') : PrefixEnd(*key);
  }
  if (a.from_key) {
    if (key->empty()) *key = std::string(1, '\0');
    *end = std::string(1, '\0');
  }
  return Status::Ok();
}

// Sends one request; prints the response as JSON for -w json, else hands it to `simple`.
int CallAndPrint(const Globals& g, const std::string& path, const json::Document& req,
                 const std::function<void(const json::Value&)>& simple) {
  if (g.write_out != "simple" && g.write_out != "json")
    return Fail("unsupported output format " + g.write_out + " (simple, json)");
  EtcdGateway gw(Connection(g));
  auto body = gw.Call(path, json::Serialize(req));
  if (!body.ok()) return Fail(body.status().message());
  auto doc = json::Parse(*body);
  if (!doc.ok()) return Fail("bad response from " + gw.endpoint() + ": " + doc.status().message());
  if (g.write_out == "json") {
    std::printf("%s\n", etcdctl::ToEtcdctlJson(*doc).c_str());
  } else {
    simple(*doc);
  }
  return 0;
}

json::Document Request() {
  json::Document d;
  d.SetObject();
  return d;
}

void SetBytes(json::Document& d, const char* name, const std::string& v) {
  if (!v.empty()) json::SetString(d, name, Base64Encode(v), d.GetAllocator());
}
void SetInt(json::Document& d, const char* name, int64_t v) {
  if (v != 0) json::SetString(d, name, std::to_string(v), d.GetAllocator());
}
void SetTrue(json::Document& d, const char* name, bool v) {
  if (v) json::Set(d, name, json::Value(true), d.GetAllocator());
}

int RunGet(const Globals& g, const GetFlags& f) {
  std::string key, end;
  Status st = KeyRange(f, "get", &key, &end);
  if (!st.ok()) return Fail(st.message());
  json::Document req = Request();
  SetBytes(req, "key", key);
  SetBytes(req, "range_end", end);
  SetInt(req, "limit", f.limit);
  SetInt(req, "revision", f.rev);
  SetTrue(req, "keys_only", f.keys_only);
  SetTrue(req, "count_only", f.count_only);
  return CallAndPrint(g, "/v3/kv/range", req, [&](const json::Value& resp) {
    if (f.count_only) {
      std::printf("%s\n", json::GetString(resp, {"count"}, "0").c_str());
      return;
    }
    etcdctl::PrintKvs(resp, f.print_value_only);
  });
}

int RunPut(const Globals& g, const std::vector<std::string>& args, bool prev_kv) {
  if (args.empty() || args.size() > 2)
    return Fail("put command needs 1 argument and input from stdin or 2 arguments");
  std::string value;
  if (args.size() == 2) {
    value = args[1];
  } else {  // as etcdctl: the value comes from stdin
    value.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  json::Document req = Request();
  SetBytes(req, "key", args[0]);
  SetBytes(req, "value", value);
  SetTrue(req, "prev_kv", prev_kv);
  return CallAndPrint(g, "/v3/kv/put", req, [&](const json::Value& resp) {
    std::printf("OK\n");
    const json::Value* prev = json::Find(resp, {"prev_kv"});
    if (prev != nullptr) {
      std::printf("%s\n%s\n", etcdctl::Bytes(*prev, "key").c_str(),
                  etcdctl::Bytes(*prev, "value").c_str());
    }
  });
}

int RunDel(const Globals& g, const KeyArgs& a, bool prev_kv) {
  std::string key, end;
  Status st = KeyRange(a, "del", &key, &end);
  if (!st.ok()) return Fail(st.message());
  json::Document req = Request();
  SetBytes(req, "key", key);
  SetBytes(req, "range_end", end);
  SetTrue(req, "prev_kv", prev_kv);
  return CallAndPrint(g, "/v3/kv/deleterange", req, [&](const json::Value& resp) {
    std::printf("%s\n", json::GetString(resp, {"deleted"}, "0").c_str());
    const json::Value* prev = json::Find(resp, {"prev_kvs"});
    if (prev != nullptr && prev->IsArray()) {
      json::Document wrapped = Request();
      json::Set(wrapped, "kvs", json::Value(*prev, wrapped.GetAllocator()), wrapped.GetAllocator());
      etcdctl::PrintKvs(wrapped, false);
    }
  });
}

int RunCompaction(const Globals& g, const std::vector<std::string>& args, bool physical) {
  if (args.size() != 1) return Fail("compaction command needs 1 argument");
  int64_t rev = 0;
  try {
    size_t used = 0;
    rev = std::stoll(args[0], &used);
    if (used != args[0].size()) throw std::invalid_argument(args[0]);
  } catch (const std::exception&) {
    return Fail("bad revision " + args[0]);
  }
  json::Document req = Request();
  SetInt(req, "revision", rev);
  SetTrue(req, "physical", physical);
  return CallAndPrint(g, "/v3/kv/compaction", req, [&](const json::Value&) {
    std::printf("compacted revision %lld\n", (long long)rev);
  });
}

int RunEndpointStatus(const Globals& g) {
  EtcdGatewayConfig conn = Connection(g);
  std::string rows, json_rows;
  int rc = 0;
  for (const std::string& ep : conn.endpoints) {
    EtcdGatewayConfig one = conn;
    one.endpoints = {ep};
    EtcdGateway gw(one);
    auto body = gw.Call("/v3/maintenance/status", "{}");
    auto doc = body.ok() ? json::Parse(*body) : Result<json::Document>(body.status());
    if (!doc.ok()) {
      std::fprintf(stderr, "Failed to get the status of endpoint %s (%s)\n", ep.c_str(),
                   doc.status().message().c_str());
      rc = 1;
      continue;
    }
    if (g.write_out == "json") {
      if (!json_rows.empty()) json_rows += ",";
      json_rows += "{\"Endpoint\":\"" + ep + "\",\"Status\":" + etcdctl::ToEtcdctlJson(*doc) + "}";
    } else {
      etcdctl::PrintEndpointStatus(ep, *doc);
    }
  }
  if (g.write_out == "json") std::printf("[%s]\n", json_rows.c_str());
  return rc;
}

void PrintWatchJson(const json::Value& result) {
  // etcdctl prints clientv3.WatchResponse, a Go struct without json tags.
  const json::Value* header = json::Find(result, {"header"});
  const json::Value* events = json::Find(result, {"events"});
  std::printf(
      "{\"Header\":%s,\"Events\":%s,\"CompactRevision\":0,\"Canceled\":false,"
      "\"Created\":false}\n",
      header ? etcdctl::ToEtcdctlJson(*header).c_str() : "{}",
      events ? etcdctl::ToEtcdctlJson(*events).c_str() : "null");
}

// Handles one streamed line; false (with *error set) ends the watch.
bool OnWatchLine(const Globals& g, bool prev_kv, const std::string& line, std::string* error) {
  auto doc = json::Parse(line);
  const json::Value* result = doc.ok() ? json::Find(*doc, {"result"}) : nullptr;
  if (result == nullptr) {
    *error = doc.ok() ? json::GetString(*doc, {"message"}, line) : "bad watch response";
    return false;
  }
  if (json::GetBool(*result, {"canceled"})) {
    std::string reason = json::GetString(*result, {"cancel_reason"});
    if (reason.empty()) reason = "etcdserver: mvcc: required revision has been compacted";
    *error = "watch was canceled (" + reason + ")";
    return false;
  }
  const json::Value* events = json::Find(*result, {"events"});
  if (events == nullptr || !events->IsArray()) return true;  // created or progress
  if (g.write_out == "json") {
    PrintWatchJson(*result);
  } else {
    for (const auto& ev : events->GetArray()) etcdctl::PrintEvent(ev, prev_kv);
  }
  std::fflush(stdout);
  return true;
}

int RunWatch(const Globals& g, const KeyArgs& a, int64_t rev, bool prev_kv) {
  std::string key, end;
  Status st = KeyRange(a, "watch", &key, &end);
  if (!st.ok()) return Fail(st.message());
  json::Document create = Request();
  SetBytes(create, "key", key);
  SetBytes(create, "range_end", end);
  SetInt(create, "start_revision", rev);
  SetTrue(create, "prev_kv", prev_kv);
  json::Document req = Request();
  json::Set(req, "create_request", json::Value(create, req.GetAllocator()), req.GetAllocator());
  EtcdGateway gw(Connection(g));
  std::string error;
  st = gw.Stream("/v3/watch", json::Serialize(req),
                 [&](const std::string& line) { return OnWatchLine(g, prev_kv, line, &error); });
  if (!error.empty()) return Fail(error);
  if (!st.ok()) return Fail(st.message());
  return Fail("watch is canceled by the server");
}

}  // namespace

std::string EtcdEndpointsFile(const std::string& data_dir) {
  return data_dir + "/server/etcd-api-endpoints";
}

void AddEtcdctlCommand(CLI::App* app, int* rc) {
  auto g = std::make_shared<Globals>();
  CLI::App* cmd = app->add_subcommand("etcdctl", "etcdctl 3.4 for the store's etcd API");
  cmd->require_subcommand(1);
  cmd->add_option("--endpoints", g->endpoints, "gRPC-gateway endpoints")->delimiter(',');
  cmd->add_option("--cacert", g->cacert, "CA bundle that signed the server certificate");
  cmd->add_option("--cert", g->cert, "Client certificate");
  cmd->add_option("--key", g->key, "Client key");
  cmd->add_option("--data-dir", g->data_dir, "Server data dir for the default connection")
      ->capture_default_str();
  cmd->add_option("-w,--write-out", g->write_out, "Output format (simple, json)")
      ->capture_default_str();

  auto get = std::make_shared<GetFlags>();
  CLI::App* c = cmd->add_subcommand("get", "Gets the key or a range of keys")->fallthrough();
  c->add_option("key", get->args, "KEY [RANGE_END]");
  c->add_flag("--prefix", get->prefix, "Get keys with matching prefix");
  c->add_flag("--from-key", get->from_key, "Get keys >= the given key");
  c->add_flag("--keys-only", get->keys_only, "Get only the keys");
  c->add_flag("--print-value-only", get->print_value_only, "Only write values");
  c->add_flag("--count-only", get->count_only, "Get only the count");
  c->add_option("--rev", get->rev, "Revision to read at");
  c->add_option("--limit", get->limit, "Maximum number of results");
  c->callback([=] { *rc = RunGet(*g, *get); });

  auto put_args = std::make_shared<std::vector<std::string>>();
  auto put_prev = std::make_shared<bool>(false);
  c = cmd->add_subcommand("put", "Puts the given key into the store")->fallthrough();
  c->add_option("args", *put_args, "KEY VALUE");
  c->add_flag("--prev-kv", *put_prev, "Return the previous key-value pair");
  c->callback([=] { *rc = RunPut(*g, *put_args, *put_prev); });

  auto del = std::make_shared<KeyArgs>();
  auto del_prev = std::make_shared<bool>(false);
  c = cmd->add_subcommand("del", "Removes the key or range of keys")->fallthrough();
  c->add_option("key", del->args, "KEY [RANGE_END]");
  c->add_flag("--prefix", del->prefix, "Delete keys with matching prefix");
  c->add_flag("--from-key", del->from_key, "Delete keys >= the given key");
  c->add_flag("--prev-kv", *del_prev, "Return deleted key-value pairs");
  c->callback([=] { *rc = RunDel(*g, *del, *del_prev); });

  auto watch = std::make_shared<KeyArgs>();
  auto watch_rev = std::make_shared<int64_t>(0);
  auto watch_prev = std::make_shared<bool>(false);
  c = cmd->add_subcommand("watch", "Watches events on a key or prefix")->fallthrough();
  c->add_option("key", watch->args, "KEY [RANGE_END]");
  c->add_flag("--prefix", watch->prefix, "Watch on a prefix");
  c->add_option("--rev", *watch_rev, "Revision to start watching");
  c->add_flag("--prev-kv", *watch_prev, "Get the previous key-value pair before the event");
  c->callback([=] { *rc = RunWatch(*g, *watch, *watch_rev, *watch_prev); });

  auto comp_args = std::make_shared<std::vector<std::string>>();
  auto physical = std::make_shared<bool>(false);
  c = cmd->add_subcommand("compaction", "Compacts the event history")->fallthrough();
  c->add_option("revision", *comp_args, "REVISION");
  c->add_flag("--physical", *physical, "Wait for the compaction to be applied");
  c->callback([=] { *rc = RunCompaction(*g, *comp_args, *physical); });

  CLI::App* ep = cmd->add_subcommand("endpoint", "Endpoint related commands")->fallthrough();
  ep->require_subcommand(1);
  ep->add_subcommand("status", "Prints the status of the endpoints")->fallthrough()->callback([=] {
    *rc = RunEndpointStatus(*g);
  });
}

}  // namespace cluster::client
