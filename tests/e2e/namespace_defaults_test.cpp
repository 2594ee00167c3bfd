// What every namespace has, kept by the controllers: the "default" ServiceAccount and the
// kube-root-ca.crt ConfigMap with the cluster CA.
#include <catch2/catch.hpp>
#include <string>

#include "kubectl_helpers.h"

using namespace cluster::e2e;
using namespace std::chrono_literals;

TEST_CASE("new namespaces get a default ServiceAccount and the root CA, kept there",
          "[controllers]") {
  Ok({"create", "namespace", "nd"});
  auto has = [](const std::vector<std::string>& args) {
    return [args] { return Kubectl(args).exit_code == 0; };
  };
  REQUIRE(PollUntil(has({"get", "serviceaccount", "default", "-n", "nd"}), 10s));
  REQUIRE(PollUntil(has({"get", "configmap", "kube-root-ca.crt", "-n", "nd"}), 10s));
  std::string ca =
      Ok({"get", "configmap", "kube-root-ca.crt", "-n", "nd", "-o", "jsonpath={.data.ca\\.crt}"});
  CHECK(Contains(ca, "-----BEGIN CERTIFICATE-----"));
  // The same CA the kubeconfig trusts: kubectl create token needs the default account.
  CHECK(Ok({"create", "token", "default", "-n", "nd"}).size() > 100);

  // Deleted: it comes back (with a new uid). Edited: the CA is put back.
  std::string uid = Ok({"get", "sa", "default", "-n", "nd", "-o", "jsonpath={.metadata.uid}"});
  Ok({"delete", "serviceaccount", "default", "-n", "nd"});
  REQUIRE(PollUntil(
      [&] {
        CommandResult r =
            Kubectl({"get", "sa", "default", "-n", "nd", "-o", "jsonpath={.metadata.uid}"});
        return r.exit_code == 0 && !r.out.empty() && r.out != uid;
      },
      10s));
  Ok({"patch", "configmap", "kube-root-ca.crt", "-n", "nd", "--type=merge", "-p",
      R"({"data":{"ca.crt":"bogus"}})"});
  REQUIRE(PollUntil(
      [&] {
        return Kubectl({"get", "configmap", "kube-root-ca.crt", "-n", "nd", "-o",
                        "jsonpath={.data.ca\\.crt}"})
                   .out == ca;
      },
      10s));
  // A namespace being deleted empties and goes, defaults and all.
  Ok({"delete", "namespace", "nd", "--timeout=30s"});
  CHECK(Contains(Fails({"get", "namespace", "nd"}), "NotFound"));
}

TEST_CASE("pods get the service account token volume; unknown accounts are refused",
          "[controllers]") {
  Ok({"run", "tok", "--image=busybox"});
  std::string vol = Ok({"get", "pod", "tok", "-o", "jsonpath={.spec.volumes[0].name}"});
  CHECK(vol.rfind("kube-api-access-", 0) == 0);
  CHECK(Ok({"get", "pod", "tok", "-o",
            "jsonpath={.spec.volumes[0].projected.sources[0].serviceAccountToken.path} "
            "{.spec.volumes[0].projected.sources[1].configMap.name}"}) == "token kube-root-ca.crt");
  CHECK(Ok({"get", "pod", "tok", "-o",
            "jsonpath={.spec.containers[0].volumeMounts[0].name} "
            "{.spec.containers[0].volumeMounts[0].mountPath}"}) ==
        vol + " /var/run/secrets/kubernetes.io/serviceaccount");
  // Opted out on the pod: no volume.
  Ok({"run", "notok", "--image=busybox",
      R"(--overrides={"spec":{"automountServiceAccountToken":false}})"});
  CHECK(Ok({"get", "pod", "notok", "-o", "jsonpath={.spec.volumes}"}).empty());
  CHECK(Contains(
      Fails({"run", "ghost", "--image=busybox",
             R"(--overrides={"spec":{"serviceAccountName":"nope"}})"}),
      R"(error looking up service account default/nope: serviceaccount "nope" not found)"));
}
