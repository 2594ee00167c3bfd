#include "server/apiserver/authn.h"

#include <fstream>
#include <map>
#include <sstream>
#include <vector>

namespace cluster::server {
namespace {

class TokenFile : public TokenAuthenticator {
 public:
  explicit TokenFile(const std::string& path) {
    if (path.empty()) return;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::vector<std::string> fields;
      std::string cur;
      bool quoted = false;
      for (char c : line) {
        if (c == '"')
          quoted = !quoted;
        else if (c == ',' && !quoted) {
          fields.push_back(cur);
          cur.clear();
        } else {
          cur += c;
        }
      }
      fields.push_back(cur);
      if (fields.size() < 2 || fields[0].empty()) continue;
      UserInfo u;
      u.name = fields[1];
      if (fields.size() >= 3) u.uid = fields[2];
      if (fields.size() >= 4) {
        std::stringstream gs(fields[3]);
        std::string g;
        while (std::getline(gs, g, ','))
          if (!g.empty()) u.groups.push_back(g);
      }
      users_[fields[0]] = u;
    }
  }

  std::optional<UserInfo> Authenticate(std::string_view token,
                                       const std::vector<std::string>& audiences) const override {
    if (!audiences.empty()) return std::nullopt;
    auto it = users_.find(std::string(token));
    if (it == users_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::string, UserInfo> users_;
};

}  // namespace

std::shared_ptr<const TokenAuthenticator> TokenFileAuthenticator(const std::string& path) {
  return std::make_shared<TokenFile>(path);
}

}  // namespace cluster::server

namespace cluster::server {
namespace {

class Union : public TokenAuthenticator {
 public:
  explicit Union(std::vector<std::shared_ptr<const TokenAuthenticator>> parts)
      : parts_(std::move(parts)) {}
  std::optional<UserInfo> Authenticate(std::string_view token,
                                       const std::vector<std::string>& audiences) const override {
    for (const auto& p : parts_)
      if (p)
        if (auto u = p->Authenticate(token, audiences)) return u;
    return std::nullopt;
  }

 private:
  std::vector<std::shared_ptr<const TokenAuthenticator>> parts_;
};

}  // namespace

std::shared_ptr<const TokenAuthenticator> UnionAuthenticator(
    std::vector<std::shared_ptr<const TokenAuthenticator>> parts) {
  return std::make_shared<Union>(std::move(parts));
}

}  // namespace cluster::server
