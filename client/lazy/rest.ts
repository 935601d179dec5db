/**
 * Entry of dist/client-rest.js: kube/rest.ts in one copy shared by the activation bundle and the lazy cluster
 * bundle. Both bundles import it as an external module so `KubeError` is one class: an error thrown in the
 * cluster bundle (informers, discovery) still passes `instanceof KubeError` / isNotFound() in the commands.
 */
export * from '../kube/rest.ts';
