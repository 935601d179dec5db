import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuNanoCores, toContainerStats, workingSetBytes } from '../../engine/runtime/stats.ts';
import { Demuxer, frame } from '../../engine/runtime/demux.ts';
import { tar } from '../../engine/runtime/tar.ts';
import { dockerError, dockerMessage } from '../../engine/runtime/errors.ts';
import { parseDockerHost, resolveDockerEndpoint } from '../../engine/runtime/connection.ts';
import { connectDocker, MAX_API_VERSION, negotiateApiVersion } from '../../engine/runtime/docker.ts';
import { RuntimeConflictError, RuntimeNotFoundError, RuntimeUnavailableError } from '../../engine/runtime/types.ts';

describe('stats math', () => {
  it('computes nanocores from the cpu/precpu deltas and the host CPU time per CPU', () => {
    // 4 CPUs, 1 s of wall time → system delta 4e9 ns; the container used 0.5 s of CPU → half a core.
    const sample = {
      cpu_stats: { cpu_usage: { total_usage: 10_500_000_000 }, system_cpu_usage: 104_000_000_000, online_cpus: 4 },
      precpu_stats: { cpu_usage: { total_usage: 10_000_000_000 }, system_cpu_usage: 100_000_000_000, online_cpus: 4 },
      memory_stats: { usage: 50_000_000, limit: 100_000_000, stats: { total_inactive_file: 10_000_000 } },
    };
    assert.equal(cpuNanoCores(sample), 500_000_000);
    assert.deepEqual(toContainerStats(sample), { cpuNanoCores: 500_000_000, memoryBytes: 40_000_000, memoryLimitBytes: 100_000_000 });
  });

  it('uses percpu_usage when online_cpus is missing, and read/preread when the system counter is', () => {
    const percpu = {
      cpu_stats: { cpu_usage: { total_usage: 3e9, percpu_usage: [1, 1] }, system_cpu_usage: 12e9 },
      precpu_stats: { cpu_usage: { total_usage: 1e9 }, system_cpu_usage: 10e9 },
    };
    assert.equal(cpuNanoCores(percpu), 2_000_000_000);
    const wall = {
      read: '2026-01-01T00:00:02.000Z', preread: '2026-01-01T00:00:00.000Z',
      cpu_stats: { cpu_usage: { total_usage: 2.5e9 } }, precpu_stats: { cpu_usage: { total_usage: 2e9 } },
    };
    assert.equal(cpuNanoCores(wall), 250_000_000);
  });

  it('gives 0 without a previous sample and never a negative working set', () => {
    assert.equal(cpuNanoCores({ cpu_stats: { cpu_usage: { total_usage: 5 } }, precpu_stats: { cpu_usage: { total_usage: 0 } } }), 0);
    assert.equal(cpuNanoCores({}), 0);
    assert.equal(workingSetBytes({ memory_stats: { usage: 10, stats: { inactive_file: 20 } } }), 0);
    assert.equal(workingSetBytes({ memory_stats: { usage: 30, stats: { inactive_file: 20 } } }), 10);
  });
});

describe('multiplexed streams', () => {
  it('demultiplexes frames across arbitrary chunk boundaries', () => {
    const got: string[] = [];
    const d = new Demuxer((s, data) => got.push(`${s}:${data.toString()}`));
    const all = Buffer.concat([frame('stdout', Buffer.from('hello\n')), frame('stderr', Buffer.from('oops\n')), frame('stdout', Buffer.alloc(0)), frame('stdout', Buffer.from('x'))]);
    for (let i = 0; i < all.length; i += 3) d.push(all.subarray(i, i + 3));
    assert.deepEqual(got, ['stdout:hello\n', 'stderr:oops\n', 'stdout:', 'stdout:x']);
    assert.equal(d.pending, 0);
  });

  it('refuses a stream that is not multiplexed', () => {
    const d = new Demuxer(() => {});
    assert.throws(() => d.push(Buffer.from('plain text output\n')), /not multiplexed/);
  });
});

