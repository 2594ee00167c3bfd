#include "api/resources.h"

#include <algorithm>

#include "api/hooks.h"

namespace cluster::api {
namespace {

const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};

struct Row {
  const char* group;
  const char* kind;
  const char* plural;
  std::vector<std::string> short_names;
  bool namespaced;
  std::vector<std::string> subresources;
  std::vector<std::string> categories;
  std::vector<std::string> verbs;  // empty: kAllVerbs
  const char* version = "v1";      // a group's first listed version is its preferred one
};

// Kubernetes 1.32's built-in resources that this server serves (kubectl api-resources).
const std::vector<Row>& Rows() {
  static const std::vector<Row> rows = {
      {"", "ConfigMap", "configmaps", {"cm"}, true, {}, {}, {}},
      {"", "Endpoints", "endpoints", {"ep"}, true, {}, {}, {}},
      {"", "Event", "events", {"ev"}, true, {}, {}, {}},
      {"", "LimitRange", "limitranges", {"limits"}, true, {}, {}, {}},
      {"",
       "Namespace",
       "namespaces",
       {"ns"},
       false,
       {"status", "finalize"},
       {},
       {"create", "delete", "get", "list", "patch", "update", "watch"}},
      {"", "Node", "nodes", {"no"}, false, {"status"}, {}, {}},
      {"", "PersistentVolumeClaim", "persistentvolumeclaims", {"pvc"}, true, {"status"}, {}, {}},
      {"", "PersistentVolume", "persistentvolumes", {"pv"}, false, {"status"}, {}, {}},
      {"",
       "Pod",
       "pods",
       {"po"},
       true,
       {"status", "binding", "eviction", "log", "ephemeralcontainers"},
       {"all"},
       {}},
      {"", "PodTemplate", "podtemplates", {}, true, {}, {}, {}},
      {"",
       "ReplicationController",
       "replicationcontrollers",
       {"rc"},
       true,
       {"status", "scale"},
       {"all"},
       {}},
      {"", "ResourceQuota", "resourcequotas", {"quota"}, true, {"status"}, {}, {}},
      {"", "Secret", "secrets", {}, true, {}, {}, {}},
      {"", "ServiceAccount", "serviceaccounts", {"sa"}, true, {"token"}, {}, {}},
      {"", "Service", "services", {"svc"}, true, {"status"}, {"all"}, {}},
      {"apps", "ControllerRevision", "controllerrevisions", {}, true, {}, {}, {}},
      {"apps", "DaemonSet", "daemonsets", {"ds"}, true, {"status"}, {"all"}, {}},
      {"apps", "Deployment", "deployments", {"deploy"}, true, {"status", "scale"}, {"all"}, {}},
      {"apps", "ReplicaSet", "replicasets", {"rs"}, true, {"status", "scale"}, {"all"}, {}},
      {"apps", "StatefulSet", "statefulsets", {"sts"}, true, {"status", "scale"}, {"all"}, {}},
      {"batch", "CronJob", "cronjobs", {"cj"}, true, {"status"}, {"all"}, {}},
      {"batch", "Job", "jobs", {}, true, {"status"}, {"all"}, {}},
      {"coordination.k8s.io", "Lease", "leases", {}, true, {}, {}, {}},
      {"discovery.k8s.io", "EndpointSlice", "endpointslices", {}, true, {}, {}, {}},
      {"events.k8s.io", "Event", "events", {"ev"}, true, {}, {}, {}},
      {"policy", "PodDisruptionBudget", "poddisruptionbudgets", {"pdb"}, true, {"status"}, {}, {}},
      {"rbac.authorization.k8s.io",
       "ClusterRoleBinding",
       "clusterrolebindings",
       {},
       false,
       {},
       {},
       {}},
      {"rbac.authorization.k8s.io", "ClusterRole", "clusterroles", {}, false, {}, {}, {}},
      {"rbac.authorization.k8s.io", "RoleBinding", "rolebindings", {}, true, {}, {}, {}},
      {"rbac.authorization.k8s.io", "Role", "roles", {}, true, {}, {}, {}},
      {"scheduling.k8s.io", "PriorityClass", "priorityclasses", {"pc"}, false, {}, {}, {}},
      {"networking.k8s.io", "Ingress", "ingresses", {"ing"}, true, {"status"}, {}, {}},
      {"networking.k8s.io", "IngressClass", "ingressclasses", {}, false, {}, {}, {}},
      {"networking.k8s.io", "NetworkPolicy", "networkpolicies", {"netpol"}, true, {}, {}, {}},
      {"autoscaling",
       "HorizontalPodAutoscaler",
       "horizontalpodautoscalers",
       {"hpa"},
       true,
       {"status"},
       {"all"},
       {},
       "v2"},
      {"autoscaling",
       "HorizontalPodAutoscaler",
       "horizontalpodautoscalers",
       {"hpa"},
       true,
       {"status"},
       {"all"},
       {},
       "v1"},
      {"storage.k8s.io", "StorageClass", "storageclasses", {"sc"}, false, {}, {}, {}},
      {"storage.k8s.io", "CSIDriver", "csidrivers", {}, false, {}, {}, {}},
      {"storage.k8s.io", "CSINode", "csinodes", {}, false, {}, {}, {}},
      {"storage.k8s.io", "CSIStorageCapacity", "csistoragecapacities", {}, true, {}, {}, {}},
      {"storage.k8s.io", "VolumeAttachment", "volumeattachments", {}, false, {"status"}, {}, {}},
      {"node.k8s.io", "RuntimeClass", "runtimeclasses", {}, false, {}, {}, {}},
      {"certificates.k8s.io",
       "CertificateSigningRequest",
       "certificatesigningrequests",
       {"csr"},
       false,
       {"status", "approval"},
       {},
       {}},
      // Authentication reviews: answered by the authenticator, never stored.
      {"authentication.k8s.io",
       "SelfSubjectReview",
       "selfsubjectreviews",
       {},
       false,
       {},
       {},
       {"create"}},
      {"authentication.k8s.io", "TokenReview", "tokenreviews", {}, false, {}, {}, {"create"}},
      // Access reviews: answered by the authorizer, never stored.
      {"authorization.k8s.io",
       "LocalSubjectAccessReview",
       "localsubjectaccessreviews",
       {},
       true,
       {},
       {},
       {"create"}},
      {"authorization.k8s.io",
       "SelfSubjectAccessReview",
       "selfsubjectaccessreviews",
       {},
       false,
       {},
       {},
       {"create"}},
      {"authorization.k8s.io",
       "SelfSubjectRulesReview",
       "selfsubjectrulesreviews",
       {},
       false,
       {},
       {},
       {"create"}},
      {"authorization.k8s.io",
       "SubjectAccessReview",
       "subjectaccessreviews",
       {},
       false,
       {},
       {},
       {"create"}},
  };
  return rows;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::string ResourceInfo::StorePrefix() const {
  // Both event APIs share one collection, stored in the core/v1 shape (see to_storage).
  if (plural == "events") return "/registry/events/";
  if (group.empty() || group == "apps" || group == "batch" || group == "policy")
    return "/registry/" + plural + "/";
  return "/registry/" + group + "/" + plural + "/";
}

const ResourceTable& ResourceTable::BuiltIn() {
  static const ResourceTable table = [] {
    ResourceTable t;
    for (const Row& r : Rows()) {
      ResourceInfo info;
      info.group = r.group;
      info.version = r.version;
      info.kind = r.kind;
      info.plural = r.plural;
      info.singular = Lower(r.kind);
      info.short_names = r.short_names;
      info.categories = r.categories;
      info.namespaced = r.namespaced;
      info.verbs = r.verbs.empty() ? kAllVerbs : r.verbs;
      info.subresources = r.subresources;
      info.has_status =
          std::find(r.subresources.begin(), r.subresources.end(), "status") != r.subresources.end();
      info.schema_type = schema::Schema::Get().FindKind(info.group, info.version, info.kind);
      InstallHooks(&info);
      t.Add(std::move(info));
    }
    return t;
  }();
  return table;
}

const ResourceInfo* ResourceTable::Find(std::string_view group, std::string_view version,
                                        std::string_view plural) const {
  for (const ResourceInfo& r : rows_)
    if (r.group == group && r.version == version && r.plural == plural) return &r;
  return nullptr;
}

const ResourceInfo* ResourceTable::FindKind(std::string_view group, std::string_view kind) const {
  for (const ResourceInfo& r : rows_)
    if (r.group == group && r.kind == kind) return &r;
  return nullptr;
}

std::vector<std::string> ResourceTable::Groups() const {
  std::vector<std::string> groups;
  for (const ResourceInfo& r : rows_)
    if (std::find(groups.begin(), groups.end(), r.group) == groups.end()) groups.push_back(r.group);
  return groups;
}

std::vector<std::string> ResourceTable::Versions(std::string_view group) const {
  std::vector<std::string> versions;
  for (const ResourceInfo& r : rows_)
    if (r.group == group &&
        std::find(versions.begin(), versions.end(), r.version) == versions.end())
      versions.push_back(r.version);
  return versions;
}

void SplitApiVersion(std::string_view api_version, std::string* group, std::string* version) {
  auto slash = api_version.find('/');
  if (slash == std::string_view::npos) {
    group->clear();
    *version = std::string(api_version);
  } else {
    *group = std::string(api_version.substr(0, slash));
    *version = std::string(api_version.substr(slash + 1));
  }
}

}  // namespace cluster::api
