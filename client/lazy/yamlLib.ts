/** Entry of dist/client-yaml.js: the `yaml` package, required on first use through client/lazy/yaml.ts. */
export * from 'yaml';