describe('tar encoder', () => {
  it('writes archives the system tar reads: files, modes, folders, symlinks, long names', () => {
    const longName = `deep/${'d'.repeat(120)}/${'f'.repeat(120)}.txt`;
    const archive = tar([
      { type: 'directory', path: 'etc/config' },
      { type: 'file', path: '/etc/config/key', content: Buffer.from('value'), mode: 0o600 },
      { type: 'symlink', path: 'etc/link', target: 'config/key' },
      { type: 'file', path: longName, content: Buffer.from('long') },
    ]);
    assert.equal(archive.length % 512, 0);
    const dir = mkdtempSync(join(tmpdir(), 'wh-tar-'));
    try {
      execFileSync('tar', ['-x', '-C', dir], { input: archive });
      assert.equal(readFileSync(join(dir, 'etc/config/key'), 'utf8'), 'value');
      assert.equal(statSync(join(dir, 'etc/config/key')).mode & 0o777, 0o600);
      assert.equal(readFileSync(join(dir, 'etc/link'), 'utf8'), 'value');
      assert.equal(readFileSync(join(dir, longName), 'utf8'), 'long');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses paths that climb out', () => {
    assert.throws(() => tar([{ type: 'file', path: '../x', content: Buffer.alloc(0) }]), /invalid entry path/);
  });
});

describe('Docker errors', () => {
  const http = (statusCode: number, message: string) => Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message} `), { statusCode, json: { message } });

  it('maps 404 to not found and 409/403 to conflicts, keeping Docker\'s words', () => {
    assert.ok(dockerError(http(404, 'No such container: abc'), 'container abc') instanceof RuntimeNotFoundError);
    const conflict = dockerError(http(409, 'You cannot remove a running container abc.'), 'removing container abc');
    assert.ok(conflict instanceof RuntimeConflictError);
    assert.equal(conflict.message, 'removing container abc: You cannot remove a running container abc.');
    assert.ok(dockerError(http(403, 'network x has active endpoints'), 'removing network x') instanceof RuntimeConflictError);
    const other = dockerError(http(500, 'driver failed'), 'starting container abc');
    assert.equal(other.message, 'starting container abc: driver failed');
    assert.equal(dockerMessage(Object.assign(new Error('x'), { json: Buffer.from('{"message":"from buffer"}') })), 'from buffer');
  });

  it('says in one sentence, with the fix, when Docker is not there', () => {
    const missing = dockerError(Object.assign(new Error('connect ENOENT'), { code: 'ENOENT' }), 'x', 'unix:///var/run/docker.sock');
    assert.ok(missing instanceof RuntimeUnavailableError);
    assert.match(missing.message, /^Docker is not running or not installed: .*install Docker/);
    const refused = dockerError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'x', 'tcp://h:2375');
    assert.match(refused.message, /^Docker is not running: nothing answers at tcp:\/\/h:2375.*start Docker/);
    const denied = dockerError(Object.assign(new Error('connect EACCES'), { code: 'EACCES' }), 'x', 'unix:///s');
    assert.match(denied.message, /docker group/);
  });

  it('connectDocker rejects with RuntimeUnavailableError when no socket exists', async () => {
    await assert.rejects(
      connectDocker({ endpoint: { kind: 'socket', socketPath: '/nonexistent/docker.sock', display: 'unix:///nonexistent/docker.sock' } }),
      (err: Error) => err instanceof RuntimeUnavailableError && /not running or not installed/.test(err.message),
    );
  });
});

describe('Docker endpoint and API version', () => {
  it('reads DOCKER_HOST as the CLI does', () => {
    assert.deepEqual(parseDockerHost('unix:///run/user/1000/docker.sock'), { kind: 'socket', socketPath: '/run/user/1000/docker.sock', display: 'unix:///run/user/1000/docker.sock' });
    assert.deepEqual(parseDockerHost('tcp://127.0.0.1:2375', {}), { kind: 'tcp', host: '127.0.0.1', port: 2375, display: 'tcp://127.0.0.1:2375' });
    assert.deepEqual(parseDockerHost('ssh://me@box', {}), { kind: 'ssh', host: 'box', port: 22, username: 'me', display: 'ssh://me@box' });
    assert.throws(() => parseDockerHost('tcp://h:2376', { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent' }), /DOCKER_CERT_PATH/);
    assert.throws(() => parseDockerHost('ftp://x'), /not understood/);
    assert.equal(resolveDockerEndpoint({ DOCKER_HOST: 'unix:///x.sock' }).display, 'unix:///x.sock');
  });

  it('negotiates: the engine\'s version capped at ours, never below Docker 20.10', () => {
    assert.equal(negotiateApiVersion({ ApiVersion: '1.41', MinAPIVersion: '1.12' }), '1.41');
    assert.equal(negotiateApiVersion({ ApiVersion: '1.43' }), '1.43');
    assert.equal(negotiateApiVersion({ ApiVersion: '1.51', MinAPIVersion: '1.24' }), MAX_API_VERSION);
    assert.equal(negotiateApiVersion({ ApiVersion: '1.60', MinAPIVersion: '1.50' }), '1.50');
    assert.throws(() => negotiateApiVersion({ ApiVersion: '1.40' }), /older than Docker 20\.10/);
  });
});
