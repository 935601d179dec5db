/**
 * The streaming parts of client-node (logs, exec and port-forward over WebSocket), re-exported by name so the
 * bundler keeps only these, and loaded with a dynamic import when a command first needs them.
 */
export { Log, Exec, PortForward } from '@kubernetes/client-node';
