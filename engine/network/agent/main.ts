/**
 * dist/agent.js: the engine's in-container helper, run with Node inside the cluster network.
 *   node agent.js proxy CONFIG.json            a Service's data path (see proxy.ts)
 *   node agent.js dns CONFIG.json [--port N] [--upstream IP[:PORT]]   the cluster DNS (see dns-server.ts)
 *   node agent.js ingress CONFIG.json [--http-port N] [--https-port N]  the ingress controller (see ingress.ts)
 * It prints `ready` once listening, then one line per configuration change, and exits 0 on SIGTERM.
 * It imports nothing but Node's own modules, so it runs on any Node ≥ 18 image.
 */
import { readFileSync } from 'node:fs';
import { DnsServer } from './dns-server.ts';
import { parseRecords } from './dns-records.ts';
import { followConfig } from './config-file.ts';
import { ServiceProxy, parseProxyConfig } from './proxy.ts';
import { IngressProxy, parseIngressConfig } from './ingress.ts';

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The first nameserver of /etc/resolv.conf: inside a container on a user network, Docker's DNS. */
function systemResolver(): string | undefined {
  try {
    const m = readFileSync('/etc/resolv.conf', 'utf8').match(/^nameserver\s+(\S+)/m);
    return m?.[1];
  } catch {
    return undefined;
  }
}

async function main(argv: string[]): Promise<void> {
  const [mode, config, ...rest] = argv;
  if ((mode !== 'proxy' && mode !== 'dns' && mode !== 'ingress') || !config) {
    process.stderr.write('usage: agent proxy CONFIG.json | agent dns CONFIG.json [--port N] [--upstream IP[:PORT]] | agent ingress CONFIG.json [--http-port N] [--https-port N]\n');
    process.exit(2);
  }
  let close: () => Promise<void>;
  if (mode === 'proxy') {
    const proxy = new ServiceProxy({ host: flag(rest, '--host') ?? '0.0.0.0', log });
    let first = true;
    const follower = followConfig(config, parseProxyConfig, async (cfg) => {
      await proxy.update(cfg);
      log(`${first ? 'ready' : 'updated'}: ${cfg.listeners.map((l) => `${l.protocol}/${l.port}→${l.backends.length}`).join(' ') || 'no ports'}`);
      first = false;
    }, log);
    close = async () => {
      follower.stop();
      await proxy.close();
    };
  } else if (mode === 'ingress') {
    const ingress = new IngressProxy();
    const https = flag(rest, '--https-port');
    const ports = await ingress.listen(flag(rest, '--host') ?? '0.0.0.0', Number(flag(rest, '--http-port') ?? 80), https === undefined ? undefined : Number(https));
    const follower = followConfig(config, parseIngressConfig, async (cfg) => {
      ingress.update(cfg);
      log(`routes: ${cfg.rules.reduce((n, r) => n + r.paths.length, 0)} paths, ${cfg.tls.length} TLS`);
    }, log);
    log(`ready: ingress on http ${ports.http}${ports.https ? `, https ${ports.https}` : ''}`);
    close = async () => {
      follower.stop();
      await ingress.close();
    };
  } else {
    const server = new DnsServer({ host: flag(rest, '--host') ?? '0.0.0.0', port: Number(flag(rest, '--port') ?? 53), upstream: flag(rest, '--upstream') ?? systemResolver() });
    const follower = followConfig(config, parseRecords, async (records) => {
      server.update(records);
      log(`records: ${Object.keys(records.a).length} A, ${Object.keys(records.cname).length} CNAME, ${Object.keys(records.srv).length} SRV`);
    }, log);
    const { port } = await server.start();
    log(`ready: dns on port ${port}`);
    close = async () => {
      follower.stop();
      await server.close();
    };
  }
  const stop = () => {
    void close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`agent: ${err.message}\n`);
  process.exit(1);
});
