// Runs the test layers with node:test and prints node's own summary.
//   node test/run.mjs                 every layer: unit, integration, e2e
//   node test/run.mjs unit e2e        only those layers
//   node test/run.mjs path/to/x.test.ts  only those files
// Test files are TypeScript, loaded through tsx. E2E files decide for themselves whether a Docker engine
// is there (test/support/docker.ts): without one they are skipped with the reason, unless
// WHEELHOUSE_REQUIRE_DOCKER=1, where a missing engine fails them.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

const layers = ['unit', 'integration', 'e2e'];
const args = process.argv.slice(2);
const wantedLayers = args.filter((a) => layers.includes(a));
const files = args.filter((a) => a.endsWith('.ts'));

function walk(dir) {
  let out = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

if (files.length === 0) {
  for (const layer of wantedLayers.length ? wantedLayers : layers) files.push(...walk(join('test', layer)));
}
if (files.length === 0) {
  console.error('test/run.mjs: no test files found');
  process.exit(1);
}

const concurrency = process.env.WHEELHOUSE_TEST_CONCURRENCY ?? '2';
const child = spawn(process.execPath, [
  '--import', 'tsx',
  '--test',
  '--test-reporter=spec',
  `--test-concurrency=${concurrency}`,
  '--test-timeout=300000',
  ...files,
], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
