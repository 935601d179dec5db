/** The engine's certificates (engine/config/x509.ts, pki.ts): parsed, verified and used for TLS by Node and OpenSSL. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { issueCertificate, oid, subjectOf, tlv } from '../../engine/config/x509.ts';
import { ensurePki } from '../../engine/config/pki.ts';

const HOUR = 3600_000;

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A TLS handshake to `host` trusting only `ca`; resolves with the authorization error, if any. */
async function handshake(pki: { caCert: string; serverCert: string; serverKey: string }, host: string, servername?: string): Promise<string | undefined> {
  const server = createServer({ key: pki.serverKey, cert: pki.serverCert }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, host === '::1' ? '::1' : '127.0.0.1', () => r()));
  try {
    return await new Promise((resolve, reject) => {
      const s = connect({ host, port: (server.address() as AddressInfo).port, ca: pki.caCert, servername, rejectUnauthorized: false }, () => {
        const err = s.authorizationError ? String(s.authorizationError) : undefined;
        s.destroy();
        resolve(err);
      });
      s.on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('x509', () => {
  it('encodes DER lengths, OIDs and long content as DER requires', () => {
    assert.equal(oid('1.2.840.10045.4.3.2').toString('hex'), '06082a8648ce3d040302');
    assert.equal(oid('2.5.29.17').toString('hex'), '0603551d11');
    assert.equal(tlv(0x04, Buffer.alloc(0x7f)).subarray(0, 2).toString('hex'), '047f');
    assert.equal(tlv(0x04, Buffer.alloc(0x80)).subarray(0, 3).toString('hex'), '048180');
    assert.equal(tlv(0x04, Buffer.alloc(0x1234)).subarray(0, 4).toString('hex'), '04821234');
  });

  it('issues a CA and a server certificate that Node verifies, with the names, usages and dates asked for', () => {
    const caKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const now = Date.now();
    const caCert = issueCertificate({ subject: { commonName: 'test-ca', organizationName: 'Org' }, publicKey: caKeys.publicKey, signerKey: caKeys.privateKey, ca: true, notBefore: new Date(now - HOUR), notAfter: new Date(now + 10 * 365 * 24 * HOUR) });
    const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    // A far expiry exercises GeneralizedTime (2050 and later).
    const cert = issueCertificate({ subject: { commonName: 'srv' }, publicKey: keys.publicKey, signerKey: caKeys.privateKey, issuerCert: caCert, ca: false, notBefore: new Date(now - HOUR), notAfter: new Date(Date.UTC(2061, 0, 2)), altNames: ['127.0.0.1', '::1', 'localhost'] });
    const ca = new X509Certificate(caCert);
    const c = new X509Certificate(cert);
    assert.equal(ca.ca, true);
    assert.equal(ca.subject, 'CN=test-ca\nO=Org');
    assert.ok(ca.verify(ca.publicKey), 'the CA is self-signed');
    assert.equal(c.ca, false);
    assert.equal(c.issuer, 'CN=test-ca\nO=Org');
    assert.ok(c.verify(ca.publicKey));
    assert.ok(c.checkIssued(ca));
    assert.equal(c.subjectAltName, 'IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost');
    assert.deepEqual(c.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.equal(Date.parse(c.validTo), Date.UTC(2061, 0, 2));
    assert.ok(Math.abs(Date.parse(c.validFrom) - (now - HOUR)) < 1000);
    assert.match(c.serialNumber, /^[0-9A-F]{32}$/);
    // The issued certificate names its issuer's key: the CA's SubjectKeyIdentifier.
    assert.equal(subjectOf(caCert).keyId?.length, 20);
    assert.notEqual(issueCertificate({ subject: { commonName: 'srv' }, publicKey: keys.publicKey, signerKey: caKeys.privateKey, issuerCert: caCert, ca: false, notBefore: new Date(), notAfter: new Date(now + HOUR) }), cert, 'serials differ');
  });

  it('signs with an RSA CA (older installs); refuses key types it cannot sign with', () => {
    const caKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const caCert = issueCertificate({ subject: { commonName: 'rsa-ca' }, publicKey: caKeys.publicKey, signerKey: caKeys.privateKey, ca: true, notBefore: new Date(), notAfter: new Date(Date.now() + HOUR) });
    const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cert = new X509Certificate(issueCertificate({ subject: { commonName: 's' }, publicKey: keys.publicKey, signerKey: caKeys.privateKey, issuerCert: caCert, ca: false, notBefore: new Date(), notAfter: new Date(Date.now() + HOUR), altNames: ['localhost'] }));
    assert.ok(cert.verify(new X509Certificate(caCert).publicKey));
    assert.throws(() => issueCertificate({ subject: { commonName: 'x' }, publicKey: keys.publicKey, signerKey: generateKeyPairSync('ed25519').privateKey, ca: true, notBefore: new Date(), notAfter: new Date() }), /cannot sign with a ed25519 key/);
  });

  it('ensurePki: TLS to 127.0.0.1, ::1 and localhost verifies against the CA; files 0600; reused, and renewed under the same CA', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wh-pki-'));
    try {
      const pki = await ensurePki(dir);
      assert.equal(await handshake(pki, '127.0.0.1'), undefined);
      assert.equal(await handshake(pki, '127.0.0.1', 'localhost'), undefined);
      assert.equal(await handshake(pki, '::1').catch(() => undefined), undefined);
      assert.match(String(await handshake(pki, '127.0.0.1', 'example.com')), /ERR_TLS_CERT_ALTNAME_INVALID|Hostname\/IP does not match/);
      const other = await ensurePki(join(dir, 'other'));
      assert.equal(await handshake({ ...pki, caCert: other.caCert }, '127.0.0.1'), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'another install\'s CA does not verify it');
      for (const f of ['ca.key', 'ca.crt', 'server.key', 'server.crt']) assert.equal((await stat(join(dir, 'pki', f))).mode & 0o777, 0o600, f);
      assert.deepEqual(await ensurePki(dir), pki, 'reused as it is');
      await unlink(join(dir, 'pki', 'server.crt'));
      const renewed = await ensurePki(dir);
      assert.equal(renewed.caCert, pki.caCert);
      assert.notEqual(renewed.serverCert, pki.serverCert);
      assert.equal(await handshake(renewed, '127.0.0.1'), undefined);
      if (hasOpenssl()) {
        // OpenSSL's strict mode (Python 3.13's default) wants key identifiers and well-formed extensions.
        await writeFile(join(dir, 'srv.pem'), renewed.serverCert);
        const out = execFileSync('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', join(dir, 'pki', 'ca.crt'), join(dir, 'srv.pem')]).toString();
        assert.match(out, /OK/);
      }
      assert.match(await readFile(join(dir, 'pki', 'server.key'), 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
