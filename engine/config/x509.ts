/**
 * Just enough X.509 (RFC 5280) to issue the engine's own certificates with Node's crypto: a DER writer for
 * the TBSCertificate, signing with `crypto.sign`, and a DER reader that pulls an issuer's subject name and
 * key identifier out of its certificate. Keys may be ECDSA P-256 (what new installs get: generated in
 * about a millisecond) or RSA (what older installs' CAs hold); the signature algorithm follows the signer.
 *
 * Contract: `issueCertificate` returns a PEM certificate that Node's X509Certificate, Go's crypto/x509
 * (kubectl) and OpenSSL's strict mode accept: v3, positive 16-byte serial, UTCTime before 2050 and
 * GeneralizedTime after, SubjectKeyIdentifier on every certificate and AuthorityKeyIdentifier on issued ones.
 */
import { createHash, createPublicKey, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

// --- DER writing -----------------------------------------------------------------------------------------

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV: tag byte, DER length, content. */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const seq = (...items: Buffer[]): Buffer => tlv(0x30, ...items);
const set = (...items: Buffer[]): Buffer => tlv(0x31, ...items);
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bits = (b: Buffer): Buffer => tlv(0x03, Buffer.from([0]), b);
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const NULL = Buffer.from([0x05, 0x00]);

/** A non-negative INTEGER from big-endian bytes (a leading 0 added when the top bit is set). */
function uint(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return tlv(0x02, v[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

const OID = {
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
} as const;

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

/** KeyUsage bits, RFC 5280 4.2.1.3 (bit 0 is the most significant bit of the first byte). */
const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

function keyUsage(uses: (keyof typeof KEY_USAGE)[]): Buffer {
  let v = 0;
  for (const u of uses) v |= 0x80 >> KEY_USAGE[u];
  // DER: the unused trailing zero bits are counted in the first content byte.
  let unused = 0;
  while (unused < 7 && !(v & (1 << unused))) unused++;
  return tlv(0x03, Buffer.from([unused, v]));
}

function generalName(name: string): Buffer {
  const family = isIP(name);
  if (family === 4) return tlv(0x87, Buffer.from(name.split('.').map(Number)));
  if (family === 6) return tlv(0x87, ipv6Bytes(name));
  return tlv(0x82, Buffer.from(name, 'ascii'));
}

function ipv6Bytes(ip: string): Buffer {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return out;
}

// --- DER reading -----------------------------------------------------------------------------------------

interface Node {
  tag: number;
  /** The whole TLV. */
  raw: Buffer;
  content: Buffer;
}

function read(buf: Buffer, at: number): Node {
  const tag = buf[at]!;
  let len = buf[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('x509: unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
    start += n;
  }
  if (start + len > buf.length) throw new Error('x509: truncated DER');
  return { tag, raw: buf.subarray(at, start + len), content: buf.subarray(start, start + len) };
}

function children(n: Node): Node[] {
  const out: Node[] = [];
  for (let at = 0; at < n.content.length; ) {
    const c = read(n.content, at);
    out.push(c);
    at += c.raw.length;
  }
  return out;
}

/** The subject Name (DER, to copy verbatim as an issued certificate's issuer) and SubjectKeyIdentifier of a certificate. */
export function subjectOf(certPem: string): { name: Buffer; keyId: Buffer | undefined } {
  const der = new X509Certificate(certPem).raw;
  const tbs = children(read(der, 0))[0]!;
  const fields = children(tbs);
  const off = fields[0]!.tag === 0xa0 ? 1 : 0; // [0] version is optional
  const name = fields[off + 4]!.raw;
  let keyId: Buffer | undefined;
  const exts = fields.find((f) => f.tag === 0xa3);
  if (exts) {
    for (const e of children(children(exts)[0]!)) {
      const [id, ...rest] = children(e);
      if (id!.raw.equals(oid(OID.subjectKeyIdentifier))) keyId = read(rest[rest.length - 1]!.content, 0).content;
    }
  }
  return { name, keyId };
}

// --- Certificates ----------------------------------------------------------------------------------------

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bytes. */
function keyIdentifier(key: KeyObject): Buffer {
  const spki = key.export({ type: 'spki', format: 'der' });
  const bitString = children(read(spki, 0))[1]!;
  return createHash('sha1').update(bitString.content.subarray(1)).digest();
}

function signatureAlgorithm(signer: KeyObject): Buffer {
  if (signer.asymmetricKeyType === 'ec') return seq(oid(OID.ecdsaWithSHA256));
  if (signer.asymmetricKeyType === 'rsa') return seq(oid(OID.sha256WithRSAEncryption), NULL);
  throw new Error(`x509: cannot sign with a ${signer.asymmetricKeyType} key`);
}

export interface CertificateRequest {
  subject: { commonName: string; organizationName?: string };
  publicKey: KeyObject;
  /** The issuer's private key; for a self-signed CA, the private half of publicKey. */
  signerKey: KeyObject;
  /** The issuer's certificate; absent for a self-signed certificate. */
  issuerCert?: string;
  ca: boolean;
  notBefore: Date;
  notAfter: Date;
  /** Subject alternative names: IP addresses and DNS names (server certificates). */
  altNames?: string[];
}

export function issueCertificate(req: CertificateRequest): string {
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  serial[0]! |= 0x01; // never a leading zero byte: 16 significant bytes
  const subject = seq(
    set(seq(oid(OID.commonName), utf8(req.subject.commonName))),
    ...(req.subject.organizationName ? [set(seq(oid(OID.organizationName), utf8(req.subject.organizationName)))] : []),
  );
  const issuer = req.issuerCert ? subjectOf(req.issuerCert) : { name: subject, keyId: keyIdentifier(req.publicKey) };
  const authorityKeyId = issuer.keyId ?? keyIdentifier(createPublicKey(req.signerKey));
  const extensions = req.ca
    ? [
        extension(OID.basicConstraints, true, seq(bool(true))),
        extension(OID.keyUsage, true, keyUsage(['digitalSignature', 'keyCertSign', 'cRLSign'])),
        extension(OID.subjectKeyIdentifier, false, octets(keyIdentifier(req.publicKey))),
      ]
    : [
        extension(OID.basicConstraints, true, seq()),
        // ECDSA keys sign (ECDHE); RSA keys may also be used for key transport.
        extension(OID.keyUsage, true, keyUsage(req.publicKey.asymmetricKeyType === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'])),
        extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
        ...(req.altNames?.length ? [extension(OID.subjectAltName, false, seq(...req.altNames.map(generalName)))] : []),
        extension(OID.subjectKeyIdentifier, false, octets(keyIdentifier(req.publicKey))),
      ];
  if (req.issuerCert || !req.ca) extensions.push(extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, authorityKeyId))));
  const algorithm = signatureAlgorithm(req.signerKey);
  const tbs = seq(
    tlv(0xa0, uint(Buffer.from([2]))),
    uint(serial),
    algorithm,
    issuer.name,
    seq(time(req.notBefore), time(req.notAfter)),
    subject,
    req.publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, req.signerKey);
  const der = seq(tbs, algorithm, bits(signature));
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`;
}
