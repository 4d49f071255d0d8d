/**
 * Where the gateway may call out to: subscription callbacks go to the public internet, never to
 * the gateway's own machine or network (loopback, private, link-local, carrier-grade NAT,
 * documentation, multicast and reserved ranges), unless the operator names a host
 * (EPCIS_HTTP_CALLBACK_HOSTS). A participant could otherwise subscribe
 * `https://10.0.0.5/admin/...` and have the gateway POST signed bodies inside its network. The
 * check is made twice: on the URL when a subscription is made (an IP literal, `localhost`), and
 * on every address a host name resolves to when a delivery connects ({@link publicLookup}: the
 * address checked is the one connected to, so a name that resolves to a public address when
 * subscribed and to a private one later is refused then).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

const NOT_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24],
  ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NOT_PUBLIC.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], ['::1', 128], ['64:ff9b:1::', 48], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) NOT_PUBLIC.addSubnet(net, bits, 'ipv6');

/** The IPv4 address an IPv4-mapped or NAT64 IPv6 address carries, if any. */
function embeddedIpv4(address: string): string | undefined {
  const mapped = /^(?:::ffff:|64:ff9b::)(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1];
  if (mapped) return mapped;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const [hi, lo] = [parseInt(hex[1] as string, 16), parseInt(hex[2] as string, 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** True for an IP address on the public internet (false for anything that is not an IP address). */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return false;
  if (family === 6) {
    const v4 = embeddedIpv4(bare);
    if (v4 !== undefined) return isPublicAddress(v4);
    return !NOT_PUBLIC.check(bare, 'ipv6');
  }
  return !NOT_PUBLIC.check(bare, 'ipv4');
}

/** Host names that name this machine whatever DNS says. */
const LOCAL_NAME = /^(?:localhost|localhost\.localdomain)\.?$|\.localhost\.?$/i;

/**
 * Whether a callback URL's host may be called: a host the operator allows (`allowed`), or a
 * name that is not this machine's, or a public IP address.
 */
export function isPublicHost(hostname: string, allowed: ReadonlySet<string> = new Set()): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (allowed.has(host)) return true;
  if (isIP(host) !== 0) return isPublicAddress(host);
  return !LOCAL_NAME.test(host);
}

/** A `lookup` for http(s).request (Node's own signature, `all` or not). */
export type Lookup = (hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => void;

/**
 * A DNS lookup that refuses a name resolving to any address that is not public, unless the name
 * is one the operator allows: given to the request that makes a delivery, so the address checked
 * is the address connected to.
 */
export function publicLookup(allowed: ReadonlySet<string> = new Set()): Lookup {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      if (!allowed.has(hostname.toLowerCase()) && (list.length === 0 || list.some((a) => !isPublicAddress(a.address)))) {
        const refused = Object.assign(new Error(`${hostname} resolves to an address that is not public`), { code: 'ENOTPUBLIC' }) as NodeJS.ErrnoException;
        return callback(refused, []);
      }
      if (options.all) return callback(null, list);
      const first = list[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}
