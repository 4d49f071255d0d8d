/**
 * network/lib/low-s.mjs decides which cryptogen CA certificates network/up regenerates (a
 * Go-1.19-built peer refused a CA self-signed with a high-S ECDSA signature). Checked here
 * against certificates made with @peculiar/x509 and their S read independently, without Fabric.
 */
import 'reflect-metadata';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { repoRoot } from './fabric-network';

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** S of a DER ECDSA signature: SEQUENCE { INTEGER r, INTEGER s } (short lengths, as for P-256). */
function sOf(der: Buffer): bigint {
  const rLength = der[3] as number;
  const sAt = 4 + rLength;
  const sLength = der[sAt + 1] as number;
  return BigInt(`0x${der.subarray(sAt + 2, sAt + 2 + sLength).toString('hex')}`);
}

/** A self-signed P-256 certificate and whether its signature's S is above n/2. */
async function selfSigned(): Promise<{ pem: string; high: boolean }> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=ca.test', keys, signingAlgorithm: ALGORITHM });
  // The certificate's signature field: DER, as the certificate carries it.
  return { pem: cert.toString('pem'), high: sOf(Buffer.from(cert.signature)) > N / 2n };
}

function lowS(files: string[]): number {
  try {
    execFileSync(process.execPath, [join(repoRoot(), 'network', 'lib', 'low-s.mjs'), ...files], { stdio: 'pipe' });
    return 0;
  } catch (err) {
    return (err as { status?: number }).status ?? -1;
  }
}

describe('network: the low-S check of cryptogen CA certificates', function () {
  this.timeout(60_000); // a few key pairs, and one node process per check, on a shared machine
  it('accepts low-S certificates and names the high-S ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zfc-low-s-'));
    try {
      const seen = { low: [] as string[], high: [] as string[] };
      for (let i = 0; i < 64 && (seen.low.length < 3 || seen.high.length < 3); i++) {
        const { pem, high } = await selfSigned();
        const file = join(dir, `ca-${i}.pem`);
        writeFileSync(file, pem);
        (high ? seen.high : seen.low).push(file);
      }
      expect(seen.low.length).to.be.at.least(3);
      expect(seen.high.length).to.be.at.least(3);
      expect(lowS(seen.low)).to.equal(0);
      for (const file of seen.high) expect(lowS([file])).to.equal(1);
      expect(lowS([...seen.low, seen.high[0] as string])).to.equal(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
