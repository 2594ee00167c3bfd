// YAML → JSON as the apiserver's decoder types it, and the bounds that keep hostile YAML from
// crashing or exhausting the server (issue 17: each test named after the bug it pins).
#include "common/yaml_json.h"

#include <catch2/catch.hpp>
#include <string>

using namespace cluster;

namespace {
json::Document Y(const std::string& text) {
  auto d = YamlToJson(text);
  INFO(text);
  INFO(d.status().ToString());
  REQUIRE(d.ok());
  return std::move(d).value();
}
}  // namespace

TEST_CASE("plain scalars resolve as go-yaml v2 resolves them", "[yaml]") {
  auto d =
      Y("a: 1\nb: -7\nc: 0x1F\nd: 0o17\ne: 017\nf: 1_000\ng: 1.5\nh: .5\ni: 1e3\n"
        "j: yes\nk: off\nl: ~\nm: null\nn: '1'\no: \"true\"\np: hello\nq: 1.2.3\n"
        "r: 9223372036854775807\ns: -9223372036854775808\nt: !!str 5\nu: 08\nv:\n");
  CHECK(d["a"].GetInt64() == 1);
  CHECK(d["b"].GetInt64() == -7);
  CHECK(d["c"].GetInt64() == 31);
  CHECK(d["d"].GetInt64() == 15);
  CHECK(d["e"].GetInt64() == 15);
  CHECK(d["f"].GetInt64() == 1000);
  CHECK(d["g"].GetDouble() == 1.5);
  CHECK(d["h"].GetDouble() == 0.5);
  CHECK(d["i"].GetDouble() == 1000.0);
  CHECK(d["j"].IsTrue());
  CHECK(d["k"].IsFalse());
  CHECK(d["l"].IsNull());
  CHECK(d["m"].IsNull());
  CHECK(std::string(d["n"].GetString()) == "1");
  CHECK(std::string(d["o"].GetString()) == "true");
  CHECK(std::string(d["p"].GetString()) == "hello");
  CHECK(std::string(d["q"].GetString()) == "1.2.3");
  CHECK(d["r"].GetInt64() == INT64_MAX);
  CHECK(d["s"].GetInt64() == INT64_MIN);
  CHECK(std::string(d["t"].GetString()) == "5");
  CHECK(d["u"].GetDouble() == 8.0);  // not octal, so a float, as Go's ParseFloat reads it
  CHECK(d["v"].IsNull());
}

TEST_CASE("a 2000-digit plain scalar is a string, not a stack overflow", "[yaml][hostile]") {
  // The old classifier used std::regex, which recursed once per character.
  std::string digits(200000, '1');
  auto d = Y("generation: " + digits + "\n");
  REQUIRE(d["generation"].IsString());
  CHECK(d["generation"].GetStringLength() == digits.size());
  auto f = Y("x: " + std::string(100000, '9') + ".5e1\n");
  CHECK(f["x"].IsString());  // out of float64 range
}

TEST_CASE("billion laughs is refused within a node budget", "[yaml][hostile]") {
  std::string doc =
      "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  std::string prev = "a";
  for (char c = 'b'; c <= 'i'; ++c) {
    doc += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) doc += (i ? ",*" : "*") + prev;
    doc += "]\n";
    prev = std::string(1, c);
  }
  auto r = YamlToJson(doc);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kBadRequest);
  CHECK(r.status().message() == "yaml: document contains excessive aliasing");
  // Moderate use of anchors, as real manifests have, still works.
  auto ok = Y("base: &b {cpu: 1, memory: 2}\nx: *b\ny: *b\nz: [*b, *b]\n");
  CHECK(ok["z"][1]["memory"].GetInt64() == 2);
}

TEST_CASE("deep nesting is refused before the recursive parser sees it", "[yaml][hostile]") {
  std::string flow(5000, '[');
  CHECK(YamlToJson(flow).status().message() == "YAML nesting deeper than 100");
  std::string block;
  for (int i = 0; i < 3000; ++i) block += std::string(i, ' ') + "k:\n";
  CHECK(YamlToJson(block).status().message() == "YAML nesting deeper than 100");
  std::string dashes;
  for (int i = 0; i < 3000; ++i) dashes += "- ";
  dashes += "x\n";
  CHECK_FALSE(YamlToJson(dashes).ok());
  // A block scalar's indented content is not nesting.
  std::string script = "data:\n  run.sh: |\n";
  for (int i = 0; i < 300; ++i) script += std::string(4 + i, ' ') + "echo\n";
  CHECK(Y(script)["data"]["run.sh"].IsString());
}

TEST_CASE("malformed YAML is a clear error", "[yaml]") {
  CHECK(YamlToJson("a: [1, 2").status().code() == Code::kBadRequest);
  CHECK(YamlToJson("? [a]\n: 1\n").status().message() == "YAML mapping keys must be scalars");
}

TEST_CASE("JSON becomes YAML that reads back equal", "[yaml]") {
  auto src =
      json::Parse(R"({"kind":"ConfigMap","data":{"a":"yes","b":"1","c":"","d":"plain","e":"08"},)"
                  R"("n":5,"f":1.5,"t":true,"z":null,"l":[1,"x",{"k":"v"}]})");
  REQUIRE(src.ok());
  std::string yaml = JsonToYaml(*src);
  CHECK(yaml.find("a: \"yes\"") != std::string::npos);
  auto back = Y(yaml);
  CHECK(back == *src);  // keys come back sorted; values equal
}
