/** Snippets for the common resources, offered at the top of an empty document. LSP snippet syntax. */

export interface Snippet {
  readonly label: string;
  readonly detail: string;
  readonly body: string;
}

const container = (indent: string) => [
  `${indent}- name: \${1:app}`,
  `${indent}  image: \${2:nginx:1.27}`,
  `${indent}  ports:`,
  `${indent}    - name: http`,
  `${indent}      containerPort: \${3:80}`,
  `${indent}  resources:`,
  `${indent}    requests: { cpu: 100m, memory: 128Mi }`,
  `${indent}    limits: { cpu: 500m, memory: 256Mi }`,
  `${indent}  readinessProbe:`,
  `${indent}    httpGet: { path: /, port: http }`,
].join('\n');

export const SNIPPETS: readonly Snippet[] = [
  {
    label: 'Deployment', detail: 'apps/v1 Deployment with a Service-ready container',
    body: ['apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: ${1:app}', '  labels:', '    app: ${1:app}', 'spec:', '  replicas: ${4:2}', '  selector:', '    matchLabels:', '      app: ${1:app}', '  template:', '    metadata:', '      labels:', '        app: ${1:app}', '    spec:', '      containers:', container('        '), ''].join('\n'),
  },
  {
    label: 'Service', detail: 'v1 Service (ClusterIP)',
    body: ['apiVersion: v1', 'kind: Service', 'metadata:', '  name: ${1:app}', 'spec:', '  selector:', '    app: ${2:app}', '  ports:', '    - name: http', '      port: ${3:80}', '      targetPort: ${4:http}', ''].join('\n'),
  },
  {
    label: 'ConfigMap', detail: 'v1 ConfigMap',
    body: ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: ${1:config}', 'data:', '  ${2:key}: ${3:value}', ''].join('\n'),
  },
  {
    label: 'Secret', detail: 'v1 Secret (stringData)',
    body: ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: ${1:secret}', 'type: Opaque', 'stringData:', '  ${2:password}: ${3:change-me}', ''].join('\n'),
  },
  {
    label: 'Ingress', detail: 'networking.k8s.io/v1 Ingress',
    body: ['apiVersion: networking.k8s.io/v1', 'kind: Ingress', 'metadata:', '  name: ${1:app}', 'spec:', '  rules:', '    - host: ${2:app.localhost}', '      http:', '        paths:', '          - path: /', '            pathType: Prefix', '            backend:', '              service:', '                name: ${3:app}', '                port:', '                  number: ${4:80}', ''].join('\n'),
  },
  {
    label: 'Job', detail: 'batch/v1 Job',
    body: ['apiVersion: batch/v1', 'kind: Job', 'metadata:', '  name: ${1:job}', 'spec:', '  backoffLimit: 3', '  template:', '    spec:', '      restartPolicy: Never', '      containers:', '        - name: ${1:job}', '          image: ${2:busybox:1.36}', '          command: [${3:"sh", "-c", "echo done"}]', ''].join('\n'),
  },
  {
    label: 'CronJob', detail: 'batch/v1 CronJob',
    body: ['apiVersion: batch/v1', 'kind: CronJob', 'metadata:', '  name: ${1:cron}', 'spec:', '  schedule: "${2:*/5 * * * *}"', '  jobTemplate:', '    spec:', '      template:', '        spec:', '          restartPolicy: OnFailure', '          containers:', '            - name: ${1:cron}', '              image: ${3:busybox:1.36}', '              command: [${4:"sh", "-c", "date"}]', ''].join('\n'),
  },
  {
    label: 'StatefulSet', detail: 'apps/v1 StatefulSet with a volume claim template',
    body: ['apiVersion: apps/v1', 'kind: StatefulSet', 'metadata:', '  name: ${1:db}', 'spec:', '  serviceName: ${1:db}', '  replicas: 1', '  selector:', '    matchLabels:', '      app: ${1:db}', '  template:', '    metadata:', '      labels:', '        app: ${1:db}', '    spec:', '      containers:', container('        '), '          volumeMounts:', '            - name: data', '              mountPath: /data', '  volumeClaimTemplates:', '    - metadata:', '        name: data', '      spec:', '        accessModes: [ReadWriteOnce]', '        resources:', '          requests:', '            storage: ${5:1Gi}', ''].join('\n'),
  },
  {
    label: 'PersistentVolumeClaim', detail: 'v1 PersistentVolumeClaim',
    body: ['apiVersion: v1', 'kind: PersistentVolumeClaim', 'metadata:', '  name: ${1:data}', 'spec:', '  accessModes: [ReadWriteOnce]', '  resources:', '    requests:', '      storage: ${2:1Gi}', ''].join('\n'),
  },
  {
    label: 'HorizontalPodAutoscaler', detail: 'autoscaling/v2 HorizontalPodAutoscaler',
    body: ['apiVersion: autoscaling/v2', 'kind: HorizontalPodAutoscaler', 'metadata:', '  name: ${1:app}', 'spec:', '  scaleTargetRef:', '    apiVersion: apps/v1', '    kind: Deployment', '    name: ${1:app}', '  minReplicas: 1', '  maxReplicas: ${2:5}', '  metrics:', '    - type: Resource', '      resource:', '        name: cpu', '        target: { type: Utilization, averageUtilization: ${3:70} }', ''].join('\n'),
  },
];
