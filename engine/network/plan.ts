/**
 * The cluster's address plan: one Docker bridge network per cluster, a /16 split in two halves —
 * pods get addresses from the lower half (Docker's ip-range), Services from the upper half (the API
 * server's service CIDR; ClusterIPs are assigned to the Service proxy containers explicitly). The cluster
 * DNS takes the tenth address of the service range, as kube-dns takes 10.96.0.10.
 *
 * Contract: a data dir keeps its plan forever (network.json), so ClusterIPs stored in Services stay
 * valid across restarts. A new plan picks the first /16 in 10.200–10.254 that does not overlap another
 * Docker network (ensureNetwork fails on overlap, and the next candidate is tried).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSecret } from '../config/files.ts';

export interface NetworkPlan {
  network: string;
  subnet: string;
  gateway: string;
  podRange: string;
  serviceCIDR: string;
  /** The Service range's first address is the `kubernetes` Service's; this one is the cluster DNS. */
  dnsIP: string;
  domain: string;
}

export const FIRST_OCTET = 10;
export const SECOND_OCTET_MIN = 200;
export const SECOND_OCTET_MAX = 254;

export function planFor(clusterName: string, second: number): NetworkPlan {
  if (!Number.isInteger(second) || second < 0 || second > 255) throw new Error(`bad network index ${second}`);
  const p = `${FIRST_OCTET}.${second}`;
  return {
    network: `${clusterName}-net`,
    subnet: `${p}.0.0/16`,
    gateway: `${p}.0.1`,
    podRange: `${p}.0.0/17`,
    serviceCIDR: `${p}.128.0/17`,
    dnsIP: `${p}.128.10`,
    domain: 'cluster.local',
  };
}

const planPath = (dataDir: string) => join(dataDir, 'network.json');

export async function readPlan(dataDir: string): Promise<NetworkPlan | undefined> {
  try {
    const p = JSON.parse(await readFile(planPath(dataDir), 'utf8')) as NetworkPlan;
    return typeof p.subnet === 'string' && typeof p.serviceCIDR === 'string' ? p : undefined;
  } catch {
    return undefined;
  }
}

export async function savePlan(dataDir: string, plan: NetworkPlan): Promise<void> {
  await writeSecret(planPath(dataDir), `${JSON.stringify(plan, null, 2)}\n`);
}

/** Candidate second octets for a new plan, starting at one derived from the name so clusters spread out. */
export function candidates(clusterName: string): number[] {
  let h = 0;
  for (const ch of clusterName) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const span = SECOND_OCTET_MAX - SECOND_OCTET_MIN + 1;
  const start = h % span;
  return Array.from({ length: span }, (_x, i) => SECOND_OCTET_MIN + ((start + i) % span));
}

/** Whether an error from creating a network means "this subnet overlaps another network". */
export function isOverlap(err: unknown): boolean {
  return /overlap|in use|already/i.test(err instanceof Error ? err.message : String(err));
}
