// The real kubectl (v1.32 on the PATH) against `cluster server`: the apiserver issue's
// end-to-end scenarios. One server is shared by every case (each case uses its own names).
#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "kubectl_helpers.h"

using namespace cluster::e2e;

namespace {

std::string PodYaml(const std::string& name, const std::string& ns = "default") {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\n  labels:\n    app: " + name +
         "\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n    ports:\n"
         "    - containerPort: 8080\n";
}

// These cases test the server's own handling, so kubectl validates nothing on its side
// (apply_test.cpp covers the default --validate=strict).
const std::string kNoValidate = "--validate=false";

}  // namespace

TEST_CASE("kubectl sees the bootstrap objects", "[kubectl]") {
  std::string ns = Ok({"get", "namespaces"});
  for (const char* n : {"default", "kube-system", "kube-public", "kube-node-lease"})
    CHECK(Contains(ns, n));
  std::string svc = Ok({"get", "service", "kubernetes", "-o", "wide"});
  CHECK(Contains(svc, "10.43.0.1"));
  CHECK(Contains(svc, "443/TCP"));
  std::string ep =
      Ok({"get", "endpoints", "kubernetes", "-o", "jsonpath={.subsets[0].ports[0].port}"});
  CHECK(ep == std::to_string(Server().api_port()));
  CHECK(Contains(Ok({"version"}), "v1.32.0+cluster"));
  CHECK(Contains(Ok({"api-resources"}), "deployments"));
}

TEST_CASE("create, get in every output, label, annotate", "[kubectl]") {
  Ok({"create", kNoValidate, "-f", "-"}, PodYaml("p1"));
  std::string table = Ok({"get", "pods", "p1"});
  CHECK(Contains(table, "NAME"));
  CHECK(Contains(table, "READY"));
  CHECK(Contains(table, "Pending"));
  std::string wide = Ok({"get", "pod", "p1", "-o", "wide"});
  CHECK(Contains(wide, "NOMINATED NODE"));
  std::string yaml = Ok({"get", "pod", "p1", "-o", "yaml"});
  CHECK(Contains(yaml, "imagePullPolicy: IfNotPresent"));
  CHECK(Contains(yaml, "node.kubernetes.io/not-ready"));
  CHECK(Contains(yaml, "restartPolicy: Always"));
  std::string json = Ok({"get", "pod", "p1", "-o", "json"});
  CHECK(Contains(json, "\"uid\""));
  Ok({"label", "pod", "p1", "tier=web"});
  CHECK(Contains(Ok({"get", "pods", "--show-labels"}), "tier=web"));
  CHECK(Contains(Ok({"get", "pods", "-l", "tier in (web,db)", "-o", "name"}), "pod/p1"));
  CHECK(Ok({"get", "pods", "-l", "tier!=web", "-o", "name"}).find("pod/p1") == std::string::npos);
  Ok({"label", "pod", "p1", "tier-"});
  CHECK(!Contains(Ok({"get", "pod", "p1", "--show-labels"}), "tier=web"));
  Ok({"annotate", "pod", "p1", "note=hello"});
  CHECK(Ok({"get", "pod", "p1", "-o", "jsonpath={.metadata.annotations.note}"}) == "hello");
  Ok({"annotate", "pod", "p1", "note-"});
  CHECK(Ok({"get", "pod", "p1", "-o", "jsonpath={.metadata.annotations.note}"}).empty());
  CHECK(Contains(Ok({"get", "pods", "-A"}), "default"));
  CHECK(Contains(Ok({"get", "pods", "--field-selector", "metadata.name=p1", "-o", "name"}),
                 "pod/p1"));
  CHECK(Contains(Ok({"get", "pods", "--sort-by", ".metadata.name", "-o", "name"}), "pod/p1"));
}

