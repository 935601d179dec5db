/**
 * The per-install PKI: a CA and a server certificate for 127.0.0.1/localhost/::1, generated once per data
 * dir and reused. Keys come from Node's crypto (fast, native to the runtime); certificates are built and
 * signed with node-forge (pure JS, no native add-ons).
 */
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';
import { writeSecret } from './files.ts';

export interface Pki {
  caCert: string;
  serverCert: string;
  serverKey: string;
}

function serial(): string {
  const b = randomBytes(16);
  b[0]! &= 0x7f;
  return b.toString('hex');
}

function rsaKeys(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

function makeCert(opts: {
  subjectCN: string;
  publicKeyPem: string;
  signerKeyPem: string;
  issuer?: forge.pki.Certificate;
  ca: boolean;
  years: number;
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(opts.publicKeyPem);
  cert.serialNumber = serial();
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + opts.years * 365 * 24 * 60 * 60 * 1000);
  const subject = [{ name: 'commonName', value: opts.subjectCN }, { name: 'organizationName', value: 'Wheelhouse' }];
  cert.setSubject(subject);
  cert.setIssuer(opts.issuer ? opts.issuer.subject.attributes : subject);
  const extensions: object[] = opts.ca
    ? [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
        { name: 'subjectKeyIdentifier' },
      ]
    : [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }, { type: 2, value: 'localhost' }] },
      ];
  cert.setExtensions(extensions);
  const signer = forge.pki.privateKeyFromPem(opts.signerKeyPem);
  cert.sign(signer, forge.md.sha256.create());
  return cert;
}

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
    const keys = rsaKeys();
    const ca = makeCert({ subjectCN: 'wheelhouse-ca', publicKeyPem: keys.publicKey, signerKeyPem: keys.privateKey, ca: true, years: 10 });
    caCert = forge.pki.certificateToPem(ca);
    caKey = keys.privateKey;
    await writeSecret(f('ca.key'), caKey);
    await writeSecret(f('ca.crt'), caCert);
  }
  if (existsSync(f('server.crt')) && existsSync(f('server.key'))) {
    const serverCert = await readFile(f('server.crt'), 'utf8');
    const serverKey = await readFile(f('server.key'), 'utf8');
    if (stillGood(serverCert, caCert)) return { caCert, serverCert, serverKey };
  }
  const keys = rsaKeys();
  const issuer = forge.pki.certificateFromPem(caCert);
  const cert = makeCert({ subjectCN: 'wheelhouse-apiserver', publicKeyPem: keys.publicKey, signerKeyPem: caKey, issuer, ca: false, years: 2 });
  const serverCert = forge.pki.certificateToPem(cert);
  await writeSecret(f('server.key'), keys.privateKey);
  await writeSecret(f('server.crt'), serverCert);
  return { caCert, serverCert, serverKey: keys.privateKey };
}
