#include "common/base64.h"

#include <catch2/catch.hpp>
#include <string>

using cluster::Base64Decode;
using cluster::Base64Encode;

TEST_CASE("Base64Encode matches RFC 4648 test vectors", "[base64]") {
  CHECK(Base64Encode("") == "");
  CHECK(Base64Encode("f") == "Zg==");
  CHECK(Base64Encode("fo") == "Zm8=");
  CHECK(Base64Encode("foo") == "Zm9v");
  CHECK(Base64Encode("foob") == "Zm9vYg==");
  CHECK(Base64Encode("fooba") == "Zm9vYmE=");
  CHECK(Base64Encode("foobar") == "Zm9vYmFy");
  CHECK(Base64Encode(std::string("\xfb\xff\xbf", 3)) == "+/+/");
}

TEST_CASE("Base64Decode round-trips every byte value", "[base64]") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t len = 0; len <= all.size(); len += 37) {
    std::string data = all.substr(0, len);
    auto decoded = Base64Decode(Base64Encode(data));
    REQUIRE(decoded.has_value());
    CHECK(*decoded == data);
  }
  CHECK(Base64Decode("Zm9vYmFy") == std::optional<std::string>("foobar"));
  CHECK(Base64Decode("Zg==") == std::optional<std::string>("f"));
  CHECK(Base64Decode("") == std::optional<std::string>(""));
}

TEST_CASE("Base64Decode rejects malformed input", "[base64]") {
  for (const char* bad : {"Zg", "Zg=", "Zm8", "Z", "====", "Z===", "Zg==Zg==", "Zm=v", "Zm9v\n",
                          " Zm9v", "Zm9v-_", "Zm9-", "Zm9_", "Zm9v!A==", "=Zm9"}) {
    INFO(bad);
    CHECK_FALSE(Base64Decode(bad).has_value());
  }
  CHECK_FALSE(Base64Decode(std::string("Zm\0v", 4)).has_value());
}
