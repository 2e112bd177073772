// Counts every input we refuse (malformed, oversized, unauthenticated, wrong label, unknown type),
// per reason, so a hostile or misconfigured peer shows up in stats instead of crashing the node.

export class DropCounters {
  private readonly counts = new Map<string, number>();

  add(reason: string): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }

  get(reason: string): number {
    return this.counts.get(reason) ?? 0;
  }

  total(): number {
    let t = 0;
    for (const v of this.counts.values()) t += v;
    return t;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
