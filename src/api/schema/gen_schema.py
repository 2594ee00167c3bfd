#!/usr/bin/env python3
"""Regenerates the *.schema tables from a Kubernetes release's published API definitions.

Facts only: field JSON names, protobuf numbers and types come from each group-version's
generated.proto; Go pointer-ness, omitempty, inline, patch tags and +listType markers from the
matching types.go. Descriptions are the first sentence of the field comment, shortened.

Usage: gen_schema.py SRC_DIR OUT_DIR
  SRC_DIR holds <alias>.proto and <alias>.types.go per group-version, with alias as in PACKAGES
  (core_v1.proto, core_v1.types.go, meta_v1.proto, ...), e.g. extracted with
  `git show v0.32.0:core/v1/generated.proto` from kubernetes/api and kubernetes/apimachinery.
The set of types written is exactly those reachable from ROOTS (kinds and their lists).
"""
import os
import re
import sys

# alias -> (proto package, API group, version)
PACKAGES = {
    'meta_v1': ('k8s.io.apimachinery.pkg.apis.meta.v1', 'meta.k8s.io', 'v1'),
    'core_v1': ('k8s.io.api.core.v1', '', 'v1'),
    'apps_v1': ('k8s.io.api.apps.v1', 'apps', 'v1'),
    'batch_v1': ('k8s.io.api.batch.v1', 'batch', 'v1'),
    'rbac_v1': ('k8s.io.api.rbac.v1', 'rbac.authorization.k8s.io', 'v1'),
    'scheduling_v1': ('k8s.io.api.scheduling.v1', 'scheduling.k8s.io', 'v1'),
    'policy_v1': ('k8s.io.api.policy.v1', 'policy', 'v1'),
    'authorization_v1': ('k8s.io.api.authorization.v1', 'authorization.k8s.io', 'v1'),
    'coordination_v1': ('k8s.io.api.coordination.v1', 'coordination.k8s.io', 'v1'),
    'discovery_v1': ('k8s.io.api.discovery.v1', 'discovery.k8s.io', 'v1'),
    'events_v1': ('k8s.io.api.events.v1', 'events.k8s.io', 'v1'),
    'networking_v1': ('k8s.io.api.networking.v1', 'networking.k8s.io', 'v1'),
    'autoscaling_v1': ('k8s.io.api.autoscaling.v1', 'autoscaling', 'v1'),
    'autoscaling_v2': ('k8s.io.api.autoscaling.v2', 'autoscaling', 'v2'),
    'storage_v1': ('k8s.io.api.storage.v1', 'storage.k8s.io', 'v1'),
    'node_v1': ('k8s.io.api.node.v1', 'node.k8s.io', 'v1'),
    'certificates_v1': ('k8s.io.api.certificates.v1', 'certificates.k8s.io', 'v1'),
    'authentication_v1': ('k8s.io.api.authentication.v1', 'authentication.k8s.io', 'v1'),
}

# Messages with a JSON form of their own: the table names them as built-in types.
SPECIAL = {
    'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'IntOrString',
    'k8s.io.apimachinery.pkg.api.resource.Quantity': 'Quantity',
    'k8s.io.apimachinery.pkg.apis.meta.v1.Time': 'Time',
    'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': 'MicroTime',
    'k8s.io.apimachinery.pkg.apis.meta.v1.Duration': 'Duration',
    'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1': 'FieldsV1',
    'k8s.io.apimachinery.pkg.runtime.RawExtension': 'RawExtension',
}
SCALARS = {'string', 'int32', 'int64', 'bool', 'double', 'bytes'}

KINDS = {
    'meta_v1': ['Status', 'DeleteOptions'],
    'core_v1': ['Namespace', 'ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'ResourceQuota',
                'Pod', 'Node', 'Endpoints', 'Event', 'ReplicationController', 'LimitRange',
                'PersistentVolume', 'PersistentVolumeClaim', 'PodTemplate', 'Binding'],
    'apps_v1': ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision'],
    'batch_v1': ['Job', 'CronJob'],
    'rbac_v1': ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
    'scheduling_v1': ['PriorityClass'],
    'policy_v1': ['PodDisruptionBudget', 'Eviction'],
    'authorization_v1': ['SelfSubjectAccessReview', 'SubjectAccessReview',
                         'LocalSubjectAccessReview', 'SelfSubjectRulesReview'],
    'coordination_v1': ['Lease'],
    'discovery_v1': ['EndpointSlice'],
    'events_v1': ['Event'],
    'networking_v1': ['Ingress', 'IngressClass', 'NetworkPolicy'],
    'autoscaling_v1': ['HorizontalPodAutoscaler', 'Scale'],
    'autoscaling_v2': ['HorizontalPodAutoscaler'],
    'storage_v1': ['StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment',
                   'CSIStorageCapacity'],
    'node_v1': ['RuntimeClass'],
    'certificates_v1': ['CertificateSigningRequest'],
    'authentication_v1': ['TokenReview', 'SelfSubjectReview', 'TokenRequest'],
}
LIST_LESS = {'Status', 'DeleteOptions', 'Binding', 'Eviction', 'SelfSubjectAccessReview',
             'SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectRulesReview', 'Scale',
             'TokenReview', 'SelfSubjectReview', 'TokenRequest'}


