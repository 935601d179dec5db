// The engine's CLI. Owned by the control-plane work (issue 3): serve, up, down, status, kubeconfig.
console.error('wheelhouse: the engine is being built; no commands yet.');
process.exit(2);
