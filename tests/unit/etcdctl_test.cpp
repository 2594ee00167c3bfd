// etcdctl's printers: JSON conversion and go-humanize byte sizes.
#include <catch2/catch.hpp>

#include "client/etcdctl_output.h"

namespace cluster::client::etcdctl {

TEST_CASE("etcdctl -w json turns gateway int64 strings into numbers") {
  auto doc = json::Parse(
      R"({"header":{"cluster_id":"12","revision":"5"},"kvs":[{"key":"YQ==","version":"1","value":"Yg=="}],"count":"1"})");
  REQUIRE(doc.ok());
  CHECK(
      ToEtcdctlJson(*doc) ==
      R"({"header":{"cluster_id":12,"revision":5},"kvs":[{"key":"YQ==","version":1,"value":"Yg=="}],"count":1})");
  auto status = json::Parse(R"({"version":"3.4.23","dbSize":"20480"})");
  CHECK(ToEtcdctlJson(*status) == R"({"version":"3.4.23","dbSize":20480})");
  auto event = json::Parse(R"({"type":"DELETE","kv":{"key":"YQ=="}})");
  CHECK(ToEtcdctlJson(*event) == R"({"type":1,"kv":{"key":"YQ=="}})");
}

TEST_CASE("db sizes print as go-humanize does") {
  CHECK(HumanBytes(5) == "5 B");
  CHECK(HumanBytes(20480) == "20 kB");
  CHECK(HumanBytes(1500) == "1.5 kB");
  CHECK(HumanBytes(177168) == "177 kB");
  CHECK(HumanBytes(2500000) == "2.5 MB");
}

}  // namespace cluster::client::etcdctl