def alias_of_package(pkg):
    for alias, (p, _, _) in PACKAGES.items():
        if p == pkg:
            return alias
    return None


def describe(comment_lines):
    text = ' '.join(l.strip() for l in comment_lines if not l.strip().startswith('+'))
    text = re.sub(r'\s+', ' ', text).strip()
    text = re.sub(r'More info: \S+', '', text).strip()
    m = re.match(r'(.+?[.:])(\s+[A-Z(]|$)', text)
    if m:
        text = m.group(1)
    text = text.rstrip(':').strip()
    if len(text) > 110:
        text = text[:107].rsplit(' ', 1)[0] + '...'
    return text.replace('"', "'")


def parse_proto(path, alias):
    pkg = PACKAGES.get(alias, (None,))[0]
    msgs = {}
    comment = []
    cur = None
    for line in open(path):
        s = line.strip()
        if s.startswith('//'):
            comment.append(s[2:].strip())
            continue
        m = re.match(r'message (\w+) \{', s)
        if m:
            cur = {'name': m.group(1), 'desc': describe(comment), 'fields': {}}
            msgs[m.group(1)] = cur
            comment = []
            continue
        if s == '}':
            cur = None
        m = re.match(r'(optional|repeated) ([\w.]+) (\w+) = (\d+);', s)
        mm = re.match(r'map<string, ([\w.]+)> (\w+) = (\d+);', s)
        if cur is not None and (m or mm):
            if m:
                label, typ, name, num = m.groups()
                container = 'repeated' if label == 'repeated' else ''
            else:
                typ, name, num = mm.groups()
                container = 'map'
            cur['fields'][name] = {'proto_name': name, 'type': resolve(typ, pkg),
                                   'container': container, 'number': int(num),
                                   'desc': describe(comment)}
        if not s.startswith('//'):
            comment = [] if s == '' or m or mm or s == '}' else comment
    return msgs


def resolve(typ, pkg):
    if typ in SCALARS:
        return typ
    typ = typ.lstrip(".")
    full = typ if "." in typ else pkg + "." + typ
    if full in SPECIAL:
        return SPECIAL[full]
    p, _, name = full.rpartition('.')
    alias = alias_of_package(p)
    if alias is None:
        raise SystemExit('unknown package for ' + full)
    return (alias, name)


def parse_types_go(path):
    """struct name -> {proto_name: info}, plus named slice types and struct markers."""
    structs, slices, struct_markers = {}, set(), {}
    comment = []
    cur = None
    for line in open(path):
        s = line.rstrip('\n')
        t = s.strip()
        if t.startswith('//'):
            comment.append(t[2:].strip())
            continue
        m = re.match(r'type (\w+) struct \{', s)
        if m:
            cur = {}
            structs[m.group(1)] = cur
            struct_markers[m.group(1)] = list(comment)
            comment = []
            continue
        m = re.match(r'type (\w+) \[\]', s)
        if m:
            slices.add(m.group(1))
        if s == '}':
            cur = None
        if cur is not None:
            fm = re.match(r'\t(?:(\w+) )?(\S+) `(.*)`', s)
            if fm:
                tags = dict(re.findall(r'(\w+):"([^"]*)"', fm.group(3)))
                gotype = fm.group(2)
                pb = tags.get('protobuf', '')
                pnum = re.match(r'\w+,(\d+),', pb)
                jparts = tags.get('json', '').split(',')
                info = {'json': jparts[0], 'omitempty': 'omitempty' in jparts[1:],
                        'inline': 'inline' in jparts[1:], 'ptr': gotype.startswith('*'),
                        'patchStrategy': tags.get('patchStrategy', ''),
                        'patchMergeKey': tags.get('patchMergeKey', ''),
                        'markers': list(comment)}
                if pnum:
                    cur[int(pnum.group(1))] = info
        if t == '' or not t.startswith('//'):
            comment = []
    return structs, slices, struct_markers


