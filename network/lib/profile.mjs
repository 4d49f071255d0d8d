// Writes what clients need to use the network, from the crypto material in DATA:
//   DATA/connection-profile.json  channel, chaincodes, organisations, peers (127.0.0.1
//                                 endpoints with their TLS roots), orderers
//   DATA/identities/<name>.json   one per demo participant: { name, role, mspId,
//                                 certificate, privateKey, peerEndpoint, tlsRootCert }
// The identity files have the shape of the Ledger port's Identity, so a client can pass
// one as it is. Usage: node profile.mjs DATA CHANNEL PORT_BASE ORDERERS CHAINCODE...
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [data, channel, portBase, orderers, ...chaincodes] = process.argv.slice(2);
const base = Number(portBase);

const ORGS = [
  { org: 'regulator', mspId: 'RegulatorMSP', port: base + 151 },
  { org: 'producers', mspId: 'ProducersMSP', port: base + 251 },
  { org: 'trade', mspId: 'TradeMSP', port: base + 351 },
];

// Demo participants and the cryptogen user that each one acts as; regulator-admin is the
// regulator organisation's admin (OU=admin), the identity that initialises the contract.
const PARTICIPANTS = [
  { name: 'regulator-admin', role: 'admin', org: 'regulator', user: 'Admin' },
  { name: 'regulator', role: 'regulator', org: 'regulator', user: 'User1' },
  { name: 'inspector', role: 'regulator', org: 'regulator', user: 'User2' },
  { name: 'farm', role: 'producer', org: 'producers', user: 'User1' },
  { name: 'processor', role: 'processor', org: 'producers', user: 'User2' },
  { name: 'lab', role: 'lab', org: 'producers', user: 'User3' },
  { name: 'distributor', role: 'distributor', org: 'trade', user: 'User1' },
  { name: 'retailer', role: 'retailer', org: 'trade', user: 'User2' },
];

const orgDir = (org) => join(data, 'crypto', 'peerOrganizations', `${org}.zfc.local`);
const read = (path) => readFileSync(path, 'utf8');
const onlyFile = (dir) => join(dir, readdirSync(dir)[0]);
const tlsRoot = (org) => read(join(orgDir(org), 'tlsca', `tlsca.${org}.zfc.local-cert.pem`));

const peers = Object.fromEntries(
  ORGS.map(({ org, mspId, port }) => [
    `peer0.${org}.zfc.local`,
    // The certificates name 127.0.0.1 and localhost; TLS clients should check the name
    // (an IP address is not a valid TLS server name).
    { url: `grpcs://127.0.0.1:${port}`, mspId, tlsCACerts: { pem: tlsRoot(org) }, grpcOptions: { 'ssl-target-name-override': 'localhost' } },
  ]),
);
const ordererTls = read(join(data, 'crypto', 'ordererOrganizations', 'orderer.zfc.local', 'tlsca', 'tlsca.orderer.zfc.local-cert.pem'));
const ordererList = Array.from({ length: Number(orderers) }, (_, i) => [
  `orderer${i + 1}.orderer.zfc.local`,
  { url: `grpcs://127.0.0.1:${base + 50 + 10 * i}`, tlsCACerts: { pem: ordererTls }, grpcOptions: { 'ssl-target-name-override': 'localhost' } },
]);

const profile = {
  name: 'zhe-food-chain',
  version: '1.0.0',
  channel,
  chaincodes,
  organizations: Object.fromEntries(ORGS.map(({ org, mspId }) => [mspId, { mspid: mspId, peers: [`peer0.${org}.zfc.local`] }])),
  peers,
  orderers: Object.fromEntries(ordererList),
};
writeFileSync(join(data, 'connection-profile.json'), JSON.stringify(profile, null, 2) + '\n');

mkdirSync(join(data, 'identities'), { recursive: true });
for (const p of PARTICIPANTS) {
  const org = ORGS.find((o) => o.org === p.org);
  const msp = join(orgDir(p.org), 'users', `${p.user}@${p.org}.zfc.local`, 'msp');
  const identity = {
    name: p.name,
    role: p.role,
    mspId: org.mspId,
    certificate: read(onlyFile(join(msp, 'signcerts'))),
    privateKey: read(onlyFile(join(msp, 'keystore'))),
    peerEndpoint: `127.0.0.1:${org.port}`,
    tlsRootCert: tlsRoot(p.org),
  };
  writeFileSync(join(data, 'identities', `${p.name}.json`), JSON.stringify(identity, null, 2) + '\n', { mode: 0o600 });
}
