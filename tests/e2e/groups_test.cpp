// The networking.k8s.io, autoscaling, storage.k8s.io, node.k8s.io, certificates.k8s.io and
// authentication.k8s.io APIs with the real kubectl: objects as kube-apiserver 1.32 stores,
// defaults, validates and prints them.
#include <catch2/catch.hpp>
#include <string>

#include "common/json.h"
#include "kubectl_helpers.h"

using namespace cluster;
using namespace cluster::e2e;

namespace {

json::Document GetJson(const std::vector<std::string>& args) {
  std::vector<std::string> a = {"get"};
  a.insert(a.end(), args.begin(), args.end());
  a.insert(a.end(), {"-o", "json"});
  auto d = json::Parse(Ok(a));
  REQUIRE(d.ok());
  return std::move(d).value();
}

// The cells of `kubectl get` output in the row of `name`, cut at the header's column starts
// (cells may be empty).
std::vector<std::string> Row(const std::string& table, const std::string& name) {
  std::vector<std::string> lines;
  for (size_t at = 0; at < table.size();) {
    size_t end = table.find('\n', at);
    lines.push_back(table.substr(at, end == std::string::npos ? std::string::npos : end - at));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  if (lines.empty()) return {};
  std::vector<size_t> starts;
  const std::string& header = lines[0];
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] != ' ' && (i == 0 || header[i - 1] == ' ')) starts.push_back(i);
  for (const std::string& line : lines) {
    if (line.rfind(name + " ", 0) != 0) continue;
    std::vector<std::string> cells;
    for (size_t c = 0; c < starts.size(); ++c) {
      size_t from = starts[c];
      size_t to = c + 1 < starts.size() ? starts[c + 1] : line.size();
      std::string cell = from < line.size() ? line.substr(from, to - from) : "";
      while (!cell.empty() && cell.back() == ' ') cell.pop_back();
      cells.push_back(cell);
    }
    return cells;
  }
  return {};
}

}  // namespace

TEST_CASE("ingresses: kubectl create, the columns, validation", "[groups]") {
  CHECK(Contains(OkAll({"create", "ingress", "web", "--rule=foo.com/=svc:80",
                        "--rule=bar.com/*=svc2:8080,tls=sec"}),
                 "ingress.networking.k8s.io/web created"));
  auto row = Row(Ok({"get", "ingress"}), "web");
  REQUIRE(row.size() == 6);
  CHECK(row[1] == "<none>");
  CHECK(row[2] == "foo.com,bar.com");
  CHECK(row[4] == "80, 443");
  json::Document ing = GetJson({"ingress", "web"});
  CHECK(json::GetString(ing["spec"]["rules"][0]["http"]["paths"][0], {"pathType"}) == "Exact");
  CHECK(json::GetString(ing["spec"]["rules"][1]["http"]["paths"][0], {"pathType"}) == "Prefix");

  const std::string bad =
      "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: bad\nspec:\n"
      "  rules:\n  - host: x.com\n    http:\n      paths:\n      - path: /\n        backend:\n"
      "          service:\n            name: s\n            port:\n              number: 80\n";
  CHECK(Contains(Fails({"apply", "-f", "-"}, bad),
                 "spec.rules[0].http.paths[0].pathType: Required value: pathType must be "
                 "specified"));
  CHECK(Contains(Fails({"apply", "-f", "-"},
                       "apiVersion: networking.k8s.io/v1\nkind: Ingress\n"
                       "metadata:\n  name: empty\nspec: {}\n"),
                 "either `defaultBackend` or `rules` must be specified"));
  CHECK(Contains(OkAll({"explain", "ingress.spec.rules.http.paths.pathType"}), "pathType"));
}

