/**
 * The per-install PKI: a CA and a server certificate for 127.0.0.1/localhost/::1, generated once per data
 * dir and reused. ECDSA P-256 keys from Node's crypto (about a millisecond, where RSA-2048 took most of a
 * new install's cold start) and certificates written by x509.ts. A CA made by an older install (RSA) stays
 * valid and keeps signing renewed server certificates: nothing the user trusted changes.
 */
import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSecret } from './files.ts';
import { issueCertificate } from './x509.ts';

export interface Pki {
  caCert: string;
  serverCert: string;
  serverKey: string;
}

const HOUR = 60 * 60 * 1000;
const YEAR = 365 * 24 * HOUR;

function ecKeys(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

const pem = (k: KeyObject): string => k.export({ type: 'pkcs8', format: 'pem' }).toString();

function stillGood(certPem: string, caPem: string): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    const expires = Date.parse(cert.validTo);
    return cert.verify(ca.publicKey) && expires - Date.now() > 30 * 24 * 60 * 60 * 1000 && cert.checkIP('127.0.0.1') !== undefined;
  } catch {
    return false;
  }
}

/** Loads the PKI of a data dir, creating (or renewing the server certificate of) it as needed. */
export async function ensurePki(dataDir: string): Promise<Pki> {
  const dir = join(dataDir, 'pki');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const f = (n: string): string => join(dir, n);
  let caCert: string;
  let caKey: string;
  if (existsSync(f('ca.crt')) && existsSync(f('ca.key'))) {
    caCert = await readFile(f('ca.crt'), 'utf8');
    caKey = await readFile(f('ca.key'), 'utf8');
  } else {
    const keys = ecKeys();
    const now = Date.now();
    caCert = issueCertificate({
      subject: { commonName: 'wheelhouse-ca', organizationName: 'Wheelhouse' },
      publicKey: keys.publicKey, signerKey: keys.privateKey, ca: true,
      notBefore: new Date(now - HOUR), notAfter: new Date(now + 10 * YEAR),
    });
    caKey = pem(keys.privateKey);
    await writeSecret(f('ca.key'), caKey);
    await writeSecret(f('ca.crt'), caCert);
  }
  if (existsSync(f('server.crt')) && existsSync(f('server.key'))) {
    const serverCert = await readFile(f('server.crt'), 'utf8');
    const serverKey = await readFile(f('server.key'), 'utf8');
    if (stillGood(serverCert, caCert)) return { caCert, serverCert, serverKey };
  }
  const keys = ecKeys();
  const now = Date.now();
  const serverCert = issueCertificate({
    subject: { commonName: 'wheelhouse-apiserver', organizationName: 'Wheelhouse' },
    publicKey: keys.publicKey, signerKey: createPrivateKey(caKey), issuerCert: caCert, ca: false,
    notBefore: new Date(now - HOUR), notAfter: new Date(now + 2 * YEAR),
    altNames: ['127.0.0.1', '::1', 'localhost'],
  });
  const serverKey = pem(keys.privateKey);
  await writeSecret(f('server.key'), serverKey);
  await writeSecret(f('server.crt'), serverCert);
  return { caCert, serverCert, serverKey };
}
