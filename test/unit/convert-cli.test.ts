import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runConvert, type ConvertIo } from '../../engine/convert/cli.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'compose');

async function run(argv: string[], cwd = fixtures, env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: ConvertIo = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env, cwd };
  const code = await runConvert(argv, io);
  return { code, out, err };
}

const docs = (yaml: string) =>
  parseAllDocuments(yaml).map((d) => {
    assert.equal(d.errors.length, 0, String(d.errors[0]));
    return d.toJS() as { kind: string; metadata: { name: string; namespace?: string }; data?: Record<string, string>; spec?: Record<string, unknown> };
  });

test('every fixture converts: YAML on stdout, a summary and the report on stderr, exit 0', async () => {
  const names = readdirSync(fixtures);
  assert.ok(names.length >= 10);
  for (const name of names) {
    const r = await run([join(name, 'docker-compose.yml')]);
    assert.equal(r.code, 0, `${name}: ${r.err}`);
    const objects = docs(r.out);
    assert.ok(objects.some((o) => o.kind === 'Deployment'), `${name} has a Deployment`);
    assert.match(r.err, new RegExp(`^converted ${name}/docker-compose.yml: \\d+ `), name);
  }
});

test('files the Compose file refers to are read relative to its folder (env_file, secrets, bind-mounted files)', async () => {
  // run from another folder: paths must resolve against the Compose file's folder, not the cwd
  const r = await run([join(fixtures, 'postgres-pgadmin', 'docker-compose.yml')], tmpdir());
  assert.equal(r.code, 0, r.err);
  const env = readFileSync(join(fixtures, 'postgres-pgadmin', 'postgres.env'), 'utf8');
  const keys = env.split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=')[0]!);
  const objects = docs(r.out);
  const held = new Set(objects.filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret').flatMap((o) => Object.keys(o.data ?? {})));
  for (const k of keys) assert.ok(held.has(k), `${k} from postgres.env is in a ConfigMap or Secret`);
  const nginx = await run([join(fixtures, 'nginx-static', 'docker-compose.yml')], tmpdir());
  const conf = readFileSync(join(fixtures, 'nginx-static', 'nginx.conf'), 'utf8');
  assert.ok(docs(nginx.out).some((o) => o.kind === 'ConfigMap' && Object.values(o.data ?? {}).includes(conf)), 'nginx.conf becomes a ConfigMap');
});

test('-o writes the file, --namespace sets every namespace, .env and the environment interpolate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wh-convert-'));
  try {
    writeFileSync(join(dir, 'compose.yml'), 'services:\n  web:\n    image: "nginx:${TAG}"\n    ports: ["${PORT:-8080}:80"]\n');
    writeFileSync(join(dir, '.env'), 'TAG=1.25\nPORT=9000\n');
    const r = await run(['compose.yml', '-o', 'out.yaml', '--namespace', 'shop'], dir, { PORT: '9100' });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, '');
    assert.match(r.err, /→ out\.yaml/);
    const objects = docs(readFileSync(join(dir, 'out.yaml'), 'utf8'));
    assert.ok(objects.length >= 2);
    for (const o of objects) assert.equal(o.metadata.namespace, 'shop', `${o.kind}/${o.metadata.name}`);
    const yaml = readFileSync(join(dir, 'out.yaml'), 'utf8');
    assert.match(yaml, /image: nginx:1\.25/, '.env supplies TAG');
    assert.match(yaml, /9100/, 'the environment wins over .env, as in Compose');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('errors are plain sentences with exit 1; wrong usage exits 2 with the usage', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wh-convert-'));
  try {
    const missing = await run(['nope.yml'], dir);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /cannot read nope\.yml: no such file/);
    assert.equal(missing.out, '');

    writeFileSync(join(dir, 'bad.yml'), 'services:\n  web:\n    image: "x:${TAG:?set TAG first}"\n');
    const bad = await run(['bad.yml'], dir);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /bad\.yml cannot be converted: required variable TAG is missing a value: set TAG first/);

    writeFileSync(join(dir, 'notcompose.yml'), '- just\n- a list\n');
    const nc = await run(['notcompose.yml'], dir);
    assert.equal(nc.code, 1);
    assert.match(nc.err, /notcompose\.yml/);

    const none = await run([], dir);
    assert.equal(none.code, 2);
    assert.match(none.err, /which Compose file\?/);
    const unknown = await run(['a.yml', '--frobnicate'], dir);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown option --frobnicate/);
    const ns = await run(['a.yml', '-n', 'Bad_NS'], dir);
    assert.equal(ns.code, 2);
    assert.match(ns.err, /--namespace must be a DNS label/);
    const help = await run(['--help'], dir);
    assert.equal(help.code, 0);
    assert.match(help.out, /usage: wheelhouse convert/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
