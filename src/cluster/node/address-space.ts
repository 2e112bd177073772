// `allowed_address_space`: the CIDRs gossip may come from and go to. Empty means everywhere. IPv4
// addresses seen through a dual-stack socket (::ffff:10.0.0.1) are matched as IPv4.
import { BlockList, isIP } from 'node:net';

export type AddressFilter = (host: string) => boolean;

export function addressFilter(cidrs: readonly string[]): AddressFilter | undefined {
  if (cidrs.length === 0) return undefined;
  const list = new BlockList();
  for (const c of cidrs) {
    const [ip = '', bits = ''] = c.split('/');
    const family = isIP(ip);
    if (family === 0) throw new Error(`allowed_address_space: not a CIDR: ${c}`);
    list.addSubnet(ip, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
  }
  return (host) => {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
    const ip = mapped ? mapped[1]! : host;
    const family = isIP(ip);
    return family !== 0 && list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
  };
}