TEST_CASE("kubectl autoscale writes autoscaling/v1; v2 reads the same object", "[groups]") {
  Ok({"create", "deployment", "hpa-web", "--image=busybox"});
  Ok({"autoscale", "deployment", "hpa-web", "--max=3"});
  auto row = Row(Ok({"get", "hpa"}), "hpa-web");
  REQUIRE(row.size() == 7);
  CHECK(row[1] == "Deployment/hpa-web");
  CHECK(row[2] == "cpu: <unknown>/80%");
  CHECK(row[3] == "1");
  CHECK(row[4] == "3");
  // The same object through autoscaling/v1.
  json::Document v1 = GetJson({"horizontalpodautoscalers.v1.autoscaling", "hpa-web"});
  CHECK(json::GetString(v1, {"apiVersion"}) == "autoscaling/v1");
  CHECK(json::GetInt(v1, {"spec", "targetCPUUtilizationPercentage"}) == 80);

  // A v2 object with a memory metric: v1 clients see the CPU target, the rest rides in an
  // annotation, and a v1 update keeps it.
  Ok({"apply", "-f", "-"},
     "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: hpa-mem\n"
     "spec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n"
     "    name: hpa-web\n  maxReplicas: 5\n  metrics:\n  - type: Resource\n    resource:\n"
     "      name: cpu\n      target:\n        type: Utilization\n        averageUtilization: 60\n"
     "  - type: Resource\n    resource:\n      name: memory\n      target:\n"
     "        type: AverageValue\n        averageValue: 100Mi\n");
  v1 = GetJson({"horizontalpodautoscalers.v1.autoscaling", "hpa-mem"});
  CHECK(json::GetInt(v1, {"spec", "targetCPUUtilizationPercentage"}) == 60);
  CHECK(Contains(
      json::GetString(v1, {"metadata", "annotations", "autoscaling.alpha.kubernetes.io/metrics"}),
      "memory"));
  json::SetInt(v1["spec"], "maxReplicas", 7, v1.GetAllocator());
  Ok({"replace", "-f", "-"}, json::Serialize(v1));
  json::Document v2 = GetJson({"hpa", "hpa-mem"});
  CHECK(json::GetInt(v2, {"spec", "maxReplicas"}) == 7);
  REQUIRE(v2["spec"]["metrics"].Size() == 2);
  CHECK(json::GetString(v2["spec"]["metrics"][1], {"resource", "name"}) == "memory");
  CHECK(json::Find(v2, {"metadata", "annotations", "autoscaling.alpha.kubernetes.io/metrics"}) ==
        nullptr);
  CHECK(Contains(Row(Ok({"get", "hpa"}), "hpa-mem")[2],
                 "cpu: <unknown>/60%, memory: <unknown>/100Mi"));

  CHECK(Contains(Fails({"apply", "-f", "-"},
                       "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n"
                       "  name: hpa-bad\nspec:\n  scaleTargetRef:\n    kind: Deployment\n"
                       "    name: x\n  minReplicas: 4\n  maxReplicas: 2\n"),
                 "spec.maxReplicas: Invalid value: 2: must be greater than or equal to "
                 "`minReplicas`"));
}

TEST_CASE("storage classes: defaults, the default marker, immutable fields", "[groups]") {
  const std::string sc =
      "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: local\n"
      "  annotations:\n    storageclass.kubernetes.io/is-default-class: \"true\"\n"
      "provisioner: rancher.io/local-path\nparameters:\n  a: b\n";
  Ok({"apply", "-f", "-"}, sc);
  auto row = Row(Ok({"get", "storageclass"}), "local");
  REQUIRE(row.size() == 6);
  CHECK(row[0] == "local (default)");
  CHECK(row[1] == "rancher.io/local-path");
  CHECK(row[2] == "Delete");
  CHECK(row[3] == "Immediate");
  CHECK(row[4] == "false");
  std::string changed = sc;
  changed.replace(changed.find("a: b"), 4, "a: c");
  CHECK(Contains(Fails({"apply", "-f", "-"}, changed),
                 "parameters: Forbidden: updates to parameters are forbidden."));
  Ok({"apply", "-f", "-"},
     "apiVersion: storage.k8s.io/v1\nkind: CSIDriver\nmetadata:\n  name: csi.example.com\n"
     "spec: {}\n");
  json::Document drv = GetJson({"csidriver", "csi.example.com"});
  CHECK(json::GetBool(drv, {"spec", "attachRequired"}) == true);
  CHECK(json::GetString(drv, {"spec", "fsGroupPolicy"}) == "ReadWriteOnceWithFSType");
}

