/**
 * The Fabric ledger on a real Fabric network, whenever Fabric's programs are at hand
 * (on PATH or in FABRIC_BIN): each block starts its own network with network/up in a
 * temporary folder and removes it afterwards. Without the programs, one pending test says
 * that these tests were skipped and why.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CertificateAuthority } from '../../ledger-tools/certificate-authority';
import { openFabricLedger } from '../../ledger-tools/fabric-ledger';
import { ledgerComplianceSuite, type LedgerFixture } from '../ledger/suite';
import { contractTests } from './fabric-contract';
import { faultTests, ordererFaultTests } from './fabric-faults';
import { compiledRoot, missingFabricTools, startNetwork, type TestNetwork } from './fabric-network';

const missing = missingFabricTools();
const kvContract = join(compiledRoot(), 'test', 'ledger', 'kv-contract.js');
const zfcContract = join(compiledRoot(), 'chaincode', 'index.js');

/**
 * The compliance suite's fixture on a running network: alice is issued by the producers'
 * CA (as Fabric CA would) with the attribute role=tester; bob is the retailer cryptogen made.
 */
async function complianceFixture(net: TestNetwork): Promise<LedgerFixture> {
  const caDir = join(net.dataDir, 'crypto', 'peerOrganizations', 'producers.zfc.local', 'ca');
  const file = (suffix: string): string => join(caDir, readdirSync(caDir).find((f) => f.endsWith(suffix)) ?? suffix);
  const ca = await CertificateAuthority.fromPem({
    mspId: 'ProducersMSP',
    certificate: readFileSync(file('-cert.pem'), 'utf8'),
    privateKey: readFileSync(file('priv_sk'), 'utf8'),
  });
  const alice = await ca.issue({ commonName: 'alice', organizationalUnit: 'client', attributes: { role: 'tester' } });
  const bob = net.network.participants['retailer'];
  if (!bob) throw new Error('no retailer identity');
  const ledger = await openFabricLedger(net.network.ledgerOptions('kv'));
  return { ledger, alice, bob, cleanup: () => ledger.close() };
}

if (missing.length > 0) {
  describe('Fabric', () => {
    it(`skipped: Fabric's programs (${missing.join(', ')}) are not on PATH or in FABRIC_BIN; see network/README.md`);
  });
} else {
  describe('Fabric ledger on a network with one orderer', function () {
    this.timeout(180_000);
    let net: TestNetwork | undefined;
    const current = (): TestNetwork => {
      if (!net) throw new Error('the network did not start');
      return net;
    };
    before(async () => {
      net = await startNetwork({ chaincodes: { kv: kvContract, zfc: zfcContract }, portBase: 27000 });
    });
    after(async () => net?.down());

    ledgerComplianceSuite({ name: 'fabric', factory: () => complianceFixture(current()), timeoutMs: 60_000 });
    describe('faults', () => faultTests(current));
    describe('the contract', () => contractTests(current));
  });

  describe('Fabric ledger on a network with three Raft orderers', function () {
    this.timeout(180_000);
    let net: TestNetwork | undefined;
    before(async () => {
      net = await startNetwork({ orderers: 3, chaincodes: { kv: kvContract }, portBase: 28000 });
    });
    after(async () => net?.down());

    ordererFaultTests(() => {
      if (!net) throw new Error('the network did not start');
      return net;
    });
  });
}
