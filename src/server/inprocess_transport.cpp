#include "server/inprocess_transport.h"

#include <atomic>

namespace cluster::server {
namespace {

// Splits a ResponseStream's chunks into lines.
class LineStream : public client::Stream {
 public:
  explicit LineStream(std::unique_ptr<ResponseStream> s) : stream_(std::move(s)) {}
  ~LineStream() override { stream_->Cancel(); }

  bool Next(std::string* line, std::chrono::milliseconds timeout) override {
    line->clear();
    for (;;) {
      auto nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        *line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return true;
      }
      if (ended_) return false;
      std::string chunk;
      if (!stream_->Next(&chunk, timeout)) {
        ended_ = true;
        if (!buffer_.empty()) {
          *line = std::move(buffer_);
          buffer_.clear();
          return true;
        }
        return false;
      }
      if (chunk.empty()) return true;  // timeout
      buffer_ += chunk;
    }
  }
  Status status() const override { return Status::Ok(); }
  void Cancel() override { stream_->Cancel(); }

 private:
  std::unique_ptr<ResponseStream> stream_;
  std::string buffer_;
  bool ended_ = false;
};

class InProcess : public client::Transport {
 public:
  InProcess(ApiServer* api, std::string user, std::vector<std::string> groups)
      : api_(api), user_(std::move(user)), groups_(std::move(groups)) {}

  Result<client::Response> Do(const client::Request& req) override {
    ApiResponse r = api_->Handle(Convert(req));
    client::Response out;
    out.code = r.code;
    out.content_type = r.content_type;
    out.warnings = r.warnings;
    if (r.stream) {
      // A watch asked through Do: collect nothing, end it.
      r.stream->Cancel();
    } else {
      out.body = std::move(r.body);
    }
    return out;
  }

  Result<std::unique_ptr<client::Stream>> OpenStream(const client::Request& req) override {
    ApiResponse r = api_->Handle(Convert(req));
    if (r.code >= 300) {
      client::Response resp;
      resp.code = r.code;
      resp.body = r.body;
      return client::StatusFromResponse(resp);
    }
    if (!r.stream) {
      // A whole answer (e.g. a single ERROR event): serve it as a finished stream.
      class Finished : public ResponseStream {
       public:
        explicit Finished(std::string b) : body_(std::move(b)) {}
        bool Next(std::string* chunk, std::chrono::milliseconds) override {
          if (done_) return false;
          done_ = true;
          *chunk = body_;
          return true;
        }
        void Cancel() override {}

       private:
        std::string body_;
        bool done_ = false;
      };
      return std::unique_ptr<client::Stream>(
          new LineStream(std::make_unique<Finished>(std::move(r.body))));
    }
    return std::unique_ptr<client::Stream>(new LineStream(std::move(r.stream)));
  }

 private:
  ApiRequest Convert(const client::Request& req) const {
    ApiRequest r;
    r.method = req.method;
    r.path = req.path;
    r.query = req.query;
    r.body = req.body;
    r.content_type = req.content_type.empty() ? "application/json" : req.content_type;
    r.accept = req.accept;
    r.user.name = user_;
    // Names the field manager of its writes, as upstream's "kube-controller-manager/v1.32...".
    r.user_agent = user_.rfind("system:", 0) == 0 ? user_.substr(7) : user_;
    r.user.groups = groups_;
    r.user.groups.push_back("system:authenticated");
    r.authenticated = true;
    return r;
  }

  ApiServer* api_;
  std::string user_;
  std::vector<std::string> groups_;
};

}  // namespace

std::shared_ptr<client::Transport> NewInProcessTransport(ApiServer* api, const std::string& user,
                                                         const std::vector<std::string>& groups) {
  return std::make_shared<InProcess>(api, user, groups);
}

}  // namespace cluster::server
