import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../../engine/cli/main.ts';

test('cluster settings come from flags, falling back to the environment', () => {
  const env = { WHEELHOUSE_HOME: '/tmp/wh', WHEELHOUSE_SANDBOX_IMAGE: 'sb:1', WHEELHOUSE_INGRESS_HTTP_PORT: '8080', WHEELHOUSE_NODES: '2' };
  const a = parseArgs(['serve', '--infra-image', 'infra:2', '--ingress-https-port=8443', '--nodes', '4'], env);
  assert.equal(a.command, 'serve');
  assert.equal(a.dataDir, '/tmp/wh');
  assert.deepEqual(a.settings, { sandboxImage: 'sb:1', infraImage: 'infra:2', ingressHttpPort: 8080, ingressHttpsPort: 8443, nodeCount: 4 });
});

test('bad settings are refused with a plain message', () => {
  assert.throws(() => parseArgs(['serve', '--nodes', '0'], {}), /between 1 and 20/);
  assert.throws(() => parseArgs(['serve', '--ingress-http-port', 'eighty'], {}), /--ingress-http-port must be a port number/);
  assert.throws(() => parseArgs(['serve'], { WHEELHOUSE_INGRESS_HTTPS_PORT: '70000' }), /WHEELHOUSE_INGRESS_HTTPS_PORT/);
  assert.throws(() => parseArgs(['serve', '--sandbox-image'], {}), /needs a value/);
});