TEST_CASE("network policies, ingress classes and runtime classes", "[groups]") {
  Ok({"apply", "-f", "-"},
     "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n"
     "  podSelector:\n    matchLabels:\n      app: db\n  egress:\n  - ports:\n    - port: 53\n");
  json::Document np = GetJson({"networkpolicy", "np"});
  CHECK(json::Serialize(np["spec"]["policyTypes"]) == R"(["Ingress","Egress"])");
  CHECK(json::GetString(np["spec"]["egress"][0]["ports"][0], {"protocol"}) == "TCP");
  CHECK(Row(Ok({"get", "netpol"}), "np")[1] == "app=db");

  CHECK(Contains(Fails({"apply", "-f", "-"},
                       "apiVersion: networking.k8s.io/v1\n"
                       "kind: IngressClass\nmetadata:\n  name: ic\n"
                       "spec:\n  controller: nginx\n"),
                 "must be a domain-prefixed path"));
  Ok({"apply", "-f", "-"},
     "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n"
     "  name: ic\nspec:\n  controller: example.com/ingress\n");
  CHECK(Row(Ok({"get", "ingressclass"}), "ic")[1] == "example.com/ingress");

  Ok({"apply", "-f", "-"},
     "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata:\n  name: crun\nhandler: crun\n");
  CHECK(Row(Ok({"get", "runtimeclass"}), "crun")[1] == "crun");
  CHECK(Contains(Fails({"apply", "-f", "-"},
                       "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\n"
                       "metadata:\n  name: crun\nhandler: runc\n"),
                 "handler: Invalid value: \"runc\": field is immutable"));
}

TEST_CASE("certificate signing requests: requestor, approval, the CONDITION column", "[groups]") {
  // Any PEM text will do for the stored object; nothing signs it without the signer controller.
  const std::string csr =
      "apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n"
      "  name: c1\nspec:\n  request: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K\n"
      "  signerName: kubernetes.io/kube-apiserver-client\n  expirationSeconds: 3600\n"
      "  usages: [client auth]\n  username: someone-else\n";
  Ok({"apply", "-f", "-"}, csr);
  auto row = Row(Ok({"get", "csr"}), "c1");
  REQUIRE(row.size() == 6);
  CHECK(row[2] == "kubernetes.io/kube-apiserver-client");
  CHECK(row[3] == "admin");  // the requestor is who created it, not what the body said
  CHECK(row[4] == "60m");
  CHECK(row[5] == "Pending");
  Ok({"certificate", "approve", "c1"});
  CHECK(Row(Ok({"get", "csr"}), "c1")[5] == "Approved");
}

