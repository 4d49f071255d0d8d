/**
 * The embedded host's serializer gives a contract exactly the parameters fabric-contract-api's
 * JSONSerializer gives (and refuses exactly what it refuses), through fabric-shim's own data
 * marshall, for string parameters of any text and for every other kind of schema.
 */
import { expect } from 'chai';
import { JSONSerializer } from 'fabric-contract-api';
import { HostSerializer } from '../../ledger-tools/chaincode-host';
import { decodeArgument, EmbeddedStub, type Proposal } from '../../ledger-tools/embedded-stub';
import type { StateReader } from '../../ledger-tools/state-reader';
import { pick, seededRandom } from '../seeded-random';

interface Marshall {
  handleParameters(fn: unknown, parameters: Buffer[], loggerPrefix: string): unknown[];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- fabric-shim's contract SPI has no typed entry point
const DataMarshall = require('fabric-shim/lib/contract-spi/datamarshall.js') as new (requested: string, serializers: Record<string, unknown>, components: Record<string, unknown>) => Marshall;

const SCHEMAS: readonly Record<string, unknown>[] = [
  { type: 'string' },
  { type: 'number' },
  { type: 'boolean' },
  { type: 'string', maxLength: 3 },
  { type: 'array', items: { type: 'string' } },
  { $ref: '#/components/schemas/Thing' },
];

const TEXTS = ['', 'a', '12', 'true', 'false', ' TRUE ', '1e3', 'NaN', '"q"', '["x","y"]', '[1]', '{"a":1}', '{', 'Zé', '😀', '\ud800', '\u0000', 'abcd'];

function outcome(marshall: Marshall, schema: Record<string, unknown>, args: Buffer[]): unknown {
  const fn = { name: 'F', parameters: args.map((_, i) => ({ name: `p${i}`, schema: { ...schema } })) };
  try {
    return { params: marshall.handleParameters(fn, args, '[c-t]') };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

describe('Chaincode host serializer', () => {
  it('marshals every parameter as JSONSerializer does, for generated text under each kind of schema', () => {
    const components = { Thing: { $id: 'Thing', type: 'object', properties: { a: { type: 'number' } } } };
    const ours = new DataMarshall('json', { json: HostSerializer }, components);
    const theirs = new DataMarshall('json', { json: JSONSerializer }, components);
    const rnd = seededRandom(7);
    for (let round = 0; round < 600; round++) {
      const schema = pick(rnd, SCHEMAS);
      const args = Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => {
        let text = '';
        for (let i = Math.floor(rnd() * 3); i >= 0; i--) text += pick(rnd, TEXTS);
        return rnd() < 0.1 ? Buffer.from([0xff, 0xc3]) : Buffer.from(text, 'utf8');
      });
      expect(outcome(ours, schema, args), `${JSON.stringify(schema)} ${JSON.stringify(args.map(String))}`).to.deep.equal(outcome(theirs, schema, args));
    }
  });

  it('decodes a stub argument to the text it was made from, exactly as Buffer#toString does, lone surrogates included', () => {
    const rnd = seededRandom(11);
    for (let round = 0; round < 500; round++) {
      const args = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
        let text = '';
        for (let i = Math.floor(rnd() * 5); i > 0; i--) text += pick(rnd, [...TEXTS, '\udc00', 'x\ud83d', '\ud83d\ude00']);
        return text;
      });
      const proposal = { txId: 't', nonce: Buffer.alloc(32), channelId: 'c', fn: 'F', args, mspId: 'M', certificate: 'C', timestamp: new Date(0), transient: new Map() } as Proposal;
      const buffers = new EmbeddedStub(proposal, {} as StateReader).getBufferArgs();
      for (const bytes of buffers) expect(decodeArgument(bytes)).to.equal(bytes.toString('utf8'));
      for (const bytes of buffers) expect(decodeArgument(Buffer.from(bytes))).to.equal(bytes.toString('utf8')); // not a stub's buffer
    }
  });
});
