// Server-side printers of networking.k8s.io, autoscaling, storage.k8s.io, node.k8s.io and
// certificates.k8s.io kinds: the columns and cell formats of kube-apiserver 1.32's printers.
#include <set>

#include "api/table_printer.h"

namespace cluster::api::table_internal {
namespace {

Column Col(const char* name, const char* description, const char* type = "string") {
  return {name, type, "", description, 0};
}

const Value* Arr(const Value& o, std::initializer_list<std::string_view> path) {
  const Value* v = json::Find(o, path);
  return v && v->IsArray() ? v : nullptr;
}

// Ingress HOSTS: up to three hosts, "*" when none, " + N more..." counting the other rules.
std::string IngressHosts(const Value& o) {
  const Value* rules = Arr(o, {"spec", "rules"});
  if (rules == nullptr) return "*";
  std::vector<std::string> hosts;
  bool more = false;
  for (auto& r : rules->GetArray()) {
    if (hosts.size() == 3) {
      more = true;
      break;
    }
    std::string h = S(r, {"host"});
    if (!h.empty()) hosts.push_back(h);
  }
  if (hosts.empty()) return "*";
  std::string out = Join(hosts);
  if (more) out += " + " + std::to_string(rules->Size() - 3) + " more...";
  return out;
}

// Load-balancer addresses: IPs or host names, de-duplicated and sorted, cut when long.
std::string LoadBalancerAddresses(const Value& o) {
  std::set<std::string> addrs;
  if (const Value* ing = Arr(o, {"status", "loadBalancer", "ingress"}))
    for (auto& e : ing->GetArray()) {
      std::string a = S(e, {"ip"});
      if (a.empty()) a = S(e, {"hostname"});
      if (!a.empty()) addrs.insert(a);
    }
  std::string out = Join(std::vector<std::string>(addrs.begin(), addrs.end()));
  if (out.size() > 16) out = out.substr(0, 13) + "...";
  return out;
}

Printer IngressPrinter() {
  return {{kName, Col("Class", "The name of the IngressClass resource that should be used"),
           Col("Hosts",
               "Hosts that incoming requests are matched against before the ingress "
               "rule"),
           Col("Address", "Address is a list containing ingress points for the load-balancer"),
           Col("Ports", "Ports of TLS configurations that open"), kAge},
          [](const Value& o, Writer& w) {
            Str(w, S(o, {"metadata", "name"}));
            Str(w, S(o, {"spec", "ingressClassName"}, "<none>"));
            Str(w, IngressHosts(o));
            Str(w, LoadBalancerAddresses(o));
            const Value* tls = Arr(o, {"spec", "tls"});
            Str(w, tls && !tls->Empty() ? "80, 443" : "80");
            Str(w, Age(o));
          }};
}

Printer IngressClassPrinter() {
  return {{kName, Col("Controller", "Controller that is responsible for handling this class"),
           Col("Parameters", "A reference to a resource with additional parameters"), kAge},
          [](const Value& o, Writer& w) {
            Str(w, S(o, {"metadata", "name"}));
            Str(w, S(o, {"spec", "controller"}));
            std::string params = "<none>";
            if (const Value* p = json::Find(o, {"spec", "parameters"}); p && p->IsObject()) {
              params = S(*p, {"kind"});
              if (std::string g = S(*p, {"apiGroup"}); !g.empty()) params += "." + g;
              params += "/" + S(*p, {"name"});
            }
            Str(w, params);
            Str(w, Age(o));
          }};
}

Printer NetworkPolicyPrinter() {
  return {{kName,
           Col("Pod-Selector",
               "Pod selector selects the pods to which this network policy object "
               "applies"),
           kAge},
          [](const Value& o, Writer& w) {
            Str(w, S(o, {"metadata", "name"}));
            Str(w, SelectorString(json::Find(o, {"spec", "podSelector"})));
            Str(w, Age(o));
          }};
}

std::string Percent(const Value* v) {
  return v && v->IsInt64() ? std::to_string(v->GetInt64()) + "%" : "<unknown>";
}

// One metric of an HPA's TARGETS cell: spec metric `m`, status metric `cur` (may be null).
std::string HpaMetric(const Value& m, const Value* cur) {
  std::string type = S(m, {"type"});
  auto current = [&](std::initializer_list<std::string_view> path) -> const Value* {
    return cur ? json::Find(*cur, path) : nullptr;
  };
  auto text = [](const Value* v) {
    if (v == nullptr) return std::string("<unknown>");
    return v->IsString() ? std::string(v->GetString()) : json::Serialize(*v);
  };
  if (type == "Resource" || type == "ContainerResource") {
    std::string src = type == "Resource" ? "resource" : "containerResource";
    std::string name = S(m, {src, "name"});
    if (const Value* avg = json::Find(m, {src, "target", "averageValue"}))
      return name + ": " + text(current({src, "current", "averageValue"})) + "/" + text(avg);
    const Value* util = json::Find(m, {src, "target", "averageUtilization"});
    return name + ": " + Percent(current({src, "current", "averageUtilization"})) + "/" +
           (util ? Percent(util) : "<auto>");
  }
  if (type == "Pods")
    return text(current({"pods", "current", "averageValue"})) + "/" +
           text(json::Find(m, {"pods", "target", "averageValue"}));
  if (type == "Object" || type == "External") {
    std::string src = type == "Object" ? "object" : "external";
    if (const Value* avg = json::Find(m, {src, "target", "averageValue"}))
      return text(current({src, "current", "averageValue"})) + "/" + text(avg) + " (avg)";
    return text(current({src, "current", "value"})) + "/" +
           text(json::Find(m, {src, "target", "value"}));
  }
  return "<unknown type>";
}

std::string HpaTargets(const Value& o) {
  const Value* metrics = Arr(o, {"spec", "metrics"});
  if (metrics == nullptr) {
    // autoscaling/v1 shape.
    if (const Value* t = json::Find(o, {"spec", "targetCPUUtilizationPercentage"}))
      return "cpu: " + Percent(json::Find(o, {"status", "currentCPUUtilizationPercentage"})) + "/" +
             Percent(t);
    return "<none>";
  }
  if (metrics->Empty()) return "<none>";
  const Value* current = Arr(o, {"status", "currentMetrics"});
  std::vector<std::string> parts;
  for (rapidjson::SizeType i = 0; i < metrics->Size() && i < 2; ++i)
    parts.push_back(
        HpaMetric((*metrics)[i], current && i < current->Size() ? &(*current)[i] : nullptr));
  std::string out = Join(parts, ", ");
  if (metrics->Size() > 2) out += " + " + std::to_string(metrics->Size() - 2) + " more...";
  return out;
}

Printer HpaPrinter() {
  return {{kName, Col("Reference", "Reference to the scaled resource"),
           Col("Targets", "Current and target values of the metrics"),
           Col("MinPods", "Lower limit for the number of pods"),
           Col("MaxPods", "Upper limit for the number of pods"),
           Col("Replicas", "Current number of replicas"), kAge},
          [](const Value& o, Writer& w) {
            Str(w, S(o, {"metadata", "name"}));
            Str(w, S(o, {"spec", "scaleTargetRef", "kind"}) + "/" +
                       S(o, {"spec", "scaleTargetRef", "name"}));
            Str(w, HpaTargets(o));
            const Value* min = json::Find(o, {"spec", "minReplicas"});
            Str(w, min && min->IsInt64() ? std::to_string(min->GetInt64()) : "<unset>");
            w.Int64(I(o, {"spec", "maxReplicas"}));
            w.Int64(I(o, {"status", "currentReplicas"}));
            Str(w, Age(o));
          }};
}

bool IsDefaultClass(const Value& o, const char* ga, const char* beta) {
  return S(o, {"metadata", "annotations", ga}) == "true" ||
         S(o, {"metadata", "annotations", beta}) == "true";
}

void Bool(Writer& w, const Value& o, std::initializer_list<std::string_view> path, bool unset) {
  const Value* v = json::Find(o, path);
  w.Bool(v && v->IsBool() ? v->GetBool() : unset);
}

Printer StorageClassPrinter() {
  return {{kName, Col("Provisioner", "Indicates the type of the provisioner"),
           Col("ReclaimPolicy", "Indicates the type of the reclaim policy"),
           Col("VolumeBindingMode",
               "Indicates how PersistentVolumeClaims should be provisioned "
               "and bound"),
           Col("AllowVolumeExpansion", "Indicates whether the storage class allow volume expand",
               "boolean"),
           kAge},
          [](const Value& o, Writer& w) {
            std::string name = S(o, {"metadata", "name"});
            if (IsDefaultClass(o, "storageclass.kubernetes.io/is-default-class",
                               "storageclass.beta.kubernetes.io/is-default-class"))
              name += " (default)";
            Str(w, name);
            Str(w, S(o, {"provisioner"}));
            Str(w, S(o, {"reclaimPolicy"}, "Delete"));
            Str(w, S(o, {"volumeBindingMode"}, "Immediate"));
            Bool(w, o, {"allowVolumeExpansion"}, false);
            Str(w, Age(o));
          }};
}

Printer CsiDriverPrinter() {
  return {
      {kName,
       Col("AttachRequired", "Indicates this CSI volume driver requires an attach operation",
           "boolean"),
       Col("PodInfoOnMount",
           "Indicates this CSI volume driver requires additional pod "
           "information",
           "boolean"),
       Col("StorageCapacity", "Indicates this CSI volume driver has storage capacity", "boolean"),
       Col("TokenRequests", "Indicates this CSI volume driver requires service account token"),
       Col("RequiresRepublish",
           "Indicates this CSI volume driver requires repeated "
           "NodePublishVolume calls",
           "boolean"),
       Col("Modes", "Indicates volume modes this CSI volume driver supports"), kAge},
      [](const Value& o, Writer& w) {
        Str(w, S(o, {"metadata", "name"}));
        Bool(w, o, {"spec", "attachRequired"}, true);
        Bool(w, o, {"spec", "podInfoOnMount"}, false);
        Bool(w, o, {"spec", "storageCapacity"}, false);
        std::string tokens = "<unset>";
        if (const Value* t = Arr(o, {"spec", "tokenRequests"})) {
          std::vector<std::string> aud;
          for (auto& r : t->GetArray()) aud.push_back(S(r, {"audience"}));
          tokens = Join(aud);
        }
        Str(w, tokens);
        Bool(w, o, {"spec", "requiresRepublish"}, false);
        std::vector<std::string> modes;
        if (const Value* m = Arr(o, {"spec", "volumeLifecycleModes"}))
          for (auto& v : m->GetArray())
            if (v.IsString()) modes.push_back(v.GetString());
        Str(w, NoneIfEmpty(Join(modes)));
        Str(w, Age(o));
      }};
}

Printer CsiNodePrinter() {
  return {{kName,
           Col("Drivers",
               "Drivers indicates the number of CSI drivers registered on the "
               "node",
               "integer"),
           kAge},
          [](const Value& o, Writer& w) {
            Str(w, S(o, {"metadata", "name"}));
            const Value* d = Arr(o, {"spec", "drivers"});
            w.Int64(d ? d->Size() : 0);
            Str(w, Age(o));
          }};
}

Printer VolumeAttachmentPrinter() {
  Column attacher = Col("Attacher",
                        "Attacher indicates the name of the volume driver that MUST "
                        "handle this request");
  attacher.format = "name";
  return {
      {kName, attacher, Col("PV", "PV indicates the name of the persistent volume"),
       Col("Node", "The node that the volume should be attached to"),
       Col("Attached", "Attached indicates the volume is successfully attached", "boolean"), kAge},
      [](const Value& o, Writer& w) {
        Str(w, S(o, {"metadata", "name"}));
        Str(w, S(o, {"spec", "attacher"}));
        Str(w, S(o, {"spec", "source", "persistentVolumeName"}));
        Str(w, S(o, {"spec", "nodeName"}));
        Bool(w, o, {"status", "attached"}, false);
        Str(w, Age(o));
      }};
}

Printer CsiStorageCapacityPrinter() {
  return {
      {kName, Col("StorageClassName", "StorageClassName of the reported storage capacity"),
       Col("Capacity", "Capacity of the storage class")},
      [](const Value& o, Writer& w) {
        Str(w, S(o, {"metadata", "name"}));
        Str(w, S(o, {"storageClassName"}));
        const Value* c = json::Find(o, {"capacity"});
        Str(w, c ? (c->IsString() ? std::string(c->GetString()) : json::Serialize(*c)) : "<unset>");
      }};
}

Printer RuntimeClassPrinter() {
  return {
      {kName, Col("Handler", "Handler specifies the underlying runtime and configuration"), kAge},
      [](const Value& o, Writer& w) {
        Str(w, S(o, {"metadata", "name"}));
        Str(w, S(o, {"handler"}));
        Str(w, Age(o));
      }};
}

// CONDITION: Denied or Approved or Pending, then ",Failed" and ",Issued" when they apply.
std::string CsrCondition(const Value& o) {
  bool approved = false, denied = false, failed = false;
  if (const Value* cs = Arr(o, {"status", "conditions"}))
    for (auto& c : cs->GetArray()) {
      std::string t = S(c, {"type"});
      approved |= t == "Approved";
      denied |= t == "Denied";
      failed |= t == "Failed";
    }
  std::string out = denied ? "Denied" : approved ? "Approved" : "Pending";
  if (failed) out += ",Failed";
  if (!S(o, {"status", "certificate"}).empty()) out += ",Issued";
  return out;
}

Printer CsrPrinter() {
  return {{kName, kAge, Col("SignerName", "Name of the signer"),
           Col("Requestor", "Name of the user who created the request"),
           Col("RequestedDuration", "Requested duration of the certificate"),
           Col("Condition", "Status of the request")},
          [](const Value& o, Writer& w) {
            Str(w, S(o, {"metadata", "name"}));
            Str(w, Age(o));
            Str(w, NoneIfEmpty(S(o, {"spec", "signerName"})));
            Str(w, S(o, {"spec", "username"}));
            const Value* exp = json::Find(o, {"spec", "expirationSeconds"});
            Str(w, exp && exp->IsInt64() ? HumanDuration(std::chrono::seconds(exp->GetInt64()))
                                         : "<none>");
            Str(w, CsrCondition(o));
          }};
}

}  // namespace

void AddMorePrinters(std::map<std::string, Printer>* printers) {
  printers->emplace("Ingress", IngressPrinter());
  printers->emplace("IngressClass", IngressClassPrinter());
  printers->emplace("NetworkPolicy", NetworkPolicyPrinter());
  printers->emplace("HorizontalPodAutoscaler", HpaPrinter());
  printers->emplace("StorageClass", StorageClassPrinter());
  printers->emplace("CSIDriver", CsiDriverPrinter());
  printers->emplace("CSINode", CsiNodePrinter());
  printers->emplace("VolumeAttachment", VolumeAttachmentPrinter());
  printers->emplace("CSIStorageCapacity", CsiStorageCapacityPrinter());
  printers->emplace("RuntimeClass", RuntimeClassPrinter());
  printers->emplace("CertificateSigningRequest", CsrPrinter());
}

}  // namespace cluster::api::table_internal
