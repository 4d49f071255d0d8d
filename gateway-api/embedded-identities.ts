/**
 * Identities for an embedded deployment: two certificate authorities kept in the gateway's
 * database — one for the regulator's organisation, one for enterprises — so participants
 * registered through the gateway get a real X.509 identity, as a Fabric CA would issue.
 * The regulator organisation's admin (OU=admin) is the only identity that may run Init.
 */
import { CertificateAuthority } from '../ledger-tools/certificate-authority';
import type { Identity } from '../ledger-tools/ledger';
import type { GatewayStore } from './gateway-store';
import type { IdentityIssuer } from './routes-write';

/** The MSP of regulators in an embedded deployment. */
export const REGULATOR_MSP = 'RegulatorMSP';
/** The MSP of enterprises in an embedded deployment. */
export const ENTERPRISE_MSP = 'EnterpriseMSP';

/** Issues identities from the deployment's CAs. */
export class EmbeddedIssuer implements IdentityIssuer {
  private constructor(
    private readonly regulators: CertificateAuthority,
    private readonly enterprises: CertificateAuthority,
  ) {}

  /** Loads the CAs from the store, creating them on first use. */
  static async open(store: GatewayStore): Promise<EmbeddedIssuer> {
    return new EmbeddedIssuer(await loadCa(store, REGULATOR_MSP), await loadCa(store, ENTERPRISE_MSP));
  }

  /** An identity for a participant: regulators under the regulator MSP, others under the enterprise MSP. */
  issue(participant: string, role: string): Promise<Identity> {
    const ca = role === 'regulator' ? this.regulators : this.enterprises;
    return ca.issue({ commonName: participant, organizationalUnit: 'client', attributes: { 'zfc.role': role } });
  }

  /** An admin of the regulator MSP, for Init. */
  admin(): Promise<Identity> {
    return this.regulators.issue({ commonName: 'admin', organizationalUnit: 'admin' });
  }
}

async function loadCa(store: GatewayStore, mspId: string): Promise<CertificateAuthority> {
  const saved = await store.getCa(mspId);
  if (saved) return CertificateAuthority.fromPem(saved);
  const ca = await CertificateAuthority.create(mspId);
  await store.putCa(await ca.toPem());
  return ca;
}
