// Internal to the apiserver: the REST engine behind ApiServer. One generic implementation per
// verb (rest_read.cpp, rest_write.cpp, rest_delete.cpp, rest_subresources.cpp), driven by the
// resource table row of the request.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <set>

#include "api/resources.h"
#include "common/json.h"
#include "server/apiserver/apiserver.h"
#include "server/apiserver/errors.h"
#include "server/apiserver/ip_allocator.h"
#include "server/apiserver/media.h"
#include "server/apiserver/request_info.h"
#include "store/store.h"

namespace cluster::server {

// A boolean query parameter, as apimachinery's Convert_Slice_string_To_bool.
bool QueryFlag(const std::map<std::string, std::string>& query, const std::string& key);

// One resource request on its way through the engine.
struct Call {
  const ApiRequest& req;
  const RequestInfo& ri;
  const api::ResourceInfo& info;
  MediaChoice media = {};  // what the answer is negotiated to be
  std::string Query(const std::string& key) const {
    auto it = req.query.find(key);
    return it == req.query.end() ? "" : it->second;
  }
  bool DryRun() const { return !Query("dryRun").empty(); }
  // A boolean query parameter as Go's query decoding reads it: present and not "0" or "false"
  // (any case) — so force=True and watch=1 count.
  bool Flag(const std::string& key) const { return QueryFlag(req.query, key); }
};

// What a mutation callback decides about the object it was given.
struct Mutation {
  Status status;                // non-ok: refuse with this
  ErrorDetails details;         // for the refusal
  api::FieldCauses causes;      // non-empty: 422 Invalid
  bool delete_instead = false;  // the update finished a deletion: remove the object
  // Service addresses and ports this request allocated (released when it fails).
  std::vector<std::string> allocated_ips;
  std::vector<int> allocated_ports;
  // Service addresses and ports the update gave up (released once it is stored).
  std::vector<std::string> released_ips;
  std::vector<int> released_ports;
};

class WatchRegistry;

class RestContext {
 public:
  RestContext(store::Store* store, const ApiServerOptions& opts,
              std::unique_ptr<Authorizer> authorizer);
  ~RestContext();

  ApiResponse Serve(const ApiRequest& req);
  Status Bootstrap();
  void CancelWatches();

  // ---- used by the verb files ----
  ApiResponse Get(const Call& c);
  ApiResponse List(const Call& c);
  ApiResponse Watch(const Call& c);
  ApiResponse Create(const Call& c);
  ApiResponse Update(const Call& c);
  ApiResponse Patch(const Call& c);
  ApiResponse Delete(const Call& c);
  ApiResponse DeleteCollection(const Call& c);
  ApiResponse Subresource(const Call& c);

  // Reads one object with its resourceVersion set; *rev gets its mod_revision.
  Result<json::Document> Read(const api::ResourceInfo& info, const std::string& ns,
                              const std::string& name, int64_t* rev);
  // Read-modify-write with compare-and-swap, retried on conflicts when the caller gave no
  // resourceVersion precondition. `mutate` gets the current object (a copy it may change).
  ApiResponse GuaranteedUpdate(const Call& c, const std::string& name,
                               const std::function<Mutation(json::Document& obj)>& mutate,
                               int success_code = 200);
  // Prepares and validates a new object version against the old one (update path).
  Mutation PrepareUpdate(const Call& c, const json::Value& old, json::Document& obj,
                         bool status_only);
  // Creates an object given as a document (create path after decoding); used by Create and
  // by internal creators.
  ApiResponse CreateObject(const Call& c, json::Document obj);
  // Deletes an object now (no grace) with optional CAS; returns the deleted object.
  Result<json::Document> DeleteNow(const api::ResourceInfo& info, const std::string& ns,
                                   const std::string& name, int64_t expected_rev);
  // authorization.k8s.io reviews: the authorizer's answer for the subject in the body.
  ApiResponse AccessReview(const Call& c);
  ApiResponse AuthenticationReview(const Call& c);
  ApiResponse TokenRequest(const Call& c);
  // Namespace lifecycle: kNotFound / kForbidden (terminating) for creates in `ns`.
  Status CheckNamespaceForCreate(const std::string& ns);

  // Objects as API JSON ready for the wire (resourceVersion set).
  std::string Wire(const json::Value& obj);

  store::Store* store() { return store_; }
  const api::ResourceTable& table() const { return table_; }
  const ApiServerOptions& opts() const { return opts_; }
  IpAllocator& allocator() { return allocator_; }
  WatchRegistry& watches() { return *watches_; }

 private:
  ApiResponse ServeResource(const ApiRequest& req, const RequestInfo& ri, const MediaChoice& media);
  ApiResponse ServeNonResource(const ApiRequest& req, const RequestInfo& ri);
  bool Authorize(const ApiRequest& req, const RequestInfo& ri, ApiResponse* denied);

 public:
  const Authorizer& authorizer() const { return *authorizer_; }
  const std::shared_ptr<const TokenAuthenticator>& authenticator() const { return tokens_; }

 private:
  store::Store* store_;
  ApiServerOptions opts_;
  std::unique_ptr<Authorizer> authorizer_;
  std::shared_ptr<const TokenAuthenticator> tokens_;
  const api::ResourceTable& table_;
  IpAllocator allocator_;
  std::unique_ptr<WatchRegistry> watches_;
};

// Decodes a create/update body (JSON, YAML or protobuf) into an object of the call's kind.
// Applies the request's fieldValidation directive: Strict refuses unknown and duplicate fields
// (400), Warn appends one warning per field to *warnings (if given).
Result<json::Document> DecodeBody(const Call& c, std::vector<std::string>* warnings = nullptr);
// fieldValidation of an object (or, with `patch`, of a patch body) of the call's kind:
// kBadRequest ("strict decoding error: ...") under Strict; under Warn and Ignore unknown fields
// are removed from `obj` (and Warn appends one warning each). Requests without the parameter
// (in-process clients) are left alone.
Status CheckFields(const Call& c, json::Value& obj, bool patch, std::vector<std::string>* warnings);
// Discovery documents (discovery.cpp).
ApiResponse ServeDiscovery(const api::ResourceTable& table, const ApiRequest& req,
                           const RequestInfo& ri);
// /openapi/v2, /openapi/v3 and /openapi/v3/<api|apis/group>/<version> (openapi_endpoint.cpp).
ApiResponse ServeOpenApi(const ApiRequest& req);
// What a resource request may be answered with, by verb and subresource.
MediaOffer OfferFor(const RequestInfo& ri);
ApiResponse JsonResponse(int code, std::string body);

}  // namespace cluster::server
