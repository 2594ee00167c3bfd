#include "common/selectors.h"

#include <catch2/catch.hpp>

#include "test_json.h"

using namespace cluster;

namespace {

using cluster::testing::Json;

using Labels = std::map<std::string, std::string>;

LabelSelector MustParse(std::string_view s) {
  auto r = ParseLabelSelector(s);
  INFO(s << ": " << r.status().message());
  REQUIRE(r.ok());
  return r.value();
}

std::string ParseError(std::string_view s) {
  auto r = ParseLabelSelector(s);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kBadRequest);
  return r.status().message();
}

FieldGetter Getter(std::map<std::string, std::string> fields) {
  return [fields](std::string_view f) -> std::optional<std::string> {
    auto it = fields.find(std::string(f));
    if (it == fields.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace

TEST_CASE("label selector: each operator parses and prints like upstream") {
  CHECK(MustParse("a=b").ToString() == "a=b");
  CHECK(MustParse("a==b").ToString() == "a==b");
  CHECK(MustParse("a!=b").ToString() == "a!=b");
  CHECK(MustParse("a in (y,x)").ToString() == "a in (x,y)");
  CHECK(MustParse("a notin (x)").ToString() == "a notin (x)");
  CHECK(MustParse("a").ToString() == "a");
  CHECK(MustParse("!a").ToString() == "!a");
  CHECK(MustParse("a>5").ToString() == "a>5");
  CHECK(MustParse("a<5").ToString() == "a<5");
  auto s = MustParse("a in (y,x,y)");
  REQUIRE(s.requirements().size() == 1);
  CHECK(s.requirements()[0].op == LabelOp::kIn);
  CHECK(s.requirements()[0].values == std::vector<std::string>{"x", "y"});
}

TEST_CASE("label selector: requirements are sorted by key and whitespace is tolerated") {
  auto s = MustParse("  tier = web ,  app in ( a , b ) ,\t!legacy , env  ");
  CHECK(s.ToString() == "app in (a,b),env,!legacy,tier=web");
  // The upstream doc example, with empty values in the set.
  CHECK(MustParse("x in (foo,,baz),y,z notin ()").ToString() == "x in (,baz,foo),y,z notin ()");
  // Keywords are plain values in value position; an omitted value is the empty string.
  CHECK(MustParse("a in (in,notin)").requirements()[0].values ==
        std::vector<std::string>{"in", "notin"});
  CHECK(MustParse("a=in").requirements()[0].values == std::vector<std::string>{"in"});
  CHECK(MustParse("a=").requirements()[0].values == std::vector<std::string>{""});
  CHECK(MustParse("example.com/app=x").requirements()[0].key == "example.com/app");
}

TEST_CASE("label selector: matching") {
  Labels web{{"app", "web"}, {"tier", "frontend"}, {"replicas", "3"}};
  Labels none;
  CHECK(MustParse("").Empty());
  CHECK(MustParse("").Matches(none));
  CHECK(MustParse("app=web").Matches(web));
  CHECK(MustParse("app==web,tier=frontend").Matches(web));
  CHECK_FALSE(MustParse("app=web,tier=backend").Matches(web));
  CHECK_FALSE(MustParse("app=web").Matches(none));
  // != and notin match when the key is absent.
  CHECK(MustParse("app!=db").Matches(web));
  CHECK_FALSE(MustParse("app!=web").Matches(web));
  CHECK(MustParse("app!=web").Matches(none));
  CHECK(MustParse("app notin (db,cache)").Matches(web));
  CHECK(MustParse("app notin (web)").Matches(none));
  CHECK_FALSE(MustParse("app notin (web)").Matches(web));
  CHECK(MustParse("app in (db,web)").Matches(web));
  CHECK_FALSE(MustParse("app in (db,web)").Matches(none));
  CHECK(MustParse("app").Matches(web));
  CHECK_FALSE(MustParse("app").Matches(none));
  CHECK(MustParse("!app").Matches(none));
  CHECK_FALSE(MustParse("!app").Matches(web));
  CHECK(MustParse("replicas>2").Matches(web));
  CHECK_FALSE(MustParse("replicas>3").Matches(web));
  CHECK(MustParse("replicas<4").Matches(web));
  CHECK_FALSE(MustParse("app>1").Matches(web));  // non-integer label never matches Gt/Lt
  CHECK_FALSE(MustParse("missing<10").Matches(web));
  CHECK(MustParse("a=").Matches(Labels{{"a", ""}}));
  CHECK_FALSE(MustParse("a=").Matches(none));
}

TEST_CASE("label selector: matching a JSON labels object") {
  auto doc = Json(R"({"app":"web","n":5})");
  CHECK(MustParse("app=web").Matches(&doc));
  CHECK(MustParse("app in (web),!n").Matches(&doc));  // non-string values count as absent
  CHECK_FALSE(MustParse("app=db").Matches(&doc));
  CHECK(MustParse("").Matches(static_cast<const json::Value*>(nullptr)));
  CHECK(MustParse("app!=web").Matches(static_cast<const json::Value*>(nullptr)));
  CHECK_FALSE(MustParse("app").Matches(static_cast<const json::Value*>(nullptr)));
}

TEST_CASE("label selector: syntax errors carry upstream's messages") {
  CHECK(ParseError("a=b c") == "found 'c', expected: ',' or 'end of string'");
  CHECK(ParseError("=b") == "found '=', expected: !, identifier, or 'end of string'");
  CHECK(ParseError("a=b,") == "found '', expected: identifier after ','");
  CHECK(ParseError("a in x") == "unable to parse requirement: found 'x' expected: '('");
  CHECK(ParseError("a in (x") == "unable to parse requirement: found '', expected: ',' or ')'");
  CHECK(ParseError("a in ()x").find("found 'x', expected: ',' or 'end of string'") == 0);
  CHECK(ParseError("a (x)") ==
        "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt");
  CHECK(ParseError("!a=b") == "found '=', expected: ',' or 'end of string'");
  CHECK(ParseError("a=!b").find("unable to parse requirement: found '!'") == 0);
  CHECK(ParseError("a=(b)").find("unable to parse requirement: found '('") == 0);
  CHECK(ParseError("a>b") ==
        "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' "
        "operators, the value must be an integer");
}

TEST_CASE("label selector: key and value syntax is validated") {
  CHECK(ParseError("a=-b") ==
        "unable to parse requirement: values[0][a]: Invalid value: \"-b\": a valid label must be "
        "an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start "
        "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
        "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  CHECK(ParseError("a/b/c=x").find("unable to parse requirement: <nil>: Invalid value: \"a/b/c\": "
                                   "a qualified name must consist of") == 0);
  CHECK(ParseError("-a").find("name part must consist of alphanumeric characters") !=
        std::string::npos);
  CHECK(ParseError("Example.com/a").find("prefix part a lowercase RFC 1123 subdomain") !=
        std::string::npos);
  CHECK(ParseError("/a").find("prefix part must be non-empty") != std::string::npos);
  CHECK(ParseError("a/").find("name part must be non-empty") != std::string::npos);
  CHECK(ParseError(std::string(64, 'k')).find("name part must be no more than 63 characters") !=
        std::string::npos);
  CHECK(ParseError("a=" + std::string(64, 'v')).find("must be no more than 63 characters") !=
        std::string::npos);
  MustParse(std::string(63, 'k') + "=" + std::string(63, 'v'));
  MustParse(std::string(253, 'p') + "/" + std::string(63, 'k'));
  CHECK(ParseError(std::string(254, 'p') + "/k").find("prefix part must be no more than 253") !=
        std::string::npos);
  CHECK(LabelKeyError("app.kubernetes.io/name").empty());
  CHECK(LabelValueError("").empty());
  CHECK_FALSE(LabelValueError("a b").empty());
}

TEST_CASE("label selector: hostile input fails cleanly") {
  for (std::string_view s :
       {"(", ")", ",", "!", "!!a", "a in", "a notin (", "a in (,", "a==", "a=b=c", "a!",
        "a in ((x))", "in", "notin (a)", "a,,b", "\xff\xfe=1", "a<", "a<>1"}) {
    auto r = ParseLabelSelector(s);
    if (!r.ok()) CHECK(r.status().code() == Code::kBadRequest);
  }
  CHECK_FALSE(ParseLabelSelector("a,,b").ok());
  CHECK_FALSE(ParseLabelSelector("a<>1").ok());
  CHECK(MustParse("a==").requirements()[0].values == std::vector<std::string>{""});
}

TEST_CASE("label selector from a metav1.LabelSelector object") {
  auto doc = Json(R"({"matchLabels":{"app":"web"},
                      "matchExpressions":[{"key":"tier","operator":"In","values":["fe","be"]},
                                          {"key":"legacy","operator":"DoesNotExist"},
                                          {"key":"env","operator":"NotIn","values":["prod"]},
                                          {"key":"team","operator":"Exists"}]})");
  auto s = FromLabelSelectorJson(doc);
  REQUIRE(s.ok());
  CHECK(s->ToString() == "app=web,env notin (prod),!legacy,team,tier in (be,fe)");
  CHECK(s->Matches(Labels{{"app", "web"}, {"tier", "fe"}, {"team", "x"}}));
  CHECK_FALSE(s->Matches(Labels{{"app", "web"}, {"tier", "fe"}}));
  CHECK_FALSE(s->Matches(Labels{{"app", "web"}, {"tier", "fe"}, {"team", "x"}, {"legacy", "1"}}));

  auto everything = FromLabelSelectorJson(Json("{}"));
  REQUIRE(everything.ok());
  CHECK(everything->Empty());
  CHECK(everything->Matches(Labels{}));
  auto nothing = FromLabelSelectorJson(Json("null"));
  REQUIRE(nothing.ok());
  CHECK(nothing->IsNothing());
  CHECK_FALSE(nothing->Matches(Labels{{"a", "b"}}));
  CHECK_FALSE(nothing->Matches(static_cast<const json::Value*>(nullptr)));
}

TEST_CASE("label selector from JSON: invalid selectors are rejected") {
  auto err = [](std::string_view text) {
    auto s = FromLabelSelectorJson(Json(text));
    REQUIRE_FALSE(s.ok());
    CHECK(s.status().code() == Code::kBadRequest);
    return s.status().message();
  };
  CHECK(
      err(R"({"matchExpressions":[{"key":"a","operator":"In"}]})") ==
      "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
  CHECK(err(R"({"matchExpressions":[{"key":"a","operator":"NotIn","values":[]}]})")
            .find("values set can't be empty") != std::string::npos);
  CHECK(err(R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})") ==
        "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not "
        "exist");
  CHECK(err(R"({"matchExpressions":[{"key":"a","operator":"Like"}]})") ==
        "\"Like\" is not a valid label selector operator");
  CHECK(err(R"({"matchLabels":{"a":"-x"}})").find("values[0][a]: Invalid value: \"-x\"") == 0);
  CHECK(err(R"({"matchLabels":{"-a":"x"}})").find("key: Invalid value: \"-a\"") == 0);
  CHECK(err(R"({"matchLabels":{"a":1}})") == "matchLabels values must be strings");
  CHECK(err(R"({"matchLabels":[]})") == "matchLabels must be an object");
  CHECK(err(R"({"matchExpressions":{}})") == "matchExpressions must be a list");
  CHECK(err(R"({"matchExpressions":[1]})") == "matchExpressions items must be objects");
  CHECK(err(R"({"matchExpressions":[{"key":"a","operator":"In","values":[1]}]})") ==
        "matchExpressions values must be strings");
  CHECK(err(R"("app=web")") == "label selector must be an object");
}

TEST_CASE("label selector: ToString parses back to the same selector") {
  for (std::string_view text : {"a=b", "a!=b,c in (x,y),!d,e", "k8s.io/x notin (,a)", "n>1,m<2"}) {
    auto s = MustParse(text);
    CHECK(MustParse(s.ToString()).ToString() == s.ToString());
  }
}

TEST_CASE("field selector: parse, sort and match") {
  auto r = ParseFieldSelector("status.phase!=Running,metadata.name=foo");
  REQUIRE(r.ok());
  const auto& reqs = r->requirements();
  REQUIRE(reqs.size() == 2);
  CHECK(reqs[0].field == "metadata.name");
  CHECK(reqs[0].op == FieldOp::kEquals);
  CHECK(reqs[0].value == "foo");
  CHECK(reqs[1].field == "status.phase");
  CHECK(reqs[1].op == FieldOp::kNotEquals);
  CHECK(reqs[1].value == "Running");
  CHECK(r->ToString() == "metadata.name=foo,status.phase!=Running");
  CHECK(r->Matches(Getter({{"metadata.name", "foo"}, {"status.phase", "Pending"}})));
  CHECK_FALSE(r->Matches(Getter({{"metadata.name", "foo"}, {"status.phase", "Running"}})));
  CHECK_FALSE(r->Matches(Getter({{"metadata.name", "bar"}})));
  CHECK(r->RequiresExactMatch("metadata.name") == std::optional<std::string>("foo"));
  CHECK_FALSE(r->RequiresExactMatch("status.phase"));

  auto dbl = ParseFieldSelector("spec.nodeName==node1");
  REQUIRE(dbl.ok());
  CHECK(dbl->requirements()[0].op == FieldOp::kDoubleEquals);
  CHECK(dbl->requirements()[0].value == "node1");
  CHECK(dbl->Matches(Getter({{"spec.nodeName", "node1"}})));

  // An absent field reads as "".
  auto unscheduled = ParseFieldSelector("spec.nodeName=");
  REQUIRE(unscheduled.ok());
  CHECK(unscheduled->Matches(Getter({})));
  CHECK_FALSE(unscheduled->Matches(Getter({{"spec.nodeName", "n"}})));
  auto scheduled = ParseFieldSelector("spec.nodeName!=");
  REQUIRE(scheduled.ok());
  CHECK_FALSE(scheduled->Matches(Getter({})));
  CHECK(scheduled->Matches(Getter({{"spec.nodeName", "n"}})));
}

TEST_CASE("field selector: empty selectors match everything") {
  for (std::string_view s : {"", ",", ",,"}) {
    auto r = ParseFieldSelector(s);
    REQUIRE(r.ok());
    CHECK(r->Empty());
    CHECK(r->Matches(Getter({})));
    CHECK(r->Matches(nullptr));
  }
}

TEST_CASE("field selector: escaping as fields.ParseSelector") {
  auto r = ParseFieldSelector(R"(a=x\,y,b=p\=q,c=back\\slash)");
  REQUIRE(r.ok());
  REQUIRE(r->requirements().size() == 3);
  CHECK(r->requirements()[0].value == "x,y");
  CHECK(r->requirements()[1].value == "p=q");
  CHECK(r->requirements()[2].value == R"(back\slash)");
  CHECK(r->ToString() == R"(a=x\,y,b=p\=q,c=back\\slash)");
  CHECK(EscapeFieldValue(R"(a,b=c\)") == R"(a\,b\=c\\)");
  auto back = ParseFieldSelector(r->ToString());
  REQUIRE(back.ok());
  CHECK(back->ToString() == r->ToString());
}

TEST_CASE("field selector: errors") {
  auto err = [](std::string_view text) {
    auto r = ParseFieldSelector(text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kBadRequest);
    return r.status().message();
  };
  CHECK(err("metadata.name") ==
        "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
  CHECK(err("a=b,c") == "invalid selector: 'a=b,c'; can't understand 'c'");
  CHECK(err(R"(a=x\y)") == R"(invalid field selector: invalid escape sequence: \y)");
  CHECK(err(R"(a=x\)") == R"(invalid field selector: invalid escape sequence: \)");
  CHECK(err("a=x=y") == "invalid field selector: unescaped character in value: 61");
  CHECK(err("a!=b=c") == "invalid field selector: unescaped character in value: 61");
}

TEST_CASE("selectors: random input never crashes") {
  const std::string alphabet = "ab=!(),  in notin<>\\-._/1";
  uint32_t state = 7;
  auto next = [&](uint32_t n) {
    state = state * 1664525u + 1013904223u;
    return (state >> 8) % n;
  };
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    for (uint32_t j = 0, n = next(16); j < n; ++j) s += alphabet[next(alphabet.size())];
    auto l = ParseLabelSelector(s);
    if (l.ok()) {
      (void)l->Matches(Labels{{"a", "1"}, {"b", ""}});
      auto again = ParseLabelSelector(l->ToString());
      INFO(s << " -> " << l->ToString());
      CHECK(again.ok());
    } else {
      CHECK(l.status().code() == Code::kBadRequest);
    }
    auto f = ParseFieldSelector(s);
    if (f.ok()) {
      (void)f->Matches(Getter({{"a", "1"}}));
      auto again = ParseFieldSelector(f->ToString());
      CHECK(again.ok());
    }
  }
}
