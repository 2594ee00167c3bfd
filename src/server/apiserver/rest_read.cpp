// get, list and watch.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <random>
#include <thread>

#include "api/protobuf.h"
#include "api/protobuf_wire.h"
#include "api/table.h"
#include "common/base64.h"
#include "common/log.h"
#include "common/selectors.h"
#include "server/apiserver/media.h"
#include "server/apiserver/object_store.h"
#include "server/apiserver/rest.h"
#include "server/apiserver/watch.h"

namespace cluster::server {
namespace {

// The request's label and field selectors, checked against the kind's selectable fields.
struct Selection {
  LabelSelector labels;
  FieldSelector fields;
  bool Empty() const { return labels.Empty() && fields.Empty(); }
};

Result<Selection> ParseSelection(const Call& c) {
  Selection sel;
  auto ls = ParseLabelSelector(c.Query("labelSelector"));
  if (!ls.ok()) return ls.status();
  sel.labels = std::move(ls).value();
  auto fs = ParseFieldSelector(c.Query("fieldSelector"));
  if (!fs.ok()) return fs.status();
  sel.fields = std::move(fs).value();
  static const json::Value kEmpty(rapidjson::kObjectType);
  for (const auto& r : sel.fields.requirements()) {
    if (r.field == "metadata.name" || r.field == "metadata.namespace") continue;
    if (c.info.field_getter && c.info.field_getter(kEmpty, r.field)) continue;
    return BadRequest("field label not supported: " + r.field);
  }
  return sel;
}

bool Selected(const Call& c, const Selection& sel, const json::Value& obj) {
  if (!sel.labels.Empty() && !sel.labels.Matches(json::Find(obj, {"metadata", "labels"})))
    return false;
  if (sel.fields.Empty()) return true;
  return sel.fields.Matches([&](std::string_view f) -> std::optional<std::string> {
    if (f == "metadata.name") return json::GetString(obj, {"metadata", "name"});
    if (f == "metadata.namespace") return json::GetString(obj, {"metadata", "namespace"});
    if (c.info.field_getter) return c.info.field_getter(obj, f);
    return std::nullopt;
  });
}

std::string EncodeContinue(int64_t rev, const std::string& start) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("v");
  w.String("meta.k8s.io/v1");
  w.Key("rv");
  w.Int64(rev);
  w.Key("start");
  w.String(start);
  w.EndObject();
  return Base64Encode(std::string_view(buf.GetString(), buf.GetSize()));
}

Status DecodeContinue(const std::string& token, int64_t* rev, std::string* start) {
  auto raw = Base64Decode(token);
  Status bad = BadRequest("continue key is not valid: " + token);
  if (!raw) return bad;
  auto doc = json::Parse(*raw);
  if (!doc.ok() || !doc->IsObject()) return bad;
  *rev = json::GetInt(*doc, {"rv"});
  *start = json::GetString(*doc, {"start"});
  if ((*rev <= 0 && *rev != -1) || start->find("..") != std::string::npos) return bad;
  return Status::Ok();
}

int64_t ParseInt(const std::string& s, int64_t fallback) {
  if (s.empty()) return fallback;
  try {
    size_t used = 0;
    int64_t v = std::stoll(s, &used);
    return used == s.size() ? v : -1;
  } catch (...) {
    return -1;
  }
}

struct ListPage {
  int64_t revision = 0;
  std::vector<json::Document> objects;  // only filled when parsing was needed
  std::vector<std::string> raw;         // wire JSON of each item
  std::string continue_token;
  int64_t remaining = -1;
};

// The error a list answers when its resourceVersion is ahead of the store (upstream's watch
// cache waits for it up to 3 s, then gives up).
constexpr std::chrono::seconds kWaitForRevision{3};

// A refusal that carries more than a Status (details, a fresh continue token).
struct ListError {
  Status status;
  ErrorDetails details;
};

Result<ListPage> ListObjects(RestContext* ctx, const Call& c, const Selection& sel, bool need_docs,
                             ListError* err = nullptr) {
  int64_t limit = ParseInt(c.Query("limit"), 0);
  if (limit < 0) return BadRequest("invalid limit: " + c.Query("limit"));
  std::string prefix = CollectionPrefix(c.info, c.ri.ns);
  std::string start = prefix;
  int64_t rev = 0;
  bool from_continue = false;
  const std::string rv_text = c.Query("resourceVersion");
  if (std::string tok = c.Query("continue"); !tok.empty()) {
    std::string rel;
    RETURN_IF_ERROR(DecodeContinue(tok, &rev, &rel));
    start = prefix + rel;
    from_continue = true;
    if (rev == -1) rev = 0;  // an inconsistent continuation: the rest at the latest revision
  } else {
    int64_t want = ParseInt(rv_text, 0);
    if (want < 0) return BadRequest("invalid resource version: " + rv_text);
    if (c.Query("resourceVersionMatch") == "Exact") {
      if (want <= 0) return BadRequest("resourceVersionMatch=Exact needs a resourceVersion");
      rev = want;
    }
    if (want > ctx->store()->CurrentRevision()) {
      auto deadline = std::chrono::steady_clock::now() + kWaitForRevision;
      while (want > ctx->store()->CurrentRevision() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      int64_t current = ctx->store()->CurrentRevision();
      if (want > current) {
        if (err) {
          err->details.causes.push_back(
              {"ResourceVersionTooLarge", "", "Too large resource version"});
          err->details.retry_after_seconds = 1;
        }
        return Status(Code::kTimeout, "Too large resource version: " + std::to_string(want) +
                                          ", current: " + std::to_string(current));
      }
    }
  }
  ListPage page;
  const bool filter = !sel.Empty();
  std::string cursor = start;
  int64_t read_rev = rev;
  for (;;) {
    store::RangeRequest rr;
    rr.key = cursor;
    rr.range_end = store::PrefixEnd(prefix);
    rr.revision = read_rev;
    if (limit > 0) rr.limit = filter ? std::max<int64_t>(limit, 500) : limit + 0;
    auto res = ctx->store()->Range(rr);
    if (!res.ok()) {
      if (res.status().code() != Code::kGone) return res.status();
      if (!from_continue)
        return Status(Code::kGone, "too old resource version: " + std::to_string(read_rev) + " (" +
                                       std::to_string(ctx->store()->CompactRevision()) + ")");
      // As upstream: a token to go on at the latest revision comes with the refusal.
      if (err) err->details.list_continue = EncodeContinue(-1, cursor.substr(prefix.size()));
      return Status(Code::kGone,
                    "The provided continue parameter is too old to display a consistent list "
                    "result. You can start a new list without the continue parameter, or use the "
                    "continue token in this response to retrieve the remainder of the results. "
                    "Continuing with the provided token results in an inconsistent list - objects "
                    "that were created, modified, or deleted between the time the first chunk was "
                    "returned and now may show up in the list.");
    }
    if (read_rev == 0) read_rev = res->revision;
    page.revision = read_rev;
    bool stopped = false;
    for (size_t i = 0; i < res->kvs.size(); ++i) {
      const auto& kv = res->kvs[i];
      if (limit > 0 && static_cast<int64_t>(page.raw.size()) >= limit) {
        // Full page: continue from this key.
        page.continue_token = EncodeContinue(read_rev, kv.key.substr(prefix.size()));
        if (!filter) page.remaining = res->count - static_cast<int64_t>(i);
        stopped = true;
        break;
      }
      if (filter || need_docs) {
        auto doc = DecodeFromStore(c.info, kv);
        if (!doc.ok()) continue;
        if (filter && !Selected(c, sel, *doc)) continue;
        if (need_docs) {
          page.objects.push_back(std::move(doc).value());
          page.raw.emplace_back();
        } else {
          page.raw.push_back(json::Serialize(*doc));
        }
      } else {
        page.raw.push_back(WireFromStored(c.info, kv.value, kv.mod_revision));
      }
    }
    if (stopped || !res->more || res->kvs.empty()) break;
    cursor = res->kvs.back().key + std::string(1, '\0');
    if (limit > 0 && static_cast<int64_t>(page.raw.size()) >= limit) {
      // Exactly full: is there anything left?
      page.continue_token = EncodeContinue(read_rev, cursor.substr(prefix.size()));
      if (!filter) page.remaining = res->count - static_cast<int64_t>(res->kvs.size());
      break;
    }
  }
  return page;
}

std::string ListBody(const api::ResourceInfo& info, const ListPage& page) {
  std::string out;
  size_t total = 256;
  for (const auto& r : page.raw) total += r.size() + 1;
  out.reserve(total);
  out += "{\"kind\":\"" + info.ListKind() + "\",\"apiVersion\":\"" + info.GroupVersion() +
         "\",\"metadata\":{\"resourceVersion\":\"" + std::to_string(page.revision) + "\"";
  if (!page.continue_token.empty()) {
    out += ",\"continue\":\"" + page.continue_token + "\"";
    if (page.remaining > 0) out += ",\"remainingItemCount\":" + std::to_string(page.remaining);
  }
  out += "},\"items\":[";
  for (size_t i = 0; i < page.raw.size(); ++i) {
    if (i) out += ',';
    out += page.raw[i];
  }
  out += "]}";
  return out;
}

// The list in protobuf, item by item from the wire JSON (no document of the whole list is
// built). kBadRequest when the kind has no protobuf form.
Result<std::string> ProtobufListBody(const api::ResourceInfo& info, const ListPage& page) {
  const api::schema::Type* type = info.schema_type;
  if (type == nullptr) return BadRequest("no protobuf form for " + info.kind);
  api::wire::Writer meta;  // ListMeta: resourceVersion = 2, continue = 3, remainingItemCount = 4
  meta.BytesField(2, std::to_string(page.revision));
  if (!page.continue_token.empty()) {
    meta.BytesField(3, page.continue_token);
    if (page.remaining > 0) meta.VarintField(4, static_cast<uint64_t>(page.remaining));
  }
  api::wire::Writer list;  // <Kind>List: metadata = 1, items = 2
  list.BytesField(1, meta.str());
  for (const std::string& raw : page.raw) {
    auto doc = json::Parse(raw);
    if (!doc.ok()) return doc.status();
    ASSIGN_OR_RETURN(std::string item, api::EncodeProtobufMessage(*type, *doc));
    list.BytesField(2, item);
  }
  return api::WrapProtobufEnvelope(info.GroupVersion(), info.ListKind(), list.str());
}

}  // namespace

namespace {

// meta.k8s.io v1beta1 Tables and PartialObjectMetadata have the v1 shape under another
// apiVersion.
std::string InMetaVersion(std::string body, const std::string& version) {
  if (version == "v1") return body;
  const std::string from = "\"meta.k8s.io/v1\"";
  const std::string to = "\"meta.k8s.io/" + version + "\"";
  for (size_t at = body.find(from); at != std::string::npos; at = body.find(from, at + to.size()))
    body.replace(at, from.size(), to);
  return body;
}

// PartialObjectMetadata: the object's kind/apiVersion replaced, its metadata alone kept.
std::string PartialObject(const json::Value& obj, const std::string& api_version) {
  std::string out =
      "{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"" + api_version + "\",\"metadata\":";
  const json::Value* meta = json::Find(obj, {"metadata"});
  out += meta ? json::Serialize(*meta) : "{}";
  out += "}";
  return out;
}

std::string PartialList(const ListPage& page, const std::string& api_version) {
  std::string out = "{\"kind\":\"PartialObjectMetadataList\",\"apiVersion\":\"" + api_version +
                    "\",\"metadata\":{\"resourceVersion\":\"" + std::to_string(page.revision) +
                    "\"";
  if (!page.continue_token.empty()) {
    out += ",\"continue\":\"" + page.continue_token + "\"";
    if (page.remaining > 0) out += ",\"remainingItemCount\":" + std::to_string(page.remaining);
  }
  out += "},\"items\":[";
  for (size_t i = 0; i < page.raw.size(); ++i) {
    auto doc = json::Parse(page.raw[i]);
    if (!doc.ok()) continue;
    if (i) out += ',';
    out += PartialObject(*doc, api_version);
  }
  out += "]}";
  return out;
}

ApiResponse Converted(const MediaChoice& m, std::string body, bool list) {
  ApiResponse r = JsonResponse(200, std::move(body));
  r.content_type = m.ContentType(list);
  return r;
}

}  // namespace

ApiResponse RestContext::Get(const Call& c) {
  int64_t rev = 0;
  auto obj = Read(c.info, c.ri.ns, c.ri.name, &rev);
  if (!obj.ok()) return ErrorResponse(obj.status(), DetailsFor(c.info, c.ri.name));
  if (c.media.target == MediaTarget::kTable) {
    std::vector<const json::Value*> objs = {&*obj};
    return Converted(
        c.media,
        InMetaVersion(api::BuildTable(c.info, objs,
                                      api::ParseIncludeObject(c.Query("includeObject")), "", ""),
                      c.media.version),
        false);
  }
  if (c.media.target == MediaTarget::kPartialMetadata)
    return Converted(c.media, PartialObject(*obj, c.media.TargetApiVersion()), false);
  return JsonResponse(200, Wire(*obj));
}

ApiResponse RestContext::List(const Call& c) {
  auto sel = ParseSelection(c);
  if (!sel.ok()) return ErrorResponse(sel.status());
  const bool table = c.media.target == MediaTarget::kTable;
  ListError err;
  auto page = ListObjects(this, c, *sel, false, &err);
  if (!page.ok()) return ErrorResponse(page.status(), err.details);
  if (table) {
    return Converted(
        c.media,
        InMetaVersion(api::BuildTableFromJson(c.info, page->raw,
                                              api::ParseIncludeObject(c.Query("includeObject")),
                                              std::to_string(page->revision), page->continue_token),
                      c.media.version),
        true);
  }
  if (c.media.target == MediaTarget::kPartialMetadata)
    return Converted(c.media, PartialList(*page, c.media.TargetApiVersion()), true);
  if (c.media.format == MediaFormat::kProtobuf) {
    auto pb = ProtobufListBody(c.info, *page);
    if (pb.ok()) {
      ApiResponse r = JsonResponse(200, std::move(pb).value());
      r.content_type = kProtobufMediaType;
      return r;
    }
  }
  return JsonResponse(200, ListBody(c.info, *page));
}

ApiResponse RestContext::Watch(const Call& c) {
  auto sel_res = ParseSelection(c);
  if (!sel_res.ok()) return ErrorResponse(sel_res.status());
  auto sel = std::make_shared<Selection>(std::move(sel_res).value());
  std::string rv = c.Query("resourceVersion");
  int64_t start = ParseInt(rv, 0);
  if (start < 0) return ErrorResponse(BadRequest("invalid resourceVersion: " + rv));
  const bool table = c.media.target == MediaTarget::kTable;
  const bool partial = c.media.target == MediaTarget::kPartialMetadata;
  const std::string meta_version = c.media.version;
  const std::string meta_api_version = c.media.TargetApiVersion();
  const api::IncludeObject include = api::ParseIncludeObject(c.Query("includeObject"));
  const api::ResourceInfo* info = &c.info;
  // A copy of what the selection needs, since the Call does not outlive this function.
  std::string ns = c.ri.ns;
  const bool pb = c.media.target == MediaTarget::kPlain && c.media.format == MediaFormat::kProtobuf;
  WatchOptions opts;
  opts.protobuf = pb;
  opts.encode = [info, table, partial, include, pb, meta_version,
                 meta_api_version](const json::Value& obj) {
    if (pb) {
      auto bytes = api::EncodeProtobufObject(obj);
      return bytes.ok() ? std::move(bytes).value() : std::string();
    }
    if (partial) return PartialObject(obj, meta_api_version);
    if (!table) return json::Serialize(obj);
    std::vector<const json::Value*> objs = {&obj};
    return InMetaVersion(api::BuildTable(*info, objs, include, "", ""), meta_version);
  };
  RequestInfo ri_copy = c.ri;
  opts.selected = [info, sel, ri_copy](const json::Value& obj) {
    ApiRequest dummy;
    Call call{dummy, ri_copy, *info};
    return Selected(call, *sel, obj);
  };
  opts.from_storage = info->from_storage;
  opts.encode_tag = info->GroupVersion() + "/" + info->plural +
                    (table     ? ";table;" + meta_version + ";" + c.Query("includeObject")
                     : partial ? ";partial;" + meta_version
                     : pb      ? ";protobuf"
                               : ";json");
  opts.bookmarks = c.Flag("allowWatchBookmarks");
  opts.bookmark_kind = table ? "Table" : partial ? "PartialObjectMetadata" : info->kind;
  opts.bookmark_api_version = (table || partial) ? meta_api_version : info->GroupVersion();
  int64_t timeout = ParseInt(c.Query("timeoutSeconds"), 0);
  if (timeout <= 0) {
    static thread_local std::mt19937 rng{std::random_device{}()};
    timeout = 1800 + static_cast<int64_t>(rng() % 1800);
  }
  opts.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
  const bool send_initial = c.Flag("sendInitialEvents");
  if (start == 0 || send_initial) {
    // "Start at most recent": the current state as ADDED events, then changes.
    ApiRequest list_req = c.req;
    list_req.query.erase("limit");
    list_req.query.erase("continue");
    list_req.query.erase("resourceVersionMatch");
    Call list_call{list_req, c.ri, c.info};
    auto page = ListObjects(this, list_call, *sel, true);
    if (!page.ok()) return ErrorResponse(page.status());
    for (const auto& d : page->objects) {
      std::string encoded = opts.encode(d);
      if (!encoded.empty()) opts.initial.push_back(WatchEventBytes(pb, "ADDED", encoded));
    }
    if (send_initial) {
      std::string bm = "{\"kind\":\"" + opts.bookmark_kind + "\",\"apiVersion\":\"" +
                       opts.bookmark_api_version + "\",\"metadata\":{\"resourceVersion\":\"" +
                       std::to_string(page->revision) +
                       "\",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}}}";
      opts.initial.push_back(WatchEventFromJson(pb, "BOOKMARK", bm));
    }
    start = page->revision;
  }
  store::WatchRequest wr;
  wr.key = CollectionPrefix(c.info, ns);
  if (!c.ri.name.empty()) wr.key = ObjectKey(c.info, ns, c.ri.name);
  wr.range_end = c.ri.name.empty() ? store::PrefixEnd(wr.key) : "";
  wr.start_revision = start + 1;
  wr.prev_kv = true;
  auto stream = store_->Watch(wr);
  ApiResponse resp;
  if (!stream.ok()) {
    if (stream.status().code() != Code::kGone) return ErrorResponse(stream.status());
    // Too old: upstream answers 200 with one ERROR event carrying 410 Expired.
    if (pb) resp.content_type = std::string(kProtobufMediaType) + ";stream=watch";
    resp.body = GoneEvent(pb, "too old resource version: " + rv + " (" +
                                  std::to_string(store_->CompactRevision()) + ")");
    return resp;
  }
  resp.stream =
      std::make_unique<ApiWatch>(std::move(stream).value(), std::move(opts), watches_.get());
  resp.content_type = (table || partial) ? c.media.ContentType(false)
                      : pb               ? std::string(kProtobufMediaType) + ";stream=watch"
                                         : "application/json";
  return resp;
}

}  // namespace cluster::server
