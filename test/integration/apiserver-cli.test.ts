// The engine CLI from the bundle (dist/engine.js): up (detached) → status → a second engine on the same
// data dir is refused (lock) → kubeconfig --merge keeps current-context → down → status says not running.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { uniqueName } from '../support/engine.ts';

const BUNDLE = resolve('dist/engine.js');

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [BUNDLE, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

describe('engine CLI', () => {
  let dir: string;
  let home: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wheelhouse-cli-'));
    home = await mkdtemp(join(tmpdir(), 'wheelhouse-cli-home-'));
    env = { WHEELHOUSE_HOME: join(dir, 'data'), HOME: home };
  });
  after(async () => {
    await cli(['down'], env);
    await rm(dir, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  it('up, status, lock, kubeconfig --merge, down', async () => {
    const name = uniqueName('whcli');
    const up = await cli(['up', '--api-only', '--cluster-name', name], env);
    assert.equal(up.code, 0, up.out);
    assert.match(up.out, /started at https:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/);
    const data = join(dir, 'data');
    assert.equal((await stat(data)).mode & 0o777, 0o700);
    assert.equal((await stat(join(data, 'kubeconfig'))).mode & 0o777, 0o600);
    assert.equal((await stat(join(data, 'token'))).mode & 0o777, 0o600);
    const again = await cli(['up'], env);
    assert.equal(again.code, 0);
    assert.match(again.out, /already running/);
    const st = await cli(['status'], env);
    assert.equal(st.code, 0, st.out);
    assert.match(st.out, new RegExp(`running at https://127\\.0\\.0\\.1:\\d+ \\(pid \\d+, cluster ${name}`));
    const second = await cli(['serve', '--api-only', '--port', '0'], env);
    assert.notEqual(second.code, 0);
    assert.match(second.out, /in use|LOCK/i);

    await mkdir(join(home, '.kube'), { recursive: true });
    await writeFile(join(home, '.kube', 'config'), 'apiVersion: v1\nkind: Config\ncurrent-context: other\ncontexts: [{name: other, context: {cluster: o, user: o}}]\nclusters: [{name: o, cluster: {server: "https://example.invalid"}}]\nusers: [{name: o, user: {}}]\n');
    const merged = await cli(['kubeconfig', '--merge'], env);
    assert.equal(merged.code, 0, merged.out);
    const cfg = parse(await readFile(join(home, '.kube', 'config'), 'utf8')) as { 'current-context': string; contexts: { name: string }[]; clusters: { name: string }[] };
    assert.equal(cfg['current-context'], 'other');
    assert.deepEqual(cfg.contexts.map((c) => c.name).sort(), ['other', 'wheelhouse']);
    assert.ok(cfg.clusters.some((c) => c.name === name));

    const down = await cli(['down'], env);
    assert.equal(down.code, 0, down.out);
    assert.match(down.out, /stopped/);
    const after = await cli(['status'], env);
    assert.equal(after.code, 3);
    assert.match(after.out, /not running/);
  });
});
