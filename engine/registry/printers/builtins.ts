/**
 * Upstream's server-side printer columns for the built-in kinds (k8s.io/kubernetes/pkg/printers/
 * internalversion/printers.go, as of 1.30–1.33), as data: per `group/Kind`, the column definitions and a
 * function from an object to its cells. Cells for priority > 0 columns are the `-o wide` ones; the row always
 * carries every cell (the server prints "wide" and kubectl drops priority > 0 columns itself).
 */
import { humanDuration, since } from './duration.ts';
import {
  accessModes, arr, containerCells, formatLabelSelector, formatLabels, get, hostPort, intOrString, listWithMore,
  loadBalancerStatus, num, obj, selectorString, str,
} from './format.ts';
import type { Obj } from './format.ts';
import { podSummary, podWideCells } from './pods.ts';

export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface RowCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

export interface Printer {
  columns: ColumnDefinition[];
  /** Every cell (wide ones included), in column order. */
  cells(o: Obj, now: Date, wide: boolean): unknown[];
  conditions?(o: Obj, now: Date): RowCondition[] | undefined;
}

const NAME_DESC = 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE_DESC = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

function col(name: string, description: string, type = 'string', priority = 0, format = ''): ColumnDefinition {
  return { name, type, format, description, priority };
}
const NAME = col('Name', NAME_DESC, 'string', 0, 'name');
const AGE = col('Age', AGE_DESC);
const CONTAINERS = col('Containers', 'Names of each container in the template.', 'string', 1);
const IMAGES = col('Images', 'Images referenced by each container in the template.', 'string', 1);
const SELECTOR = (d: string): ColumnDefinition => col('Selector', d, 'string', 1);

const name = (o: Obj): string => str(get(o, 'metadata', 'name'));
const age = (o: Obj, now: Date): string => since(get(o, 'metadata', 'creationTimestamp'), now);
const deleting = (o: Obj): boolean => str(get(o, 'metadata', 'deletionTimestamp')) !== '';

function hasCondition(o: Obj, type: string): boolean {
  return arr(get(o, 'status', 'conditions')).map(obj).some((c) => c.type === type && c.status === 'True');
}

/** The default convertor for kinds without a printer: Name and Created At (an RFC 3339 date cell). */
export const DEFAULT_PRINTER: Printer = {
  columns: [NAME, col('Created At', AGE_DESC, 'date')],
  cells: (o) => [name(o), str(get(o, 'metadata', 'creationTimestamp'))],
};

const pods: Printer = {
  columns: [
    NAME,
    col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE,
    col('IP', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 'string', 1),
    col('Node', 'NodeName is a request to schedule this pod onto a specific node. If it is non-empty, the scheduler simply schedules this pod onto that node, assuming that it fits resource requirements.', 'string', 1),
    col('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node.', 'string', 1),
    col('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates', 'string', 1),
  ],
  cells: (o, now) => {
    const s = podSummary(o, now);
    return [name(o), s.ready, s.status, s.restarts, age(o, now), ...podWideCells(o)];
  },
  conditions: (o, now) => podSummary(o, now).conditions,
};

const podTemplates: Printer = {
  columns: [
    NAME,
    col('Containers', 'Names of each container in the template.'),
    col('Images', 'Images referenced by each container in the template.'),
    col('Pod Labels', 'The labels for the pod template.'),
  ],
  cells: (o) => {
    const [c, i] = containerCells(get(o, 'template', 'spec'));
    return [name(o), c, i, formatLabels(get(o, 'template', 'metadata', 'labels'))];
  },
};

