// Delivers GatewayEvents to observing plugins synchronously and without awaiting: an observer's
// `observe` must only enqueue its work (batched writers do the I/O later). A throwing observer is
// logged and never affects the request. Callers check `active` before building an event, so a
// gateway without observers allocates nothing for them.
import type { GatewayEvent, Plugin } from '../plugin.js';
import type { Logger } from '../ports.js';

export class EventBus {
  private readonly observers: Plugin[];
  readonly active: boolean;

  constructor(plugins: readonly Plugin[], private readonly logger: Logger) {
    this.observers = plugins.filter((p) => typeof p.observe === 'function');
    this.active = this.observers.length > 0;
  }

  emit(event: GatewayEvent): void {
    for (const observer of this.observers) {
      try {
        observer.observe!(event);
      } catch (error) {
        this.logger.warn({ plugin: observer.name, event: event.type, err: error }, 'plugin observer threw');
      }
    }
  }
}
