// Admission: what kube-apiserver's always-on plugins and registry strategies do to objects on
// create and update beyond defaulting (pod status on create, Service address and node-port
// allocation, workload status reset). Validation of the result happens after.
#pragma once

#include "server/apiserver/rest.h"

namespace cluster::server {

Mutation AdmitCreate(RestContext* ctx, const Call& c, json::Document& obj);
Mutation AdmitUpdate(RestContext* ctx, const Call& c, const json::Value& old, json::Document& obj);
// Gives back what a failed (or no-op, or dry-run) request allocated.
void Release(RestContext* ctx, const Mutation& m);
// After a stored update: frees what it gave up (a Service's old node ports or address).
void Commit(RestContext* ctx, const Mutation& m);
// Frees the addresses and ports of a deleted Service.
void ReleaseService(RestContext* ctx, const json::Value& svc);
// Server-side apply (application/apply-patch+yaml).
ApiResponse Apply(RestContext* ctx, const Call& c);

}  // namespace cluster::server
