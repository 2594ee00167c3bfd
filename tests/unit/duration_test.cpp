#include "common/duration.h"

#include <catch2/catch.hpp>

using namespace cluster;
using namespace std::chrono_literals;

TEST_CASE("Go durations parse as time.ParseDuration does", "[duration]") {
  CHECK(*ParseDuration("5s") == 5s);
  CHECK(*ParseDuration("40s") == 40s);
  CHECK(*ParseDuration("1m30s") == 90s);
  CHECK(*ParseDuration("500ms") == 500ms);
  CHECK(*ParseDuration("1.5h") == 90min);
  CHECK(*ParseDuration("0") == 0s);
  CHECK(*ParseDuration("-2s") == -2s);
  CHECK(*ParseDuration("10us") == 10us);
  CHECK(ParseDuration("").status().code() == Code::kBadRequest);
  CHECK(ParseDuration("5").status().message() == "time: missing unit in duration \"5\"");
  CHECK(ParseDuration("5d").status().message() == "time: unknown unit \"d\" in duration \"5d\"");
  CHECK_FALSE(ParseDuration("s").ok());
  CHECK_FALSE(ParseDuration("99999999999h").ok());
}

TEST_CASE("durations print as Go's Duration.String", "[duration]") {
  CHECK(FormatDuration(0s) == "0s");
  CHECK(FormatDuration(90s) == "1m30s");
  CHECK(FormatDuration(5s) == "5s");
  CHECK(FormatDuration(500ms) == "500ms");
  CHECK(FormatDuration(2h) == "2h0m0s");
  CHECK(FormatDuration(1500ms) == "1.5s");
}