TEST_CASE("patch with all three patch types", "[kubectl]") {
  Ok({"create", kNoValidate, "-f", "-"}, PodYaml("p2"));
  Ok({"patch", "pod", "p2", "--type", "strategic", "-p",
      R"({"spec":{"containers":[{"name":"c","image":"busybox:1.37"}]}})"});
  CHECK(Ok({"get", "pod", "p2", "-o", "jsonpath={.spec.containers[0].image}"}) == "busybox:1.37");
  CHECK(Ok({"get", "pod", "p2", "-o", "jsonpath={.spec.containers[0].ports[0].containerPort}"}) ==
        "8080");
  Ok({"patch", "pod", "p2", "--type", "merge", "-p", R"({"metadata":{"labels":{"m":"1"}}})"});
  Ok({"patch", "pod", "p2", "--type", "json", "-p",
      R"([{"op":"add","path":"/metadata/labels/j","value":"2"}])"});
  std::string labels = Ok({"get", "pod", "p2", "-o", "jsonpath={.metadata.labels}"});
  CHECK(Contains(labels, "\"m\":\"1\""));
  CHECK(Contains(labels, "\"j\":\"2\""));
  std::string err = Fails({"patch", "pod", "p2", "--type", "json", "-p",
                           R"([{"op":"test","path":"/metadata/name","value":"other"}])"});
  CHECK(!err.empty());
}

TEST_CASE("error messages as kube-apiserver words them", "[kubectl]") {
  CHECK(Contains(Fails({"get", "pod", "missing"}),
                 "Error from server (NotFound): pods \"missing\" not found"));
  Ok({"create", kNoValidate, "-f", "-"}, PodYaml("p3"));
  CHECK(Contains(Fails({"create", kNoValidate, "-f", "-"}, PodYaml("p3")), "(AlreadyExists)"));
  CHECK(Contains(Fails({"create", kNoValidate, "-f", "-"},
                       "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec: {}\n"),
                 "The Pod \"bad\" is invalid: spec.containers: Required value"));
  CHECK(Contains(Fails({"create", kNoValidate, "-f", "-"},
                       "apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Name\nspec:\n"
                       "  containers:\n  - name: c\n    image: x\n"),
                 "metadata.name: Invalid value: \"Bad_Name\""));
  // A stale resourceVersion is a Conflict.
  std::string obj = Ok({"get", "pod", "p3", "-o", "json"});
  Ok({"label", "pod", "p3", "bump=1"});
  std::string conflict = Fails({"replace", kNoValidate, "-f", "-"}, obj);
  INFO(conflict);
  CHECK(Contains(conflict, "(Conflict)"));
  // No credentials: Unauthorized.
  HttpResult anon = HttpRequest("GET", Server().api_url() + "/api/v1/pods", "", {},
                                TlsFiles{Server().admin_tls().ca, "", ""});
  CHECK(anon.code == 401);
  CHECK(Contains(anon.body, "\"reason\":\"Unauthorized\""));
  CommandResult bad = Kubectl({"get", "pods", "--token", "nope", "--client-certificate", "",
                               "--client-key", "", "--username", ""});
  (void)bad;
  // /version needs no credentials (the kubectl dispatcher asks it first).
  HttpResult version = HttpRequest("GET", Server().api_url() + "/version", "", {},
                                   TlsFiles{Server().admin_tls().ca, "", ""});
  CHECK(version.code == 200);
  CHECK(Contains(version.body, "\"minor\":\"32\""));
}

TEST_CASE("the seed's curl binding call binds once", "[kubectl]") {
  Ok({"create", kNoValidate, "-f", "-"}, PodYaml("p4"));
  TlsFiles tls = Server().admin_tls();
  std::string url = Server().api_url() + "/api/v1/namespaces/default/pods/p4/binding";
  std::string body =
      R"({"apiVersion":"v1","kind":"Binding","metadata":{"name":"p4"},"target":{"apiVersion":"v1","kind":"Node","name":"node-a"}})";
  HttpResult first = HttpRequest("POST", url, body, {"Content-Type: application/json"}, tls);
  CHECK(first.code == 201);
  CHECK(Ok({"get", "pod", "p4", "-o", "jsonpath={.spec.nodeName}"}) == "node-a");
  HttpResult second = HttpRequest("POST", url, body, {"Content-Type: application/json"}, tls);
  CHECK(second.code == 409);
}

