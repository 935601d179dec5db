/**
 * Entry of dist/client-cluster.js: everything that needs @kubernetes/client-node at run time (the kube layer's
 * connect half and the streaming classes). The activation bundle (dist/client.js) never contains it: esbuild.mjs
 * rewrites the dynamic `import('…/kube/connect.ts')` and `import('…/kube/streams.ts')` of client/ into a
 * `require('./client-cluster.js')`, so client-node is compiled only when a view, command or the engine first
 * needs a cluster. Both imports get this one module (Node's require cache), so client-node loads once.
 */
export * from '../kube/connect.ts';
export { Log, Exec, PortForward } from '../kube/streams.ts';
