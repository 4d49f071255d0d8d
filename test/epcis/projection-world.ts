/**
 * What the projection tests stand on: an embedded ledger in a temporary folder with the `epcis`
 * contract, one participant (P-A, a distributor) acting as `alice`, and a ProjectedEventStore
 * following the ledger; closed and removed together.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EpcisContract } from '../../chaincode/epcis-contract';
import { ProjectedEventStore, type ProjectionOptions } from '../../gateway-api/epcis-projection';
import { createCertificateAuthority, openEmbeddedLedger, type EmbeddedLedger, type Identity } from '../../ledger-tools';
import { SeedContract } from './seed-contract';

export interface ProjectionWorld {
  readonly dir: string;
  readonly ledger: EmbeddedLedger;
  readonly alice: Identity;
  readonly store: ProjectedEventStore;
  /** Closes the store and the ledger and removes the folder. */
  close(): Promise<void>;
}

/**
 * Opens a world; `name` names its temporary folder, `options` the store's; `clock`, when given, is the ledger's (transaction timestamps: captured events' recordTime).
 */
export async function openProjectionWorld(name: string, options: ProjectionOptions = {}, clock?: () => Date): Promise<ProjectionWorld> {
  const dir = await mkdtemp(join(tmpdir(), `zfc-epcis-${name}-`));
  const ledger = await openEmbeddedLedger({ dir, contracts: [EpcisContract, SeedContract], ...(clock ? { clock } : {}) });
  const alice = await (await createCertificateAuthority('Org1MSP')).issue({ commonName: 'alice', organizationalUnit: 'client' });
  await ledger.submit('seed:Participant', [JSON.stringify({ id: 'P-A', name: 'A', role: 'distributor', status: 'active', identities: [] })], alice);
  const store = await ProjectedEventStore.open(ledger, options);
  return {
    dir,
    ledger,
    alice,
    store,
    close: async () => {
      await store.close();
      await ledger.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
