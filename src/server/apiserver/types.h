// Request and response of the apiserver's REST engine, shared by the HTTPS front end and the
// in-process transport (both call ApiServer::Handle with one of these).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace cluster::server {

struct UserInfo {
  std::string name;  // empty: anonymous
  std::string uid;
  std::vector<std::string> groups;
  bool InGroup(const std::string& g) const {
    for (const auto& x : groups)
      if (x == g) return true;
    return false;
  }
};

struct ApiRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;
  std::string body;
  std::string content_type;
  std::string accept;
  std::string user_agent;  // names the field manager of writes without a fieldManager parameter
  UserInfo user;
  bool authenticated = false;
};

// A streamed body (watch): chunks are written to the client as they come.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Waits up to `timeout` for the next chunk; returns false once the stream ended.
  virtual bool Next(std::string* chunk, std::chrono::milliseconds timeout) = 0;
  // Ends the stream from any thread.
  virtual void Cancel() = 0;
};

struct ApiResponse {
  int code = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::string> warnings;
  std::unique_ptr<ResponseStream> stream;  // set for watches (body empty)
};

}  // namespace cluster::server