TEST_CASE("taint nodes, describe", "[kubectl]") {
  Ok({"create", kNoValidate, "-f", "-"},
     "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\nstatus:\n  conditions:\n"
     "  - type: Ready\n    status: \"True\"\n");
  Ok({"taint", "nodes", "n1", "dedicated=gpu:NoSchedule"});
  CHECK(Contains(Ok({"get", "node", "n1", "-o", "jsonpath={.spec.taints}"}), "dedicated"));
  Ok({"taint", "nodes", "n1", "dedicated-"});
  CHECK(!Contains(Ok({"get", "node", "n1", "-o", "jsonpath={.spec.taints}"}), "dedicated"));
  CHECK(Contains(Ok({"get", "nodes"}), "Ready"));
  std::string d = Ok({"describe", "node", "n1"});
  CHECK(Contains(d, "Name:"));
  Ok({"create", kNoValidate, "-f", "-"}, PodYaml("p5"));
  std::string dp = Ok({"describe", "pod", "p5"});
  CHECK(Contains(dp, "Tolerations:"));
  CHECK(Contains(dp, "busybox:1.36"));
}

TEST_CASE("delete: graceful pods, cascade options", "[kubectl]") {
  Ok({"create", kNoValidate, "-f", "-"}, PodYaml("p6"));
  // Unscheduled pods go at once.
  Ok({"delete", "pod", "p6"});
  CHECK(Contains(Fails({"get", "pod", "p6"}), "NotFound"));
  // Orphan cascade leaves the orphan finalizer for the garbage collector.
  Ok({"create", kNoValidate, "-f", "-"},
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm1\ndata:\n  a: b\n");
  Ok({"delete", "configmap", "cm1", "--cascade=orphan", "--wait=false"});
  CHECK(
      Contains(Ok({"get", "configmap", "cm1", "-o", "jsonpath={.metadata.finalizers}"}), "orphan"));
  // Deleting it again changes nothing, so nothing is written (same resourceVersion).
  std::string rv = Ok({"get", "configmap", "cm1", "-o", "jsonpath={.metadata.resourceVersion}"});
  Ok({"delete", "configmap", "cm1", "--cascade=orphan", "--wait=false"});
  CHECK(Ok({"get", "configmap", "cm1", "-o", "jsonpath={.metadata.resourceVersion}"}) == rv);
  Ok({"patch", "configmap", "cm1", "--type", "json", "-p",
      R"([{"op":"remove","path":"/metadata/finalizers"}])"});
  CHECK(Contains(Fails({"get", "configmap", "cm1"}), "NotFound"));
  Ok({"create", kNoValidate, "-f", "-"},
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm2\n");
  Ok({"delete", "configmap", "cm2", "--cascade=background"});
  CHECK(Contains(Fails({"get", "configmap", "cm2"}), "NotFound"));
}

TEST_CASE("kubectl get -w streams changes", "[kubectl]") {
  std::thread creator([] {
    // The watch is open well before this; the poll below bounds the whole case.
    PollUntil([] { return false; }, 2500ms);
    Kubectl({"create", kNoValidate, "-f", "-"},
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\n");
  });
  CommandResult r = Kubectl({"get", "configmaps", "-w", "--request-timeout=10s"}, "", 12s);
  creator.join();
  CHECK(Contains(r.out, "watched"));
}

TEST_CASE("watch resumes from a resourceVersion and answers 410 when too old", "[kubectl]") {
  TlsFiles tls = Server().admin_tls();
  std::string base = Server().api_url() + "/api/v1/namespaces/default/configmaps";
  HttpResult list = HttpRequest("GET", base, "", {}, tls);
  REQUIRE(list.code == 200);
  auto rv_pos = list.body.find("\"resourceVersion\":\"");
  REQUIRE(rv_pos != std::string::npos);
  std::string rv = list.body.substr(rv_pos + 19, list.body.find('"', rv_pos + 19) - rv_pos - 19);
  for (const char* name : {"resume1", "resume2"})
    Ok({"create", kNoValidate, "-f", "-"},
       std::string("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ") + name + "\n");
  HttpResult w = HttpRequest("GET", base + "?watch=true&timeoutSeconds=1&resourceVersion=" + rv, "",
                             {}, tls, 10s);
  CHECK(w.code == 200);
  CHECK(Contains(w.body, "\"type\":\"ADDED\""));
  CHECK(Contains(w.body, "resume1"));
  CHECK(Contains(w.body, "resume2"));
  // Compact the store past rv, then resuming from rv is 410 Gone.
  std::string now = rv;
  HttpResult latest = HttpRequest("GET", base, "", {}, tls);
  auto p = latest.body.find("\"resourceVersion\":\"");
  now = latest.body.substr(p + 19, latest.body.find('"', p + 19) - p - 19);
  HttpResult c = Server().EtcdCall("/v3/kv/compaction", "{\"revision\":\"" + now + "\"}");
  REQUIRE(c.code == 200);
  HttpResult gone = HttpRequest("GET", base + "?watch=true&timeoutSeconds=1&resourceVersion=" + rv,
                                "", {}, tls, 10s);
  CHECK(Contains(gone.body, "\"code\":410"));
  CHECK(Contains(gone.body, "\"reason\":\"Expired\""));
}

TEST_CASE("deleting a namespace empties and removes it", "[kubectl]") {
  Ok({"create", kNoValidate, "-f", "-"},
     "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: doomed\n");
  Ok({"create", kNoValidate, "-f", "-"},
     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: inside\n  namespace: doomed\n");
  Ok({"create", kNoValidate, "-f", "-"}, PodYaml("inside", "doomed"));
  Ok({"delete", "namespace", "doomed", "--timeout=30s"});
  CHECK(Contains(Fails({"get", "namespace", "doomed"}), "NotFound"));
  CHECK(Contains(Fails({"get", "configmap", "inside", "-n", "doomed"}), "NotFound"));
}

TEST_CASE("bad input gets a Status, never a crash", "[kubectl]") {
  TlsFiles tls = Server().admin_tls();
  std::string url = Server().api_url() + "/api/v1/namespaces/default/configmaps";
  std::vector<std::string> json = {"Content-Type: application/json"};
  HttpResult big = HttpRequest("POST", url, std::string(4 * 1024 * 1024, 'x'), json, tls);
  CHECK(big.code == 413);
  HttpResult malformed = HttpRequest("POST", url, "{\"kind\":", json, tls);
  CHECK(malformed.code == 400);
  CHECK(Contains(malformed.body, "\"kind\":\"Status\""));
  HttpResult wrong_kind = HttpRequest(
      "POST", url, R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"x"}})", json, tls);
  CHECK(wrong_kind.code == 400);
  HttpResult deep =
      HttpRequest("POST", url, std::string(100000, '[') + std::string(100000, ']'), json, tls);
  CHECK(deep.code == 400);
  HttpResult unknown_path =
      HttpRequest("GET", Server().api_url() + "/apis/nope/v1/things", "", {}, tls);
  CHECK(unknown_path.code == 404);
  HttpResult bad_selector = HttpRequest("GET", url + "?labelSelector=a%20in%20(", "", {}, tls);
  CHECK(bad_selector.code == 400);
  HttpResult bad_field = HttpRequest("GET", url + "?fieldSelector=spec.nope%3Dx", "", {}, tls);
  CHECK(bad_field.code == 400);
  // Still serving.
  CHECK(HttpRequest("GET", url, "", {}, tls).code == 200);
}

TEST_CASE("kubectl create <kind> sends protobuf and gets the object kube-apiserver makes",
          "[kubectl]") {
  Ok({"create", "namespace", "proto"});
  Ok({"create", "deployment", "web", "--image=nginx:1.25", "-n", "proto"});
  Ok({"create", "configmap", "c", "--from-literal=a=b", "-n", "proto"});
  Ok({"create", "secret", "generic", "s", "--from-literal=p=q", "-n", "proto"});
  Ok({"create", "service", "clusterip", "my-cs", "--tcp=5678:8080", "-n", "proto"});
  Ok({"create", "job", "j", "--image=busybox", "-n", "proto"});
  Ok({"create", "serviceaccount", "sa", "-n", "proto"});
  CHECK(Ok({"get", "configmap", "c", "-n", "proto", "-o", "jsonpath={.data.a}"}) == "b");
  CHECK(Ok({"get", "secret", "s", "-n", "proto", "-o", "jsonpath={.data.p}"}) == "cQ==");
  CHECK(Ok({"get", "deploy", "web", "-n", "proto", "-o",
            "jsonpath={.spec.template.spec.containers[0].image} "
            "{.spec.strategy.rollingUpdate.maxSurge}"}) == "nginx:1.25 25%");
  std::string svc =
      Ok({"get", "svc", "my-cs", "-n", "proto", "-o",
          "jsonpath={.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.clusterIP}"});
  CHECK(Contains(svc, "5678 8080 10.43."));
  CHECK(Ok({"get", "job", "j", "-n", "proto", "-o",
            "jsonpath={.spec.template.spec.restartPolicy}"}) == "Never");
}

TEST_CASE("kubectl auth can-i is answered by the authorizer; others are Forbidden", "[kubectl]") {
  CHECK(Contains(Ok({"auth", "can-i", "create", "pods"}), "yes"));
  CHECK(Contains(Ok({"auth", "can-i", "--list"}), "*.*"));
  CommandResult no = Kubectl({"auth", "can-i", "get", "pods", "--as=bob"});
  CHECK(no.exit_code == 1);
  CHECK(Contains(no.out, "no"));
  CHECK(Contains(Fails({"get", "pods", "--as=bob"}),
                 "Error from server (Forbidden): pods is forbidden: User \"bob\" cannot list "
                 "resource \"pods\" in API group \"\" in the namespace \"default\""));
}

TEST_CASE("events.k8s.io/v1 and core/v1 events are one collection in two shapes", "[kubectl]") {
  Ok({"create", kNoValidate, "-f", "-"},
     "apiVersion: events.k8s.io/v1\nkind: Event\nmetadata:\n  name: ev1\n  namespace: default\n"
     "eventTime: \"2026-12-01T11:00:00.000000Z\"\nreportingController: test\n"
     "reportingInstance: test-1\naction: Check\nreason: Checked\nnote: hello\ntype: Normal\n"
     "regarding:\n  kind: Pod\n  name: p1\n  namespace: default\n");
  CHECK(Ok({"get", "events", "ev1", "-o", "jsonpath={.message} {.involvedObject.name}"}) ==
        "hello p1");
  CHECK(Ok({"get", "events.v1.events.k8s.io", "ev1", "-o", "jsonpath={.note} {.regarding.name}"}) ==
        "hello p1");
  CHECK(Contains(Ok({"get", "events", "--field-selector", "involvedObject.name=p1"}), "Checked"));
}

TEST_CASE("bearer tokens from the token file authenticate; unknown ones get 401", "[kubectl]") {
  ServerProcess s;
  s.set_ready_probe(ServerProcess::ApiserverReady);
  // Written before the server starts: token,user,uid,"groups".
  std::string cred = s.data_dir() + "/server/cred";
  REQUIRE(Run({"mkdir", "-p", cred}).exit_code == 0);
  REQUIRE(Run({"sh", "-c",
               "printf 't0ken,alice,1,\"system:masters\"\\nb0b,bob,2\\n' > " + cred +
                   "/known-tokens.csv"})
              .exit_code == 0);
  REQUIRE(s.Start());
  std::string ca = s.admin_tls().ca;
  auto as = [&](const std::string& token) {
    return HttpRequest("GET", s.api_url() + "/api/v1/namespaces", "",
                       {"Authorization: Bearer " + token}, TlsFiles{ca, "", ""});
  };
  CHECK(as("t0ken").code == 200);
  HttpResult bob = as("b0b");
  CHECK(bob.code == 403);
  CHECK(Contains(bob.body, "User \\\"bob\\\" cannot list resource \\\"namespaces\\\""));
  CHECK(as("nope").code == 401);
}
