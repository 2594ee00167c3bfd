// Shared by the unit tests: parse a JSON literal or fail the test case.
#pragma once

#include <catch2/catch.hpp>
#include <string_view>

#include "common/json.h"

namespace cluster::testing {

inline json::Document Json(std::string_view text) {
  auto d = json::Parse(text);
  INFO(text);
  REQUIRE(d.ok());
  return std::move(d).value();
}

}  // namespace cluster::testing
