/**
 * The cluster's DNS zone as data, and how a question is answered from it (the CoreDNS "kubernetes"
 * plugin's job). The engine computes DnsRecords from Services and Endpoints and hands them to the DNS
 * agent; names are lower-case FQDNs without the trailing dot.
 */
import { RCODE, TYPE, type Question, type ResourceRecord } from './dns-message.ts';

export interface SrvTarget {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

export interface DnsRecords {
  /** The cluster domain, `cluster.local`. */
  domain: string;
  ttl: number;
  a: Record<string, string[]>;
  cname: Record<string, string>;
  srv: Record<string, SrvTarget[]>;
  /** Reverse names (`4.3.2.1.in-addr.arpa`) → FQDN. */
  ptr: Record<string, string>;
}

export function emptyRecords(domain = 'cluster.local'): DnsRecords {
  return { domain, ttl: 5, a: {}, cname: {}, srv: {}, ptr: {} };
}

export type Answer =
  | { kind: 'local'; rcode: number; answers: ResourceRecord[]; authority: ResourceRecord[] }
  /** Not ours: relay the query upstream. */
  | { kind: 'forward' }
  /** A CNAME to a name outside the zone: answer the CNAME and append the upstream answer for `target`. */
  | { kind: 'cname-external'; answers: ResourceRecord[]; target: string };

function inZone(name: string, records: DnsRecords): boolean {
  return name === records.domain || name.endsWith(`.${records.domain}`) || (name.endsWith('.in-addr.arpa') && name in records.ptr);
}

function soa(records: DnsRecords): ResourceRecord {
  return {
    name: records.domain,
    ttl: records.ttl,
    type: TYPE.SOA,
    mname: `ns.dns.${records.domain}`,
    rname: `hostmaster.${records.domain}`,
    serial: Math.floor(Date.now() / 1000),
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum: records.ttl,
  };
}

/** Whether any record lives below `name` (an "empty non-terminal" answers NOERROR, not NXDOMAIN). */
function hasDescendant(name: string, records: DnsRecords): boolean {
  const suffix = `.${name}`;
  for (const table of [records.a, records.cname, records.srv]) {
    for (const key of Object.keys(table)) if (key.endsWith(suffix)) return true;
  }
  return false;
}

export function answer(q: Question, records: DnsRecords): Answer {
  const name = q.name.replace(/\.$/, '').toLowerCase();
  if (!inZone(name, records)) return { kind: 'forward' };
  const ttl = records.ttl;
  const answers: ResourceRecord[] = [];
  const wants = (t: number) => q.type === t || q.type === TYPE.ANY;

  const cname = records.cname[name];
  if (cname !== undefined) {
    answers.push({ name, ttl, type: TYPE.CNAME, target: cname });
    if (q.type === TYPE.CNAME) return { kind: 'local', rcode: RCODE.NOERROR, answers, authority: [] };
    const inside = records.a[cname];
    if (inside) {
      if (wants(TYPE.A)) for (const address of inside) answers.push({ name: cname, ttl, type: TYPE.A, address });
      return { kind: 'local', rcode: RCODE.NOERROR, answers, authority: [] };
    }
    return { kind: 'cname-external', answers, target: cname };
  }
  const a = records.a[name];
  const srv = records.srv[name];
  const ptr = records.ptr[name];
  if (a && wants(TYPE.A)) for (const address of a) answers.push({ name, ttl, type: TYPE.A, address });
  if (srv && wants(TYPE.SRV)) for (const s of srv) answers.push({ name, ttl, type: TYPE.SRV, ...s });
  if (ptr && wants(TYPE.PTR)) answers.push({ name, ttl, type: TYPE.PTR, target: ptr });
  if (answers.length) return { kind: 'local', rcode: RCODE.NOERROR, answers, authority: [] };
  const exists = a !== undefined || srv !== undefined || ptr !== undefined || name === records.domain || hasDescendant(name, records);
  return { kind: 'local', rcode: exists ? RCODE.NOERROR : RCODE.NXDOMAIN, answers: [], authority: [soa(records)] };
}

/** Checks a records document received from the engine; throws with the first problem. */
export function parseRecords(json: unknown): DnsRecords {
  const o = json as Partial<DnsRecords> | null;
  if (!o || typeof o !== 'object' || typeof o.domain !== 'string') throw new Error('DNS records: "domain" must be a string');
  const table = <T>(v: unknown, what: string, check: (x: unknown) => x is T): Record<string, T> => {
    if (v === undefined) return {};
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`DNS records: "${what}" must be a map`);
    for (const [k, x] of Object.entries(v)) if (!check(x)) throw new Error(`DNS records: bad ${what} entry for ${k}`);
    return v as Record<string, T>;
  };
  const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  const isString = (x: unknown): x is string => typeof x === 'string';
  const isSrv = (x: unknown): x is SrvTarget[] =>
    Array.isArray(x) && x.every((s) => s && typeof s === 'object' && typeof (s as SrvTarget).port === 'number' && typeof (s as SrvTarget).target === 'string');
  return {
    domain: o.domain.toLowerCase(),
    ttl: typeof o.ttl === 'number' ? o.ttl : 5,
    a: table(o.a, 'a', isStrings),
    cname: table(o.cname, 'cname', isString),
    srv: table(o.srv, 'srv', isSrv),
    ptr: table(o.ptr, 'ptr', isString),
  };
}
