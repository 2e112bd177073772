// Delivers GatewayEvents to observing plugins synchronously and without awaiting: an observer's
// `observe` must only enqueue its work (batched writers do the I/O later). A throwing observer is
// logged and never affects the request. Observers subscribe per event type (`Plugin.observes`),
// and callers check `wants(type)` before building an event, so an event nobody reads — a
// per-chunk event when only request ends are observed — is never allocated.
import type { GatewayEvent, Plugin } from '../plugin.js';
import type { Logger } from '../ports.js';

type EventType = GatewayEvent['type'];
const EVENT_TYPES: readonly EventType[] = ['request.start', 'upstream.attempt', 'stream.chunk', 'request.end'];

export class EventBus {
  private readonly byType = new Map<EventType, Plugin[]>();

  constructor(plugins: readonly Plugin[], private readonly logger: Logger) {
    for (const type of EVENT_TYPES) {
      const observers = plugins.filter((p) => typeof p.observe === 'function' && (p.observes === undefined || p.observes.includes(type)));
      if (observers.length > 0) this.byType.set(type, observers);
    }
  }

  wants(type: EventType): boolean {
    return this.byType.has(type);
  }

  emit(event: GatewayEvent): void {
    const observers = this.byType.get(event.type);
    if (!observers) return;
    for (const observer of observers) {
      try {
        observer.observe!(event);
      } catch (error) {
        this.logger.warn({ plugin: observer.name, event: event.type, err: error }, 'plugin observer threw');
      }
    }
  }
}
