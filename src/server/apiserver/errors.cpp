#include "server/apiserver/errors.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/validation.h"

namespace cluster::server {

std::string StatusBody(const Status& st, const ErrorDetails& d) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("kind");
  w.String("Status");
  w.Key("apiVersion");
  w.String("v1");
  w.Key("metadata");
  w.StartObject();
  if (!d.list_continue.empty()) {
    w.Key("continue");
    w.String(d.list_continue);
  }
  w.EndObject();
  w.Key("status");
  w.String(st.ok() ? "Success" : "Failure");
  if (!st.message().empty()) {
    w.Key("message");
    w.String(st.message());
  }
  if (!st.ok()) {
    w.Key("reason");
    w.String(ReasonString(st.code()));
  }
  if (!d.name.empty() || !d.kind.empty() || !d.causes.empty() || d.retry_after_seconds > 0) {
    w.Key("details");
    w.StartObject();
    if (!d.name.empty()) {
      w.Key("name");
      w.String(d.name);
    }
    if (!d.group.empty()) {
      w.Key("group");
      w.String(d.group);
    }
    if (!d.kind.empty()) {
      w.Key("kind");
      w.String(d.kind);
    }
    if (!d.causes.empty()) {
      w.Key("causes");
      w.StartArray();
      for (const auto& c : d.causes) {
        w.StartObject();
        w.Key("reason");
        w.String(c.reason);
        w.Key("message");
        w.String(c.message);
        if (!c.field.empty()) {
          w.Key("field");
          w.String(c.field);
        }
        w.EndObject();
      }
      w.EndArray();
    }
    if (d.retry_after_seconds > 0) {
      w.Key("retryAfterSeconds");
      w.Int(d.retry_after_seconds);
    }
    w.EndObject();
  }
  w.Key("code");
  w.Int(HttpCode(st.code()));
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

ApiResponse ErrorResponse(const Status& st, const ErrorDetails& details) {
  ApiResponse resp;
  resp.code = HttpCode(st.code());
  resp.body = StatusBody(st, details);
  return resp;
}

Status NotFoundError(const api::ResourceInfo& info, const std::string& name) {
  std::string res = info.group.empty() ? info.plural : info.plural + "." + info.group;
  return Status(Code::kNotFound, res + " \"" + name + "\" not found");
}

Status AlreadyExistsError(const api::ResourceInfo& info, const std::string& name) {
  std::string res = info.group.empty() ? info.plural : info.plural + "." + info.group;
  return Status(Code::kAlreadyExists, res + " \"" + name + "\" already exists");
}

Status ConflictError(const api::ResourceInfo& info, const std::string& name,
                     const std::string& why) {
  std::string res = info.group.empty() ? info.plural : info.plural + "." + info.group;
  return Status(Code::kConflict,
                "Operation cannot be fulfilled on " + res + " \"" + name + "\": " + why);
}

ErrorDetails DetailsFor(const api::ResourceInfo& info, const std::string& name) {
  ErrorDetails d;
  d.name = name;
  d.group = info.group;
  d.kind = info.plural;
  return d;
}

ApiResponse InvalidResponse(const api::ResourceInfo& info, const std::string& name,
                            const api::FieldCauses& causes) {
  ErrorDetails d;
  d.name = name;
  d.group = info.group;
  d.kind = info.kind;
  d.causes = causes;
  std::string kind = info.group.empty() ? info.kind : info.kind + "." + info.group;
  return ErrorResponse(Status(Code::kInvalid, api::InvalidMessage(kind, name, causes)), d);
}

}  // namespace cluster::server
