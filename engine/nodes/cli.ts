/**
 * `wheelhouse node stop|start|list [NAME]`: powers virtual nodes through the API (the Node annotation
 * `wheelhouse.io/power` that the engine's nodes watch), so it works from any process with a client.
 * Returns the exit code and the lines to print; engine/cli/main.ts wires it to argv and an ApiClient.
 */
import type { Node } from 'kubernetes-types/core/v1';
import type { ApiClient } from '../api/client.ts';
import { isNotFound } from '../api/client.ts';
import { R } from '../api/resources.ts';
import { POWER_ANNOTATION } from './nodes.ts';

export const NODE_USAGE = 'usage: wheelhouse node stop NAME | node start NAME | node list';

export async function nodeCommand(client: ApiClient, argv: string[]): Promise<{ code: number; output: string[] }> {
  const [verb, name] = argv;
  if (verb === 'list' || verb === 'ls') {
    const nodes = (await client.list<Node>(R.nodes)).items;
    const rows = nodes.map((n) => {
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? 'Ready' : 'NotReady';
      const power = n.metadata?.annotations?.[POWER_ANNOTATION] === 'stopped' ? 'stopped' : 'running';
      return `${n.metadata?.name}\t${ready}${n.spec?.unschedulable ? ',SchedulingDisabled' : ''}\t${power}`;
    });
    return { code: 0, output: ['NAME\tSTATUS\tPOWER', ...rows] };
  }
  if ((verb !== 'stop' && verb !== 'start') || !name) return { code: 2, output: [NODE_USAGE] };
  try {
    await client.patch(R.nodes, name, undefined, 'merge', { metadata: { annotations: { [POWER_ANNOTATION]: verb === 'stop' ? 'stopped' : null } } });
  } catch (err) {
    if (isNotFound(err)) return { code: 1, output: [`node "${name}" not found`] };
    throw err;
  }
  return {
    code: 0,
    output: [verb === 'stop'
      ? `node/${name} stopped: its containers were killed and its heartbeats stop; after the node monitor grace period the node controller marks it NotReady and evicts its pods`
      : `node/${name} started`],
  };
}
