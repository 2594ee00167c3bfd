#include "common/quantity.h"

#include <catch2/catch.hpp>

using namespace cluster;

namespace {
Quantity Q(const char* s) {
  auto q = ParseQuantity(s);
  INFO(s);
  REQUIRE(q.ok());
  return *q;
}
}  // namespace

TEST_CASE("quantities parse with every suffix", "[quantity]") {
  CHECK(Q("100m").MilliValue() == 100);
  CHECK(Q("100m").Value() == 1);  // rounds up
  CHECK(Q("2").MilliValue() == 2000);
  CHECK(Q("1.5").MilliValue() == 1500);
  CHECK(Q(".5").MilliValue() == 500);
  CHECK(Q("0.1").MilliValue() == 100);
  CHECK(Q("1Ki").Value() == 1024);
  CHECK(Q("128Mi").Value() == 128LL * 1024 * 1024);
  CHECK(Q("1Gi").Value() == 1073741824LL);
  CHECK(Q("1.5Gi").Value() == 1610612736LL);
  CHECK(Q("1G").Value() == 1000000000LL);
  CHECK(Q("1k").Value() == 1000);
  CHECK(Q("1e3").Value() == 1000);
  CHECK(Q("1E3").Value() == 1000);
  CHECK(Q("5e-3").MilliValue() == 5);
  CHECK(Q("250u").MilliValue() == 1);  // rounds up
  CHECK(Q("10n").MilliValue() == 1);
  CHECK(Q("-1").Value() == -1);
  CHECK(Q("+3").Value() == 3);
  CHECK(Q("110").Value() == 110);
  CHECK(Q("0").IsZero());
  CHECK(Q("20Ei").Value() == INT64_MAX);  // saturates
}

TEST_CASE("bad quantities are refused with upstream's message", "[quantity]") {
  for (const char* bad : {"", "abc", "1.2.3", "1Mb", "1 Gi", "e3", "1e", "Gi", "--1", "1e1234"}) {
    INFO(bad);
    auto q = ParseQuantity(bad);
    CHECK_FALSE(q.ok());
    if (!q.ok()) CHECK(q.status().code() == Code::kBadRequest);
  }
  CHECK(ParseQuantity("x").status().message().find("quantities must match the regular") == 0);
}

TEST_CASE("quantities add, compare and print canonically", "[quantity]") {
  CHECK(Q("100m") + Q("900m") == Q("1"));
  CHECK(Q("1Gi") > Q("1G"));
  CHECK(Q("1Gi") - Q("512Mi") == Q("512Mi"));
  CHECK(Q("100m").ToString() == "100m");
  CHECK(Q("2").ToString() == "2");
  CHECK(Q("128Mi").ToString() == "128Mi");
  CHECK(Q("1000").ToString() == "1000");
  CHECK(Quantity::FromMilli(1500).ToString() == "1500m");
  CHECK(Q(Q("3Gi").ToString().c_str()) == Q("3Gi"));
}
