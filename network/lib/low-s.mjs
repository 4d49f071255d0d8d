// Exits 1 if any given PEM certificate carries a "high-S" ECDSA P-256 signature.
//
// Why: cryptogen signs with Go's ECDSA, which makes S > n/2 about half the time. A peer
// or orderer built with Go 1.19 refused an MSP whose CA certificate was self-signed that
// way ("certificate signed by unknown authority"), so `network/up` regenerates such an
// organisation. Usage: node low-s.mjs CERT.pem...  (prints the high-S files)
import { readFileSync } from 'node:fs';

// The order of the P-256 group.
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** One DER element at `at`: its tag, the start of its content and the end of the element. */
function element(der, at) {
  const tag = der[at];
  let len = der[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const bytes = len & 0x7f;
    len = 0;
    for (let i = 0; i < bytes; i++) len = len * 256 + der[start + i];
    start += bytes;
  }
  return { tag, start, end: start + len };
}

/** The S of a certificate's ECDSA signature. */
function signatureS(pem) {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const der = Buffer.from(b64, 'base64');
  const cert = element(der, 0);
  const tbs = element(der, cert.start);
  const alg = element(der, tbs.end);
  const bits = element(der, alg.end); // BIT STRING: one byte of unused bits, then SEQ { r, s }
  const sig = element(der, bits.start + 1);
  const r = element(der, sig.start);
  const s = element(der, r.end);
  return BigInt('0x' + der.subarray(s.start, s.end).toString('hex'));
}

let high = 0;
for (const file of process.argv.slice(2)) {
  if (signatureS(readFileSync(file, 'utf8')) > N / 2n) {
    console.log(file);
    high++;
  }
}
process.exit(high > 0 ? 1 : 0);
