#include "api/patch_schema.h"

namespace cluster::api {
namespace {

std::string RowKey(std::string_view type, std::string_view field) {
  std::string key(type);
  key += '\0';
  key += field;
  return key;
}

using K = FieldStrategy::Kind;

TablePatchSchema::Row Merge(std::string type, std::string field, std::string key,
                            std::string child = "", bool retain_keys = false) {
  return {std::move(type), std::move(field), std::move(child),
          FieldStrategy{K::kMerge, std::move(key), retain_keys}};
}
TablePatchSchema::Row MergeSet(std::string type, std::string field) {
  return {std::move(type), std::move(field), "", FieldStrategy{K::kMerge, "", false}};
}
TablePatchSchema::Row Link(std::string type, std::string field, std::string child) {
  return {std::move(type), std::move(field), std::move(child), FieldStrategy{}};
}

// Tags from k8s.io/api v0.32.9 (`patchStrategy`/`patchMergeKey`) and
// k8s.io/apimachinery meta/v1 (ObjectMeta). Lists not listed here have no tag: replaced whole
// (e.g. PodSpec.tolerations, NodeSpec.taints, Endpoints.subsets).
std::vector<TablePatchSchema::Row> BuiltinRows() {
  return {
      // meta/v1 ObjectMeta
      Merge("ObjectMeta", "ownerReferences", "uid"),
      MergeSet("ObjectMeta", "finalizers"),

      // core/v1 PodTemplateSpec, PodSpec, Container (EphemeralContainer shares Container's tags)
      Link("PodTemplateSpec", "metadata", "ObjectMeta"),
      Link("PodTemplateSpec", "spec", "PodSpec"),
      Merge("PodSpec", "volumes", "name", "Volume", /*retain_keys=*/true),
      Merge("PodSpec", "initContainers", "name", "Container"),
      Merge("PodSpec", "containers", "name", "Container"),
      Merge("PodSpec", "ephemeralContainers", "name", "Container"),
      Merge("PodSpec", "imagePullSecrets", "name"),
      Merge("PodSpec", "hostAliases", "ip"),
      Merge("PodSpec", "topologySpreadConstraints", "topologyKey"),
      Merge("PodSpec", "schedulingGates", "name"),
      Merge("PodSpec", "resourceClaims", "name", "", /*retain_keys=*/true),
      Merge("Container", "ports", "containerPort"),
      Merge("Container", "env", "name"),
      Merge("Container", "volumeMounts", "mountPath"),
      Merge("Container", "volumeDevices", "devicePath"),

      // core/v1 PodStatus, ContainerStatus
      Merge("PodStatus", "conditions", "type"),
      Merge("PodStatus", "hostIPs", "ip"),
      Merge("PodStatus", "podIPs", "ip"),
      Merge("PodStatus", "resourceClaimStatuses", "name", "", /*retain_keys=*/true),
      Link("PodStatus", "containerStatuses", "ContainerStatus"),
      Link("PodStatus", "initContainerStatuses", "ContainerStatus"),
      Link("PodStatus", "ephemeralContainerStatuses", "ContainerStatus"),
      Merge("ContainerStatus", "volumeMounts", "mountPath"),
      Merge("ContainerStatus", "allocatedResourcesStatus", "name"),

      // Kinds' roots
      Link("Object", "metadata", "ObjectMeta"),
      Link("Pod", "metadata", "ObjectMeta"),
      Link("Pod", "spec", "PodSpec"),
      Link("Pod", "status", "PodStatus"),
      Link("PodTemplate", "metadata", "ObjectMeta"),
      Link("PodTemplate", "template", "PodTemplateSpec"),
      Link("ReplicationController", "metadata", "ObjectMeta"),
      Link("ReplicationController", "spec", "TemplatedSpec"),
      Link("ReplicationController", "status", "ConditionsStatus"),
      Link("Deployment", "metadata", "ObjectMeta"),
      Link("Deployment", "spec", "DeploymentSpec"),
      Link("Deployment", "status", "ConditionsStatus"),
      Link("DeploymentSpec", "template", "PodTemplateSpec"),
      {"DeploymentSpec", "strategy", "", FieldStrategy{K::kDefault, "", true}},
      Link("ReplicaSet", "metadata", "ObjectMeta"),
      Link("ReplicaSet", "spec", "TemplatedSpec"),
      Link("ReplicaSet", "status", "ConditionsStatus"),
      Link("StatefulSet", "metadata", "ObjectMeta"),
      Link("StatefulSet", "spec", "StatefulSetSpec"),
      Link("StatefulSet", "status", "ConditionsStatus"),
      Link("StatefulSetSpec", "template", "PodTemplateSpec"),
      Link("StatefulSetSpec", "volumeClaimTemplates", "PersistentVolumeClaim"),
      Link("DaemonSet", "metadata", "ObjectMeta"),
      Link("DaemonSet", "spec", "TemplatedSpec"),
      Link("DaemonSet", "status", "ConditionsStatus"),
      Link("Job", "metadata", "ObjectMeta"),
      Link("Job", "spec", "TemplatedSpec"),
      Link("Job", "status", "ConditionsStatus"),
      Link("CronJob", "metadata", "ObjectMeta"),
      Link("CronJob", "spec", "CronJobSpec"),
      Link("CronJobSpec", "jobTemplate", "JobTemplateSpec"),
      Link("JobTemplateSpec", "metadata", "ObjectMeta"),
      Link("JobTemplateSpec", "spec", "TemplatedSpec"),
      Link("TemplatedSpec", "template", "PodTemplateSpec"),
      // Any status whose only tagged field is conditions merged by type.
      Merge("ConditionsStatus", "conditions", "type"),

      Link("Service", "metadata", "ObjectMeta"),
      Link("Service", "spec", "ServiceSpec"),
      Link("Service", "status", "ConditionsStatus"),
      Merge("ServiceSpec", "ports", "port"),
      Link("Node", "metadata", "ObjectMeta"),
      Link("Node", "spec", "NodeSpec"),
      Link("Node", "status", "NodeStatus"),
      MergeSet("NodeSpec", "podCIDRs"),
      Merge("NodeStatus", "conditions", "type"),
      Merge("NodeStatus", "addresses", "type"),
      Link("Namespace", "metadata", "ObjectMeta"),
      Link("Namespace", "status", "ConditionsStatus"),
      Link("PersistentVolumeClaim", "metadata", "ObjectMeta"),
      Link("PersistentVolumeClaim", "status", "ConditionsStatus"),
      Link("ServiceAccount", "metadata", "ObjectMeta"),
      Merge("ServiceAccount", "secrets", "name"),
      Link("ComponentStatus", "metadata", "ObjectMeta"),
      Merge("ComponentStatus", "conditions", "type"),

      // autoscaling/v2, policy/v1, flowcontrol/v1, storage/v1, admissionregistration/v1
      Link("HorizontalPodAutoscaler", "metadata", "ObjectMeta"),
      Link("HorizontalPodAutoscaler", "status", "ConditionsStatus"),
      Link("PodDisruptionBudget", "metadata", "ObjectMeta"),
      Link("PodDisruptionBudget", "spec", "PodDisruptionBudgetSpec"),
      Link("PodDisruptionBudget", "status", "ConditionsStatus"),
      {"PodDisruptionBudgetSpec", "selector", "", FieldStrategy{K::kReplace, "", false}},
      Link("FlowSchema", "metadata", "ObjectMeta"),
      Link("FlowSchema", "status", "ConditionsStatus"),
      Link("PriorityLevelConfiguration", "metadata", "ObjectMeta"),
      Link("PriorityLevelConfiguration", "status", "ConditionsStatus"),
      Link("CSINode", "metadata", "ObjectMeta"),
      Link("CSINode", "spec", "CSINodeSpec"),
      Merge("CSINodeSpec", "drivers", "name"),
      Link("ValidatingWebhookConfiguration", "metadata", "ObjectMeta"),
      Merge("ValidatingWebhookConfiguration", "webhooks", "name", "Webhook"),
      Link("MutatingWebhookConfiguration", "metadata", "ObjectMeta"),
      Merge("MutatingWebhookConfiguration", "webhooks", "name", "Webhook"),
      Merge("Webhook", "matchConditions", "name"),
      Link("ValidatingAdmissionPolicy", "metadata", "ObjectMeta"),
      Link("ValidatingAdmissionPolicy", "spec", "ValidatingAdmissionPolicySpec"),
      Merge("ValidatingAdmissionPolicySpec", "matchConditions", "name"),
      Merge("ValidatingAdmissionPolicySpec", "variables", "name"),
  };
}

std::map<std::string, std::string, std::less<>> BuiltinKindRoots() {
  std::map<std::string, std::string, std::less<>> roots;
  for (const char* kind : {"Pod",
                           "PodTemplate",
                           "ReplicationController",
                           "Deployment",
                           "ReplicaSet",
                           "StatefulSet",
                           "DaemonSet",
                           "Job",
                           "CronJob",
                           "Service",
                           "Node",
                           "Namespace",
                           "PersistentVolumeClaim",
                           "ServiceAccount",
                           "ComponentStatus",
                           "HorizontalPodAutoscaler",
                           "PodDisruptionBudget",
                           "FlowSchema",
                           "PriorityLevelConfiguration",
                           "CSINode",
                           "ValidatingWebhookConfiguration",
                           "MutatingWebhookConfiguration",
                           "ValidatingAdmissionPolicy"}) {
    roots[kind] = kind;
  }
  // Built-in kinds with no tagged fields beyond ObjectMeta.
  for (const char* kind : {"ConfigMap",
                           "Secret",
                           "Endpoints",
                           "Event",
                           "LimitRange",
                           "ResourceQuota",
                           "PersistentVolume",
                           "Binding",
                           "EndpointSlice",
                           "Lease",
                           "Ingress",
                           "IngressClass",
                           "NetworkPolicy",
                           "ClusterRole",
                           "ClusterRoleBinding",
                           "Role",
                           "RoleBinding",
                           "PriorityClass",
                           "StorageClass",
                           "CSIDriver",
                           "CSIStorageCapacity",
                           "VolumeAttachment",
                           "RuntimeClass",
                           "CustomResourceDefinition",
                           "APIService",
                           "CertificateSigningRequest",
                           "ValidatingAdmissionPolicyBinding",
                           "ControllerRevision"}) {
    roots[kind] = "Object";
  }
  return roots;
}

}  // namespace

TablePatchSchema::TablePatchSchema(std::map<std::string, std::string, std::less<>> kind_roots,
                                   std::vector<Row> rows)
    : kind_roots_(std::move(kind_roots)) {
  for (auto& row : rows) {
    std::string key = RowKey(row.type, row.field);
    rows_.insert_or_assign(std::move(key), std::move(row));
  }
}

bool TablePatchSchema::HasKind(std::string_view kind) const {
  return kind_roots_.find(kind) != kind_roots_.end();
}

const TablePatchSchema::Row* TablePatchSchema::Find(std::string_view type,
                                                    std::string_view field) const {
  auto it = rows_.find(RowKey(type, field));
  return it == rows_.end() ? nullptr : &it->second;
}

std::optional<FieldStrategy> TablePatchSchema::ForPath(std::string_view kind,
                                                       const std::vector<std::string>& path) const {
  auto root = kind_roots_.find(kind);
  if (root == kind_roots_.end() || path.empty()) return std::nullopt;
  std::string_view type = root->second;
  const Row* row = nullptr;
  for (const std::string& field : path) {
    if (row) {
      if (row->child.empty()) return std::nullopt;
      type = row->child;
    }
    row = Find(type, field);
    if (!row) return std::nullopt;
  }
  return row->strategy;
}

const PatchSchema& HandWrittenPatchSchema() {
  static const TablePatchSchema* schema = new TablePatchSchema(BuiltinKindRoots(), BuiltinRows());
  return *schema;
}

const PatchSchema& BuiltinPatchSchema() { return SchemaDrivenPatchSchema(); }

}  // namespace cluster::api
