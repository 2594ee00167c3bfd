// `kubectl create <kind>` sends protobuf: what the server stores must hold every field that
// `kubectl create ... --dry-run=client -o json` describes, with the same value (the server may
// add defaults and system fields, nothing kubectl sent may change or go missing). kubectl also
// accepts protobuf answers, so what it prints of the created object went through our encoder
// and Go's decoder.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include "harness.h"

using namespace cluster::e2e;

namespace {

// Paths in `want` whose values differ from (or are missing in) `got`.
void Diff(const rapidjson::Value& want, const rapidjson::Value& got, const std::string& path,
          std::vector<std::string>* out) {
  if (want.IsObject()) {
    if (!got.IsObject()) {
      out->push_back(path + " (not an object)");
      return;
    }
    for (auto& m : want.GetObject()) {
      std::string p = path + "." + m.name.GetString();
      if (p == ".metadata.creationTimestamp" || p == ".status") continue;
      if (p.size() > 28 && p.substr(p.size() - 28) == ".metadata.creationTimestamp") continue;
      auto it = got.FindMember(m.name);
      if (it == got.MemberEnd()) {
        if (!(m.value.IsObject() && m.value.ObjectEmpty())) out->push_back(p + " (missing)");
        continue;
      }
      Diff(m.value, it->value, p, out);
    }
    return;
  }
  if (want.IsArray()) {
    if (!got.IsArray() || got.Size() != want.Size()) {
      out->push_back(path + " (list differs)");
      return;
    }
    for (rapidjson::SizeType i = 0; i < want.Size(); ++i)
      Diff(want[i], got[i], path + "[" + std::to_string(i) + "]", out);
    return;
  }
  if (want != got) out->push_back(path);
}

}  // namespace

TEST_CASE("objects created from protobuf bodies match kubectl's own description", "[proto]") {
  ServerProcess s;
  s.set_ready_probe(ServerProcess::ApiserverReady);
  REQUIRE(s.Start());
  std::map<std::string, std::string> env = {{"KUBECONFIG", s.kubeconfig()}};
  struct Case {
    std::vector<std::string> create;  // after "kubectl create"
    std::vector<std::string> get;     // after "kubectl get"
  };
  const std::vector<Case> cases = {
      {{"namespace", "test"}, {"namespace", "test"}},
      {{"deployment", "nginx", "--image=nginx"}, {"deployment", "nginx"}},
      {{"configmap", "c", "--from-literal=a=b"}, {"configmap", "c"}},
      {{"secret", "generic", "s", "--from-literal=p=q"}, {"secret", "s"}},
      {{"service", "clusterip", "my-cs", "--tcp=5678:8080"}, {"service", "my-cs"}},
      {{"job", "j", "--image=busybox"}, {"job", "j"}},
      {{"serviceaccount", "sa"}, {"serviceaccount", "sa"}},
      {{"role", "r", "--verb=get", "--resource=pods"}, {"role", "r"}},
      {{"rolebinding", "rb", "--role=r", "--user=u"}, {"rolebinding", "rb"}},
      {{"clusterrole", "cr", "--verb=get,list", "--resource=pods"}, {"clusterrole", "cr"}},
      {{"clusterrolebinding", "crb", "--clusterrole=cr", "--user=u"},
       {"clusterrolebinding", "crb"}},
      {{"quota", "q", "--hard=pods=10,cpu=2"}, {"quota", "q"}},
      {{"priorityclass", "pc", "--value=100"}, {"priorityclass", "pc"}},
      {{"pdb", "pdb", "--selector=app=x", "--min-available=1"}, {"pdb", "pdb"}},
      {{"cronjob", "cj", "--image=busybox", "--schedule=*/1 * * * *"}, {"cronjob", "cj"}},
      {{"ingress", "ing", "--rule=foo.com/=svc:80", "--rule=bar.com/*=svc2:8080,tls=sec"},
       {"ingress", "ing"}},
  };
  for (const Case& c : cases) {
    INFO("kubectl create " << c.create[0]);
    std::vector<std::string> dry = {"kubectl", "create"};
    dry.insert(dry.end(), c.create.begin(), c.create.end());
    std::vector<std::string> real = dry;
    dry.insert(dry.end(), {"--dry-run=client", "-o", "json"});
    // kubectl accepts protobuf answers: -o json prints what it decoded from ours.
    real.insert(real.end(), {"-o", "json", "-v=8"});
    CommandResult described = Run(dry, env);
    REQUIRE(described.exit_code == 0);
    CommandResult created = Run(real, env);
    INFO(created.err);
    REQUIRE(created.exit_code == 0);
    std::vector<std::string> get = {"kubectl", "get"};
    get.insert(get.end(), c.get.begin(), c.get.end());
    get.insert(get.end(), {"-o", "json"});
    CommandResult stored = Run(get, env);
    REQUIRE(stored.exit_code == 0);
    rapidjson::Document want, got;
    want.Parse(described.out.c_str());
    got.Parse(stored.out.c_str());
    REQUIRE(!want.HasParseError());
    REQUIRE(!got.HasParseError());
    std::vector<std::string> diffs;
    Diff(want, got, "", &diffs);
    std::string joined;
    for (const auto& d : diffs) joined += d + " ";
    INFO("differences: " << joined);
    CHECK(diffs.empty());
    // The protobuf answer to the POST, decoded by kubectl, is the object the JSON GET shows
    // (member order aside).
    size_t headers = created.err.find("Response Headers:");
    REQUIRE(headers != std::string::npos);
    CHECK(created.err.find("Content-Type: application/vnd.kubernetes.protobuf", headers) !=
          std::string::npos);
    rapidjson::Document answered;
    answered.Parse(created.out.c_str());
    REQUIRE(!answered.HasParseError());
    diffs.clear();
    Diff(answered, got, "", &diffs);
    Diff(got, answered, "", &diffs);
    joined.clear();
    for (const auto& d : diffs) joined += d + " ";
    INFO("protobuf answer differs from the JSON GET at: " << joined);
    CHECK(diffs.empty());
  }
}
