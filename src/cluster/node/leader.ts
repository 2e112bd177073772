// Deterministic leader election, as Bifrost does it: no votes and no messages — every node applies
// the same rule to the membership it sees, so nodes that see the same members agree. The leader is
// the first eligible member by name (byte order, as Go compares strings); each region's leader is
// the first eligible member of that region. Eligible means a gateway replica (not a plain
// memberlist peer) that is alive and settled (success_threshold).

export interface Candidate {
  name: string;
  region: string;
  eligible: boolean;
}

export interface Leaders {
  leader: string | undefined;
  /** region → leader of that region. */
  regional: Record<string, string>;
}

export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function electLeaders(members: Iterable<Candidate>): Leaders {
  let leader: string | undefined;
  const regional: Record<string, string> = {};
  for (const m of members) {
    if (!m.eligible) continue;
    if (leader === undefined || byteOrder(m.name, leader) < 0) leader = m.name;
    const current = regional[m.region];
    if (current === undefined || byteOrder(m.name, current) < 0) regional[m.region] = m.name;
  }
  return { leader, regional };
}

export function sameLeaders(a: Leaders, b: Leaders): boolean {
  if (a.leader !== b.leader) return false;
  const ka = Object.keys(a.regional);
  return ka.length === Object.keys(b.regional).length && ka.every((k) => a.regional[k] === b.regional[k]);
}