const replicaLike = (selectorDesc: string): Printer => ({
  columns: [
    NAME,
    col('Desired', 'Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.', 'integer'),
    col('Current', 'Replicas is the most recently observed number of replicas.', 'integer'),
    col('Ready', 'The number of ready replicas for this replica set.', 'integer'),
    AGE, CONTAINERS, IMAGES, SELECTOR(selectorDesc),
  ],
  cells: (o, now) => {
    const [c, i] = containerCells(get(o, 'spec', 'template', 'spec'));
    const sel = o.kind === 'ReplicationController' ? formatLabels(get(o, 'spec', 'selector')) : selectorString(get(o, 'spec', 'selector'));
    return [name(o), num(get(o, 'spec', 'replicas')), num(get(o, 'status', 'replicas')), num(get(o, 'status', 'readyReplicas')), age(o, now), c, i, sel];
  },
});

const deployments: Printer = {
  columns: [
    NAME,
    col('Ready', 'Number of the pod with ready state'),
    col('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', 'integer'),
    col('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', 'integer'),
    AGE, CONTAINERS, IMAGES,
    SELECTOR('Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.'),
  ],
  cells: (o, now) => {
    const [c, i] = containerCells(get(o, 'spec', 'template', 'spec'));
    return [
      name(o), `${num(get(o, 'status', 'readyReplicas'))}/${num(get(o, 'spec', 'replicas'))}`,
      num(get(o, 'status', 'updatedReplicas')), num(get(o, 'status', 'availableReplicas')), age(o, now),
      c, i, selectorString(get(o, 'spec', 'selector')),
    ];
  },
};

const statefulSets: Printer = {
  columns: [NAME, col('Ready', 'Number of the pod with ready state'), AGE, CONTAINERS, IMAGES],
  cells: (o, now) => {
    const [c, i] = containerCells(get(o, 'spec', 'template', 'spec'));
    return [name(o), `${num(get(o, 'status', 'readyReplicas'))}/${num(get(o, 'spec', 'replicas'))}`, age(o, now), c, i];
  },
};

