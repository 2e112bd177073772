// Lifeguard's local health score: failed probes and refutations raise it, successful probes lower
// it, and timeouts stretch by (score + 1) so a slow or overloaded node accuses others less eagerly.

export class Awareness {
  private score = 0;

  /** max is AwarenessMaxMultiplier; the score stays within [0, max - 1]. */
  constructor(private readonly max: number) {}

  applyDelta(delta: number): void {
    this.score = Math.min(Math.max(this.score + delta, 0), Math.max(this.max - 1, 0));
  }

  getHealthScore(): number {
    return this.score;
  }

  scaleTimeout(ms: number): number {
    return ms * (this.score + 1);
  }
}
