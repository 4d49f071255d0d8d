/**
 * A small X.509 certificate authority for tests, the demo and the tools: ECDSA P-256
 * certificates shaped like Fabric CA's, so that `ctx.clientIdentity` in the chaincode sees an
 * MSP ID, an `x509::subject::issuer` ID and attributes (Fabric CA's attribute extension,
 * OID 1.2.3.4.5.6.7.8.1, JSON `{"attrs":{…}}`), exactly as on a Fabric network.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import type { Identity } from './ledger';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** Fabric CA's attribute extension. */
export const FABRIC_ATTRIBUTE_OID = '1.2.3.4.5.6.7.8.1';
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

/** What to put in an issued certificate. */
export interface IssueRequest {
  readonly commonName: string;
  /** Fabric's node OU: 'admin', 'client', 'peer', 'orderer'… */
  readonly organizationalUnit?: string;
  /** Attributes the chaincode reads with `ctx.clientIdentity.getAttributeValue(name)`. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** A CA's certificate and private key, PEM, as saved on disk. */
export interface CertificateAuthorityPem {
  readonly mspId: string;
  readonly certificate: string;
  readonly privateKey: string;
}

/**
 * A certificate authority for one MSP.
 *
 * @example
 * const ca = await createCertificateAuthority('Org1MSP');
 * const alice = await ca.issue({ commonName: 'alice', organizationalUnit: 'client', attributes: { role: 'producer' } });
 * await ledger.submit('Put', ['k', 'v'], alice);
 */
export class CertificateAuthority {
  private constructor(
    readonly mspId: string,
    private readonly cert: x509.X509Certificate,
    private readonly keys: CryptoKeyPair,
  ) {}

  /** Creates a CA with a fresh self-signed root certificate. */
  static async create(mspId: string): Promise<CertificateAuthority> {
    checkMspId(mspId);
    const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
    const notBefore = new Date(Date.now() - 60_000);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serialNumber(),
      name: `CN=ca.${mspId.toLowerCase()}, O=${mspId}`,
      notBefore,
      notAfter: new Date(notBefore.getTime() + TEN_YEARS_MS),
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return new CertificateAuthority(mspId, cert, keys);
  }

  /** Loads a CA saved with {@link CertificateAuthority.toPem}. */
  static async fromPem(saved: CertificateAuthorityPem): Promise<CertificateAuthority> {
    checkMspId(saved.mspId);
    const cert = new x509.X509Certificate(saved.certificate);
    const privateKey = await importPrivateKey(saved.privateKey);
    return new CertificateAuthority(saved.mspId, cert, { privateKey, publicKey: await cert.publicKey.export() });
  }

  /** The CA's own certificate, PEM. */
  get certificate(): string {
    return this.cert.toString('pem');
  }

  /** The CA's certificate and key, PEM, to save and load again with {@link CertificateAuthority.fromPem}. */
  async toPem(): Promise<CertificateAuthorityPem> {
    return { mspId: this.mspId, certificate: this.certificate, privateKey: await exportPrivateKey(this.keys.privateKey) };
  }

  /** Issues an identity: a fresh key pair and a certificate signed by this CA. */
  async issue(request: IssueRequest): Promise<Identity> {
    const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
    const notBefore = new Date(Date.now() - 60_000);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: subjectName(request, this.mspId),
      issuer: this.cert.subject,
      notBefore,
      notAfter: new Date(notBefore.getTime() + TEN_YEARS_MS),
      publicKey: keys.publicKey,
      signingKey: this.keys.privateKey,
      signingAlgorithm: ALGORITHM,
      extensions: leafExtensions(request),
    });
    return { mspId: this.mspId, certificate: cert.toString('pem'), privateKey: await exportPrivateKey(keys.privateKey) };
  }
}

/** Creates a certificate authority for `mspId`. See {@link CertificateAuthority}. */
export function createCertificateAuthority(mspId: string): Promise<CertificateAuthority> {
  return CertificateAuthority.create(mspId);
}

function checkMspId(mspId: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(mspId)) throw new TypeError(`invalid MSP ID: ${JSON.stringify(mspId)}`);
}

function subjectName(request: IssueRequest, mspId: string): string {
  const parts = [`CN=${escapeDn(request.commonName)}`];
  if (request.organizationalUnit) parts.push(`OU=${escapeDn(request.organizationalUnit)}`);
  parts.push(`O=${mspId}`);
  return parts.join(', ');
}

function escapeDn(value: string): string {
  if (value.length === 0) throw new TypeError('a certificate name part must not be empty');
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}

function leafExtensions(request: IssueRequest): x509.Extension[] {
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
  ];
  if (request.attributes && Object.keys(request.attributes).length > 0) {
    const json = JSON.stringify({ attrs: request.attributes });
    extensions.push(new x509.Extension(FABRIC_ATTRIBUTE_OID, false, Buffer.from(json, 'utf8')));
  }
  return extensions;
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // a positive INTEGER
  return bytes.toString('hex');
}

async function exportPrivateKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const body = pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, '');
  return webcrypto.subtle.importKey('pkcs8', Buffer.from(body, 'base64'), ALGORITHM, true, ['sign']);
}