const daemonSets: Printer = {
  columns: [
    NAME,
    col('Desired', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).', 'integer'),
    col('Current', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', 'integer'),
    col('Ready', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.', 'integer'),
    col('Up-to-date', 'The total number of nodes that are running updated daemon pod', 'integer'),
    col('Available', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)', 'integer'),
    col('Node Selector', 'NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node\'s labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/'),
    AGE, CONTAINERS, IMAGES,
    SELECTOR('A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template\'s labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors'),
  ],
  cells: (o, now) => {
    const s = obj(o.status);
    const [c, i] = containerCells(get(o, 'spec', 'template', 'spec'));
    return [
      name(o), num(s.desiredNumberScheduled), num(s.currentNumberScheduled), num(s.numberReady),
      num(s.updatedNumberScheduled), num(s.numberAvailable), formatLabels(get(o, 'spec', 'template', 'spec', 'nodeSelector')),
      age(o, now), c, i, selectorString(get(o, 'spec', 'selector')),
    ];
  },
};

function jobStatus(o: Obj): string {
  if (hasCondition(o, 'Complete')) return 'Complete';
  if (hasCondition(o, 'Failed')) return 'Failed';
  if (deleting(o)) return 'Terminating';
  if (hasCondition(o, 'Suspended')) return 'Suspended';
  if (hasCondition(o, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(o, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function jobCompletions(o: Obj): string {
  const succeeded = num(get(o, 'status', 'succeeded'));
  const completions = get(o, 'spec', 'completions');
  if (typeof completions === 'number') return `${succeeded}/${completions}`;
  const parallelism = num(get(o, 'spec', 'parallelism'));
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(o: Obj, now: Date): string {
  const start = str(get(o, 'status', 'startTime'));
  if (!start) return '';
  const end = str(get(o, 'status', 'completionTime'));
  if (!end) return since(start, now);
  const d = Date.parse(end) - Date.parse(start);
  return Number.isNaN(d) ? '' : humanDuration(d);
}

const jobs: Printer = {
  columns: [
    NAME,
    col('Status', 'Status of the job.'),
    col('Completions', 'The successful number of completions of the job.'),
    col('Duration', 'Time required to complete the job.'),
    AGE, CONTAINERS, IMAGES,
    SELECTOR('A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors'),
  ],
  cells: (o, now) => {
    const [c, i] = containerCells(get(o, 'spec', 'template', 'spec'));
    return [name(o), jobStatus(o), jobCompletions(o), jobDuration(o, now), age(o, now), c, i, formatLabelSelector(get(o, 'spec', 'selector'))];
  },
};

const boolPtr = (v: unknown): string => (typeof v === 'boolean' ? (v ? 'True' : 'False') : '<unset>');

const cronJobs: Printer = {
  columns: [
    NAME,
    col('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col('Timezone', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones'),
    col('Suspend', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.', 'boolean'),
    col('Active', 'A list of pointers to currently running jobs.', 'integer'),
    col('Last Schedule', 'Information when was the last time the job was successfully scheduled.'),
    AGE, CONTAINERS, IMAGES,
    SELECTOR('A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors'),
  ],
  cells: (o, now) => {
    const [c, i] = containerCells(get(o, 'spec', 'jobTemplate', 'spec', 'template', 'spec'));
    const last = str(get(o, 'status', 'lastScheduleTime'));
    return [
      name(o), str(get(o, 'spec', 'schedule')), str(get(o, 'spec', 'timeZone')) || '<none>', boolPtr(get(o, 'spec', 'suspend')),
      arr(get(o, 'status', 'active')).length, last ? since(last, now) : '<none>', age(o, now), c, i,
      formatLabelSelector(get(o, 'spec', 'jobTemplate', 'spec', 'selector')),
    ];
  },
};

function serviceExternalIP(o: Obj, wide: boolean): string {
  const spec = obj(o.spec);
  const externalIPs = arr(spec.externalIPs).map(str);
  switch (str(spec.type) || 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerStatus(get(o, 'status', 'loadBalancer'), wide);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

function servicePorts(o: Obj): string {
  const ports = arr(get(o, 'spec', 'ports')).map(obj);
  if (ports.length === 0) return '<none>';
  return ports.map((p) => {
    const protocol = str(p.protocol) || 'TCP';
    return num(p.nodePort) > 0 ? `${num(p.port)}:${num(p.nodePort)}/${protocol}` : `${num(p.port)}/${protocol}`;
  }).join(',');
}

const services: Printer = {
  columns: [
    NAME,
    col('Type', 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.'),
    col('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'The list of ports that are exposed by this service.'),
    AGE,
    SELECTOR('Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify.'),
  ],
  cells: (o, now, wide) => {
    const spec = obj(o.spec);
    const clusterIP = str(arr(spec.clusterIPs)[0]) || str(spec.clusterIP) || '<none>';
    return [name(o), str(spec.type) || 'ClusterIP', clusterIP, serviceExternalIP(o, wide), servicePorts(o), age(o, now), formatLabels(spec.selector)];
  },
};

function formatEndpoints(o: Obj): string {
  const subsets = arr(o.subsets).map(obj);
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = arr(ss.addresses).map(obj);
    const ports = arr(ss.ports).map(obj);
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(str(a.ip));
      }
    } else {
      for (const p of ports) {
        count += addresses.length;
        for (const a of addresses) {
          if (list.length === max) {
            more = true;
            break;
          }
          list.push(hostPort(str(a.ip), num(p.port)));
        }
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

const endpoints: Printer = {
  columns: [NAME, col('Endpoints', 'Endpoints of the service.'), AGE],
  cells: (o, now) => [name(o), formatEndpoints(o), age(o, now)],
};

const endpointSlices: Printer = {
  columns: [
    NAME,
    col('AddressType', 'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation.'),
    col('Ports', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    col('Endpoints', 'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.'),
    AGE,
  ],
  cells: (o, now) => {
    const max = 3;
    const ports: string[] = [];
    let pc = 0;
    let pMore = false;
    for (const p of arr(o.ports).map(obj)) {
      if (ports.length < max) ports.push(typeof p.port === 'number' ? String(p.port) : str(p.name) || '*');
      else pMore = true;
      pc++;
    }
    const addrs: string[] = [];
    let ac = 0;
    let aMore = false;
    for (const e of arr(o.endpoints).map(obj)) {
      for (const a of arr(e.addresses).map(str)) {
        if (addrs.length < max) addrs.push(a);
        else aMore = true;
        ac++;
      }
    }
    return [name(o), str(o.addressType), listWithMore(ports, pMore, pc, max), listWithMore(addrs, aMore, ac, max), age(o, now)];
  },
};

function ingressHosts(o: Obj): string {
  const rules = arr(get(o, 'spec', 'rules')).map(obj);
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const r of rules) {
    if (list.length === max) more = true;
    if (!more && str(r.host)) list.push(str(r.host));
  }
  if (list.length === 0) return '*';
  const ret = list.join(',');
  return more ? `${ret} + ${rules.length - max} more...` : ret;
}

const ingresses: Printer = {
  columns: [
    NAME,
    col('Class', 'The name of the IngressClass cluster resource.'),
    col('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'Ports of TLS configurations that open'),
    AGE,
  ],
  cells: (o, now, wide) => [
    name(o), str(get(o, 'spec', 'ingressClassName')) || '<none>', ingressHosts(o),
    loadBalancerStatus(get(o, 'status', 'loadBalancer'), wide),
    arr(get(o, 'spec', 'tls')).length > 0 ? '80, 443' : '80', age(o, now),
  ],
};

const ingressClasses: Printer = {
  columns: [
    NAME,
    col('Controller', 'Controller that is responsible for handling this class'),
    col('Parameters', 'A reference to a resource with additional parameters'),
    AGE,
  ],
  cells: (o, now) => {
    const p = get(o, 'spec', 'parameters');
    let params = '<none>';
    if (p !== undefined && p !== null) {
      const po = obj(p);
      params = str(po.kind);
      if (typeof po.apiGroup === 'string') params = `${params}.${po.apiGroup}`;
      params = `${params}/${str(po.name)}`;
    }
    return [name(o), str(get(o, 'spec', 'controller')), params, age(o, now)];
  },
};

function nodeStatus(o: Obj): string {
  const status: string[] = [];
  const ready = arr(get(o, 'status', 'conditions')).map(obj).find((c) => c.type === 'Ready');
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (get(o, 'spec', 'unschedulable') === true) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeRoles(o: Obj): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(obj(get(o, 'metadata', 'labels')))) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && str(v) !== '') roles.add(str(v));
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function nodeAddress(o: Obj, type: string): string {
  const a = arr(get(o, 'status', 'addresses')).map(obj).find((x) => x.type === type);
  return a ? str(a.address) : '<none>';
}

const nodes: Printer = {
  columns: [
    NAME,
    col('Status', 'The status of the node'),
    col('Roles', 'The roles of the node'),
    AGE,
    col('Version', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses', 'string', 1),
    col('External-IP', 'List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses', 'string', 1),
    col('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 'string', 1),
    col('Kernel-Version', 'Kernel Version reported by the node from \'uname -r\' (e.g. 3.16.0-0.bpo.4-amd64).', 'string', 1),
    col('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 'string', 1),
  ],
  cells: (o, now) => {
    const info = obj(get(o, 'status', 'nodeInfo'));
    return [
      name(o), nodeStatus(o), nodeRoles(o), age(o, now), str(info.kubeletVersion),
      nodeAddress(o, 'InternalIP'), nodeAddress(o, 'ExternalIP'),
      str(info.osImage) || '<unknown>', str(info.kernelVersion) || '<unknown>', str(info.containerRuntimeVersion) || '<unknown>',
    ];
  },
};

const firstNonEmpty = (...v: string[]): string => v.find((x) => x !== '') ?? '';

/** core/v1 and events.k8s.io/v1 Events (the latter names its fields differently). */
const events: Printer = {
  columns: [
    col('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col('Reason', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    col('Object', 'The object that this event is about.'),
    col('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', 'string', 1),
    col('Source', 'The component reporting this event. Should be a short machine understandable string.', 'string', 1),
    col('Message', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 'string', 1),
    col('Count', 'The number of times this event has occurred.', 'string', 1),
    { ...NAME, priority: 1 },
  ],
  cells: (o, now) => {
    const v1 = o.apiVersion === 'events.k8s.io/v1';
    const involved = obj(v1 ? o.regarding : o.involvedObject);
    const firstTs = str(v1 ? o.deprecatedFirstTimestamp : o.firstTimestamp);
    const first = firstTs ? since(firstTs, now) : since(o.eventTime, now);
    const lastTs = str(v1 ? o.deprecatedLastTimestamp : o.lastTimestamp);
    let last = lastTs ? since(lastTs, now) : first;
    let count = num(v1 ? o.deprecatedCount : o.count);
    const series = o.series;
    if (series !== undefined && series !== null) {
      last = since(obj(series).lastObservedTime, now);
      count = num(obj(series).count);
    } else if (count === 0) count = 1;
    const kind = str(involved.kind).toLowerCase();
    const target = str(involved.name) ? `${kind}/${str(involved.name)}` : kind;
    const source = obj(v1 ? o.deprecatedSource : o.source);
    const component = firstNonEmpty(str(source.component), str(o.reportingController));
    const instance = firstNonEmpty(str(source.host), str(o.reportingInstance));
    const src = component === '' ? '' : instance ? `${component}, ${instance}` : component;
    const message = str(v1 ? o.note : o.message).trim();
    return [last, str(o.type), str(o.reason), target, str(involved.fieldPath), src, message, first, count, name(o)];
  },
};

const namespaces: Printer = {
  columns: [NAME, col('Status', 'The status of the namespace'), AGE],
  cells: (o, now) => [name(o), str(get(o, 'status', 'phase')), age(o, now)],
};

const secrets: Printer = {
  columns: [NAME, col('Type', 'The type of the secret'), col('Data', 'The number of entries in the secret', 'integer'), AGE],
  cells: (o, now) => [name(o), str(o.type), Object.keys(obj(o.data)).length, age(o, now)],
};

const configMaps: Printer = {
  columns: [NAME, col('Data', 'The number of entries in the config map', 'integer'), AGE],
  cells: (o, now) => [name(o), Object.keys(obj(o.data)).length + Object.keys(obj(o.binaryData)).length, age(o, now)],
};

const serviceAccounts: Printer = {
  columns: [NAME, col('Secrets', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.', 'integer'), AGE],
  cells: (o, now) => [name(o), arr(o.secrets).length, age(o, now)],
};

const VAC_DESC = 'VolumeAttributesClass';
const persistentVolumes: Printer = {
  columns: [
    NAME,
    col('Capacity', 'capacity is the description of the persistent volume\'s resources and capacity.'),
    col('Access Modes', 'accessModes contains all ways the volume can be mounted.'),
    col('Reclaim Policy', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    col('Status', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    col('Claim', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    col('StorageClass', 'storageClassName is the name of StorageClass to which this persistent volume belongs. Empty value means that this volume does not belong to any StorageClass.'),
    col('VolumeAttributesClass', VAC_DESC),
    col('Reason', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
    AGE,
    col('VolumeMode', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', 'string', 1),
  ],
  cells: (o, now) => {
    const spec = obj(o.spec);
    const claim = obj(spec.claimRef);
    const claimStr = spec.claimRef ? `${str(claim.namespace)}/${str(claim.name)}` : '';
    const phase = deleting(o) ? 'Terminating' : str(get(o, 'status', 'phase'));
    const sc = str(spec.storageClassName) || str(get(o, 'metadata', 'annotations', 'volume.beta.kubernetes.io/storage-class'));
    return [
      name(o), str(get(spec, 'capacity', 'storage')), accessModes(spec.accessModes), str(spec.persistentVolumeReclaimPolicy),
      phase, claimStr, sc, str(spec.volumeAttributesClassName) || '<unset>', str(get(o, 'status', 'reason')), age(o, now),
      str(spec.volumeMode) || '<unset>',
    ];
  },
};

const persistentVolumeClaims: Printer = {
  columns: [
    NAME,
    col('Status', 'phase represents the current phase of PersistentVolumeClaim.'),
    col('Volume', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'capacity represents the actual resources of the underlying volume.'),
    col('Access Modes', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    col('StorageClass', 'storageClassName is the name of the StorageClass required by the claim.'),
    col('VolumeAttributesClass', VAC_DESC),
    AGE,
    col('VolumeMode', 'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.', 'string', 1),
  ],
  cells: (o, now) => {
    const spec = obj(o.spec);
    const phase = deleting(o) ? 'Terminating' : str(get(o, 'status', 'phase'));
    let capacity = '';
    let modes = '';
    if (str(spec.volumeName)) {
      modes = accessModes(get(o, 'status', 'accessModes'));
      capacity = str(get(o, 'status', 'capacity', 'storage'));
    }
    const sc = str(spec.storageClassName) || str(get(o, 'metadata', 'annotations', 'volume.beta.kubernetes.io/storage-class'));
    return [
      name(o), phase, str(spec.volumeName), capacity, modes, sc, str(spec.volumeAttributesClassName) || '<unset>', age(o, now),
      str(spec.volumeMode) || '<unset>',
    ];
  },
};

const resourceQuotas: Printer = {
  columns: [
    NAME, AGE,
    col('Request', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
  ],
  cells: (o, now) => {
    const hard = obj(get(o, 'status', 'hard'));
    const used = obj(get(o, 'status', 'used'));
    const request: string[] = [];
    const limit: string[] = [];
    for (const r of Object.keys(hard).sort()) {
      const text = `${r}: ${intOrString(used[r]) || '0'}/${intOrString(hard[r])}`;
      const pieces = r.split('.');
      (pieces.length > 1 && pieces[0] === 'limits' ? limit : request).push(text);
    }
    return [name(o), age(o, now), request.join(', '), limit.join(', ')];
  },
};

function hpaMetrics(o: Obj): string {
  const spec = obj(o.spec);
  let specs = arr(spec.metrics).map(obj);
  let statuses = arr(get(o, 'status', 'currentMetrics')).map(obj);
  // autoscaling/v1: a single CPU utilization target.
  if (specs.length === 0 && typeof spec.targetCPUUtilizationPercentage === 'number') {
    specs = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }];
    const cur = get(o, 'status', 'currentCPUUtilizationPercentage');
    statuses = typeof cur === 'number' ? [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cur } } }] : [];
  }
  if (specs.length === 0) return '<none>';
  const list: string[] = [];
  const max = 2;
  specs.forEach((m, i) => {
    const st = obj(statuses[i]);
    const quantity = (v: unknown): string => intOrString(v);
    switch (m.type) {
      case 'External':
      case 'Object': {
        const key = m.type === 'External' ? 'external' : 'object';
        const target = obj(get(m, key, 'target'));
        const cur = obj(get(st, key, 'current'));
        const have = st[key] !== undefined;
        if (target.averageValue !== undefined) {
          list.push(`${have && cur.averageValue !== undefined ? quantity(cur.averageValue) : '<unknown>'}/${quantity(target.averageValue)} (avg)`);
        } else {
          list.push(`${have ? quantity(cur.value) : '<unknown>'}/${quantity(target.value)}`);
        }
        break;
      }
      case 'Pods': {
        const cur = st.pods !== undefined ? quantity(get(st, 'pods', 'current', 'averageValue')) : '<unknown>';
        list.push(`${cur}/${quantity(get(m, 'pods', 'target', 'averageValue'))}`);
        break;
      }
      case 'Resource':
      case 'ContainerResource': {
        const key = m.type === 'Resource' ? 'resource' : 'containerResource';
        const res = obj(m[key]);
        const target = obj(res.target);
        const sres = st[key] !== undefined ? obj(st[key]) : undefined;
        const prefix = m.type === 'Resource' ? `${str(res.name)}: ` : `${str(res.name)} of container ${str(res.container)}: `;
        if (target.averageValue !== undefined) {
          const cur = sres !== undefined ? quantity(get(sres, 'current', 'averageValue')) : '<unknown>';
          list.push(`${prefix}${cur}/${quantity(target.averageValue)}`);
        } else {
          const cu = sres !== undefined ? get(sres, 'current', 'averageUtilization') : undefined;
          const cur = typeof cu === 'number' ? `${cu}%` : '<unknown>';
          const tu = target.averageUtilization;
          list.push(`${prefix}${cur}/${typeof tu === 'number' ? `${tu}%` : '<auto>'}`);
        }
        break;
      }
      default:
        list.push('<unknown type>');
    }
  });
  if (list.length > max) return `${list.slice(0, max).join(', ')} + ${list.length - max} more...`;
  return list.join(', ');
}

const hpas: Printer = {
  columns: [
    NAME,
    col('Reference', 'reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.'),
    col('Targets', 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).'),
    col('MinPods', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.'),
    col('MaxPods', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.', 'integer'),
    col('Replicas', 'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.', 'integer'),
    AGE,
  ],
  cells: (o, now) => {
    const ref = obj(get(o, 'spec', 'scaleTargetRef'));
    const min = get(o, 'spec', 'minReplicas');
    return [
      name(o), `${str(ref.kind)}/${str(ref.name)}`, hpaMetrics(o), typeof min === 'number' ? String(min) : '<unset>',
      num(get(o, 'spec', 'maxReplicas')), num(get(o, 'status', 'currentReplicas')), age(o, now),
    ];
  },
};

const storageClasses: Printer = {
  columns: [
    NAME,
    col('Provisioner', 'provisioner indicates the type of the provisioner.'),
    col('ReclaimPolicy', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'),
    col('VolumeBindingMode', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used.'),
    col('AllowVolumeExpansion', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    AGE,
  ],
  cells: (o, now) => {
    const ann = obj(get(o, 'metadata', 'annotations'));
    const isDefault = ann['storageclass.kubernetes.io/is-default-class'] === 'true' || ann['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
    return [
      isDefault ? `${name(o)} (default)` : name(o), str(o.provisioner), str(o.reclaimPolicy) || 'Delete',
      str(o.volumeBindingMode) || 'Immediate', o.allowVolumeExpansion === true, age(o, now),
    ];
  },
};

const networkPolicies: Printer = {
  columns: [NAME, col('Pod-Selector', 'Selects the pods to which this NetworkPolicy object applies. The array of ingress rules is applied to any pods selected by this field.'), AGE],
  cells: (o, now) => [name(o), formatLabelSelector(get(o, 'spec', 'podSelector')), age(o, now)],
};

const leases: Printer = {
  columns: [NAME, col('Holder', 'holderIdentity contains the identity of the holder of a current lease.'), AGE],
  cells: (o, now) => [name(o), str(get(o, 'spec', 'holderIdentity')), age(o, now)],
};

const pdbs: Printer = {
  columns: [
    NAME,
    col('Min Available', 'The minimum number of pods that must be available simultaneously.  This can be either an integer or a string specifying a percentage, e.g. "28%".'),
    col('Max Unavailable', 'The maximum number of pods that may be unavailable simultaneously.  This can be either an integer or a string specifying a percentage, e.g. "28%".'),
    col('Allowed Disruptions', 'Number of pod disruptions that are currently allowed.', 'integer'),
    AGE,
  ],
  cells: (o, now) => {
    const min = get(o, 'spec', 'minAvailable');
    const max = get(o, 'spec', 'maxUnavailable');
    return [
      name(o), min === undefined || min === null ? 'N/A' : intOrString(min), max === undefined || max === null ? 'N/A' : intOrString(max),
      num(get(o, 'status', 'disruptionsAllowed')), age(o, now),
    ];
  },
};

const controllerRevisions: Printer = {
  columns: [
    NAME,
    col('Controller', 'Controller of the object'),
    col('Revision', 'Revision indicates the revision of the state represented by Data.', 'integer'),
    AGE,
  ],
  cells: (o, now) => {
    const ref = arr(get(o, 'metadata', 'ownerReferences')).map(obj).find((r) => r.controller === true);
    let controller = '<none>';
    if (ref) {
      const apiVersion = str(ref.apiVersion);
      const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
      const kind = str(ref.kind).toLowerCase();
      controller = group ? `${kind}.${group}/${str(ref.name)}` : `${kind}/${str(ref.name)}`;
    }
    return [name(o), controller, num(o.revision), age(o, now)];
  },
};

const roleBindings: Printer = {
  columns: [
    NAME,
    col('Role', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.'),
    AGE,
    col('Users', 'Users in the roleBinding', 'string', 1),
    col('Groups', 'Groups in the roleBinding', 'string', 1),
    col('ServiceAccounts', 'ServiceAccounts in the roleBinding', 'string', 1),
  ],
  cells: (o, now) => {
    const ref = obj(o.roleRef);
    const users: string[] = [];
    const groups: string[] = [];
    const sas: string[] = [];
    for (const s of arr(o.subjects).map(obj)) {
      if (s.kind === 'User') users.push(str(s.name));
      else if (s.kind === 'Group') groups.push(str(s.name));
      else if (s.kind === 'ServiceAccount') sas.push(`${str(s.namespace)}:${str(s.name)}`);
    }
    return [name(o), `${str(ref.kind)}/${str(ref.name)}`, age(o, now), users.join(', '), groups.join(', '), sas.join(', ')];
  },
};

/** `group/Kind` → printer. Kinds not listed print with DEFAULT_PRINTER (Name, Created At), as upstream. */
export const PRINTERS: Readonly<Record<string, Printer>> = {
  '/Pod': pods,
  '/PodTemplate': podTemplates,
  '/ReplicationController': replicaLike('Selector is a label query over pods that should match the Replicas count.'),
  'apps/ReplicaSet': replicaLike('Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set.'),
  'apps/Deployment': deployments,
  'apps/StatefulSet': statefulSets,
  'apps/DaemonSet': daemonSets,
  'apps/ControllerRevision': controllerRevisions,
  'batch/Job': jobs,
  'batch/CronJob': cronJobs,
  '/Service': services,
  '/Endpoints': endpoints,
  'discovery.k8s.io/EndpointSlice': endpointSlices,
  'networking.k8s.io/Ingress': ingresses,
  'networking.k8s.io/IngressClass': ingressClasses,
  'networking.k8s.io/NetworkPolicy': networkPolicies,
  '/Node': nodes,
  '/Event': events,
  'events.k8s.io/Event': events,
  '/Namespace': namespaces,
  '/Secret': secrets,
  '/ConfigMap': configMaps,
  '/ServiceAccount': serviceAccounts,
  '/PersistentVolume': persistentVolumes,
  '/PersistentVolumeClaim': persistentVolumeClaims,
  '/ResourceQuota': resourceQuotas,
  '/LimitRange': DEFAULT_PRINTER,
  'autoscaling/HorizontalPodAutoscaler': hpas,
  'storage.k8s.io/StorageClass': storageClasses,
  'coordination.k8s.io/Lease': leases,
  'policy/PodDisruptionBudget': pdbs,
  'rbac.authorization.k8s.io/RoleBinding': roleBindings,
  'rbac.authorization.k8s.io/ClusterRoleBinding': roleBindings,
};