def marker(markers, key):
    vals = [m.split('=', 1)[1] for m in markers if m.startswith('+' + key + '=')]
    return vals


def main():
    src, out = sys.argv[1], sys.argv[2]
    protos, gos = {}, {}
    for alias in PACKAGES:
        protos[alias] = parse_proto(os.path.join(src, alias + '.proto'), alias)
        gos[alias] = parse_types_go(os.path.join(src, alias + '.types.go'))
    roots = []
    for alias, kinds in KINDS.items():
        for k in kinds:
            roots.append((alias, k))
            if k not in LIST_LESS:
                roots.append((alias, k + 'List'))
    seen, order = set(), list(roots)
    while order:
        ref = order.pop()
        if ref in seen:
            continue
        seen.add(ref)
        msg = protos[ref[0]][ref[1]]
        for f in msg['fields'].values():
            if isinstance(f['type'], tuple):
                order.append(f['type'])
    kindset = {(a, k) for a, k in roots}
    for alias, (pkg, group, version) in PACKAGES.items():
        structs, slices, smarkers = gos[alias]
        names = sorted(n for a, n in seen if a == alias)
        lines = ['# API schema of %s/%s, from k8s.io/api v1.32 (generated.proto + types.go).' %
                 (group or 'core', version),
                 '# Format: see README.md beside this file. Regenerate with gen_schema.py.',
                 'package %s group=%s version=%s' % (alias.replace('_', '.'), group or 'core',
                                                      version), '']
        for name in names:
            msg = protos[alias][name]
            gofields = structs.get(name, {})
            flags = []
            if (alias, name) in kindset:
                flags.append('kind')
            if name in slices:
                flags.append('wrapper')
            st = marker(smarkers.get(name, []), 'structType')
            if st:
                flags.append('struct=' + st[0])
            lines.append('type %s %s"%s"' % (name, ''.join(f + ' ' for f in flags), msg['desc']))
            # Go declaration order (the JSON order); fields without a Go match come last.
            goorder = list(gofields.keys())
            pfields = sorted(msg['fields'].values(),
                             key=lambda f: (goorder.index(f['number'])
                                            if f['number'] in goorder else 1000 + f['number']))
            for f in pfields:
                g = gofields.get(f['number'])
                if name in slices:
                    g = {'json': 'items', 'omitempty': False, 'inline': False, 'ptr': False,
                         'patchStrategy': '', 'patchMergeKey': '', 'markers': []}
                if g is None:
                    raise SystemExit('no Go field for %s.%s' % (name, f['proto_name']))
                t = f['type']
                tname = t if isinstance(t, str) else (
                    t[1] if t[0] == alias else t[0].replace('_', '.') + '.' + t[1])
                if f['container'] == 'repeated':
                    tname = '[]' + tname
                elif f['container'] == 'map':
                    tname = 'map<string,%s>' % tname
                fl = []
                if g['ptr']:
                    fl.append('ptr')
                if g['omitempty']:
                    fl.append('omitempty')
                if g['inline']:
                    fl.append('inline')
                mk = g['markers']
                optional = '+optional' in mk or g['omitempty'] or g['inline']
                if '+required' in mk or not optional:
                    fl.append('required')
                lt = marker(mk, 'listType')
                if lt:
                    fl.append('list=' + lt[0])
                keys = marker(mk, 'listMapKey')
                if keys:
                    fl.append('keys=' + ','.join(keys))
                mt = marker(mk, 'mapType')
                if mt:
                    fl.append('map=' + mt[0])
                if g['patchStrategy']:
                    fl.append('patch=' + g['patchStrategy'])
                if g['patchMergeKey']:
                    fl.append('mergekey=' + g['patchMergeKey'])
                jname = f['proto_name'] if g['inline'] else g['json']
                lines.append('  %s %d %s %s"%s"' % (jname, f['number'], tname,
                                                   ''.join(x + ' ' for x in fl), f['desc']))
            lines.append('')
        if names:
            with open(os.path.join(out, alias + '.schema'), 'w') as fh:
                fh.write('\n'.join(lines))
    print('%d types' % len(seen))


if __name__ == '__main__':
    main()
