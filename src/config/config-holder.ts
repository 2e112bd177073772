// The live configuration: implements the engine's ConfigSource. A snapshot is swapped atomically
// (one reference assignment), so a request that took a snapshot keeps seeing it whole while admin
// edits (storage engineer: `replace`) publish the next one to subscribers.
import type { ConfigSource } from '../core/index.js';
import { deepFreeze, type BifrostConfig } from './load.js';

export type ConfigListener = (config: Readonly<BifrostConfig>) => void;

export class ConfigHolder implements ConfigSource {
  #current: Readonly<BifrostConfig>;
  readonly #listeners = new Set<ConfigListener>();

  constructor(initial: Readonly<BifrostConfig>) {
    this.#current = deepFreeze(initial);
  }

  current(): Readonly<BifrostConfig> {
    return this.#current;
  }

  subscribe(listener: ConfigListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Makes `next` current (frozen), then notifies subscribers; a throwing listener does not stop the others. */
  replace(next: Readonly<BifrostConfig>): void {
    this.#current = deepFreeze(next);
    const errors: unknown[] = [];
    for (const listener of [...this.#listeners]) {
      try {
        listener(this.#current);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'config subscriber failed');
  }
}
