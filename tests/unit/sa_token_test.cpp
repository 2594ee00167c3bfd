#include "server/apiserver/sa_token.h"

#include <catch2/catch.hpp>

#include "common/base64.h"
#include "server/bootstrap/x509.h"

namespace cluster::server {
namespace {

std::shared_ptr<const ServiceAccountTokens> NewTokens() {
  auto key = bootstrap::x509::GenerateKey();
  REQUIRE(key.ok());
  auto pem = bootstrap::x509::KeyToPem(key->get());
  REQUIRE(pem.ok());
  auto t = ServiceAccountTokens::Create(*pem, {ServiceAccountTokens::kIssuer});
  REQUIRE(t.ok());
  return *t;
}

const ServiceAccountRef kSa{"default", "bot", "uid-1"};

TEST_CASE("service account tokens: issue, verify, and what is refused", "[sa]") {
  auto tokens = NewTokens();
  int64_t exp = 0;
  auto t = tokens->Issue(kSa, {}, 3600, std::nullopt, &exp);
  REQUIRE(t.ok());
  CHECK(exp > 0);
  auto v = tokens->Verify(*t);
  REQUIRE(v.ok());
  CHECK(v->sa.ns == "default");
  CHECK(v->sa.name == "bot");
  CHECK(v->sa.uid == "uid-1");
  CHECK_FALSE(v->bound);

  // A flipped signature byte, another key, an expired token, another audience.
  std::string bad = *t;
  bad[bad.size() - 5] = bad[bad.size() - 5] == 'A' ? 'B' : 'A';
  CHECK(tokens->Verify(bad).status().code() == Code::kUnauthorized);
  CHECK_FALSE(NewTokens()->Verify(*t).ok());
  auto old = tokens->Issue(kSa, {}, -120, std::nullopt, nullptr);
  REQUIRE(old.ok());
  CHECK(tokens->Verify(*old).status().message() == "service account token: expired");
  auto other = tokens->Issue(kSa, {"vault"}, 3600, std::nullopt, nullptr);
  REQUIRE(other.ok());
  CHECK_FALSE(tokens->Verify(*other).ok());
  CHECK(tokens->Verify(*other, {"vault"}).ok());
  for (const char* junk : {"", "a.b", "a.b.c", "...", "x.y.z.w"})
    CHECK_FALSE(tokens->Verify(junk).ok());
}

TEST_CASE("service account authenticator: accounts and bound objects must still exist", "[sa]") {
  auto tokens = NewTokens();
  std::map<std::string, std::string> uids = {{"ServiceAccount/default/bot", "uid-1"},
                                             {"Pod/default/p", "pod-uid"}};
  auto auth =
      ServiceAccountAuthenticator(tokens,
                                  [&](const std::string& kind, const std::string& ns,
                                      const std::string& name) -> std::optional<std::string> {
                                    auto it = uids.find(kind + "/" + ns + "/" + name);
                                    if (it == uids.end()) return std::nullopt;
                                    return it->second;
                                  });
  auto t = tokens->Issue(kSa, {}, 3600, BoundObject{"Pod", "p", "pod-uid"}, nullptr);
  REQUIRE(t.ok());
  auto u = auth->Authenticate(*t);
  REQUIRE(u);
  CHECK(u->name == "system:serviceaccount:default:bot");
  CHECK(u->uid == "uid-1");
  CHECK(u->groups ==
        std::vector<std::string>{"system:serviceaccounts", "system:serviceaccounts:default"});
  uids["Pod/default/p"] = "another-pod";  // the pod was re-created
  CHECK_FALSE(auth->Authenticate(*t));
  uids.erase("ServiceAccount/default/bot");
  auto plain = tokens->Issue(kSa, {}, 3600, std::nullopt, nullptr);
  CHECK_FALSE(auth->Authenticate(*plain));
  CHECK_FALSE(auth->Authenticate("not-a-token"));
}

}  // namespace
}  // namespace cluster::server