TEST_CASE("kubectl auth whoami and TokenReview ask the server's authenticator", "[groups]") {
  std::string who = Ok({"auth", "whoami"});
  CHECK(Contains(who, "admin"));
  CHECK(Contains(who, "system:masters"));

  ServerProcess s;
  s.set_ready_probe(ServerProcess::ApiserverReady);
  std::string cred = s.data_dir() + "/server/cred";
  REQUIRE(Run({"mkdir", "-p", cred}).exit_code == 0);
  REQUIRE(
      Run({"sh", "-c", "printf 't0ken,alice,u-1,\"dev,ops\"\\n' > " + cred + "/known-tokens.csv"})
          .exit_code == 0);
  REQUIRE(s.Start());
  const std::string url = s.api_url() + "/apis/authentication.k8s.io/v1/tokenreviews";
  auto review = [&](const std::string& token) {
    return HttpRequest(
        "POST", url,
        R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":")" +
            token + R"("}})",
        {"Content-Type: application/json"}, s.admin_tls());
  };
  HttpResult ok = review("t0ken");
  CHECK(ok.code == 201);
  auto d = json::Parse(ok.body);
  REQUIRE(d.ok());
  CHECK(json::GetBool(*d, {"status", "authenticated"}));
  CHECK(json::GetString(*d, {"status", "user", "username"}) == "alice");
  CHECK(json::GetString(*d, {"status", "user", "uid"}) == "u-1");
  CHECK(json::Serialize((*d)["status"]["user"]["groups"]) ==
        R"(["dev","ops","system:authenticated"])");
  HttpResult unknown = review("nope");
  CHECK(unknown.code == 201);
  CHECK_FALSE(Contains(unknown.body, "authenticated"));
  CHECK(review("").code == 400);
  // The token user may ask who it is (system:basic-user) but not review tokens.
  HttpResult self =
      HttpRequest("POST", s.api_url() + "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                  R"({"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"})",
                  {"Content-Type: application/json", "Authorization: Bearer t0ken"},
                  TlsFiles{s.admin_tls().ca, "", ""});
  CHECK(self.code == 201);
  CHECK(Contains(self.body, R"("username":"alice")"));
}

TEST_CASE("kubectl create token: service account tokens authenticate until the account goes",
          "[groups]") {
  Ok({"create", "serviceaccount", "bot"});
  std::string token = Ok({"create", "token", "bot"});
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  REQUIRE(token.size() > 100);
  TlsFiles ca_only{Server().admin_tls().ca, "", ""};
  auto as_bot = [&](const std::string& method, const std::string& path, const std::string& body) {
    return HttpRequest(method, Server().api_url() + path, body,
                       {"Content-Type: application/json", "Authorization: Bearer " + token},
                       ca_only);
  };
  HttpResult who =
      as_bot("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
             R"({"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"})");
  CHECK(who.code == 201);
  CHECK(Contains(who.body, R"("username":"system:serviceaccount:default:bot")"));
  CHECK(Contains(who.body, R"("system:serviceaccounts:default")"));
  // Authenticated but, without RBAC rules for it, not allowed to list pods.
  HttpResult pods = as_bot("GET", "/api/v1/namespaces/default/pods", "");
  CHECK(pods.code == 403);
  CHECK(Contains(pods.body, "system:serviceaccount:default:bot"));
  CHECK(Contains(Fails({"create", "token", "bot", "--duration=5m"}),
                 "spec.expirationSeconds: Invalid value: 300: may not specify a duration less "
                 "than 10 minutes"));
  CHECK(Contains(Fails({"create", "token", "nobody"}), R"(serviceaccounts "nobody" not found)"));
  // Tokens for another audience: a TokenReview asking for that audience accepts them, the API
  // does not.
  std::string vault = Ok({"create", "token", "bot", "--audience=vault"});
  while (!vault.empty() && vault.back() == '\n') vault.pop_back();
  auto review = [&](const std::string& audiences) {
    return HttpRequest("POST", Server().api_url() + "/apis/authentication.k8s.io/v1/tokenreviews",
                       R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview",)"
                       R"("spec":{"token":")" +
                           vault + R"(")" + audiences + "}}",
                       {"Content-Type: application/json"}, Server().admin_tls());
  };
  HttpResult for_vault = review(R"(,"audiences":["vault"])");
  CHECK(Contains(for_vault.body, R"("authenticated":true)"));
  CHECK(Contains(for_vault.body, R"("audiences":["vault"])"));
  CHECK_FALSE(Contains(review("").body, R"("authenticated":true)"));
  // Bound to a pod that runs as another account: refused, as upstream.
  Ok({"run", "tokpod", "--image=busybox"});
  CHECK(Contains(
      Fails({"create", "token", "bot", "--bound-object-kind=Pod", "--bound-object-name=tokpod"}),
      "to pod running with different serviceaccount name"));
  Ok({"delete", "serviceaccount", "bot"});
  CHECK(as_bot("GET", "/api/v1/namespaces/default/pods", "").code == 401);
}
