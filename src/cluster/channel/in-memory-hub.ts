// An in-memory cluster of channels for tests of cluster features: every broadcast is delivered to
// the other connected members synchronously or, with `deferred`, when `flush()` is called, so a
// test can hold messages back the way a slow network would. `partition` cuts members off from each
// other; `antiEntropy()` runs one push/pull round between every pair that can talk, as memberlist's
// periodic push/pull would. `kill`/`leave` remove a member and tell the others.
import type { ClusterChannel, MemberEvent, MemberState, StateProvider } from './channel.js';

interface Member {
  channel: HubChannel;
  state: MemberState;
  group: number;
}

interface Pending {
  from: string;
  to: string;
  topic: string;
  payload: Uint8Array;
}

export class InMemoryHub {
  private readonly members = new Map<string, Member>();
  private readonly pending: Pending[] = [];

  constructor(private readonly options: { deferred?: boolean } = {}) {}

  join(name: string): ClusterChannel {
    if (this.members.get(name)?.state === 'alive') throw new Error(`${name} is already a member`);
    const channel = new HubChannel(name, this);
    this.members.set(name, { channel, state: 'alive', group: 0 });
    this.tell(name, 'alive');
    return channel;
  }

  kill(name: string): void {
    this.setState(name, 'dead');
  }

  leave(name: string): void {
    this.setState(name, 'left');
  }

  /** Members in different groups cannot reach each other; `heal()` puts everyone back in group 0. */
  partition(groups: ReadonlyArray<readonly string[]>): void {
    groups.forEach((names, index) => {
      for (const name of names) this.member(name).group = index + 1;
    });
  }

  heal(): void {
    for (const member of this.members.values()) member.group = 0;
  }

  /** Delivers the messages held back (deferred mode). */
  flush(): void {
    for (const message of this.pending.splice(0)) this.deliver(message);
  }

  /** One push/pull round between every pair of alive members that can reach each other. */
  antiEntropy(): void {
    const alive = [...this.members.values()].filter((m) => m.state === 'alive');
    for (const a of alive) {
      for (const b of alive) {
        if (a === b || !this.reachable(a, b)) continue;
        for (const [topic, provider] of a.channel.providers) b.channel.providers.get(topic)?.merge(a.channel.self, provider.local());
      }
    }
  }

  /** @internal */
  send(from: string, topic: string, payload: Uint8Array): void {
    for (const [to, member] of this.members) {
      if (to === from || member.state !== 'alive') continue;
      const message = { from, to, topic, payload: payload.slice() };
      if (this.options.deferred) this.pending.push(message);
      else this.deliver(message);
    }
  }

  /** @internal */
  aliveFrom(name: string): string[] {
    const self = this.member(name);
    return [...this.members].filter(([, m]) => m.state === 'alive' && this.reachable(self, m)).map(([n]) => n);
  }

  private deliver(message: Pending): void {
    const from = this.members.get(message.from);
    const to = this.members.get(message.to);
    if (!from || !to || to.state !== 'alive' || !this.reachable(from, to)) return;
    to.channel.handle(message.from, message.topic, message.payload);
  }

  private reachable(a: Member, b: Member): boolean {
    return a.group === 0 || b.group === 0 || a.group === b.group;
  }

  private setState(name: string, state: MemberState): void {
    this.member(name).state = state;
    this.tell(name, state);
  }

  private tell(name: string, state: MemberState): void {
    for (const [other, member] of this.members) {
      if (other !== name && member.state === 'alive') member.channel.emit({ node: name, state });
    }
  }

  private member(name: string): Member {
    const member = this.members.get(name);
    if (!member) throw new Error(`no member ${name}`);
    return member;
  }
}

class HubChannel implements ClusterChannel {
  readonly handlers = new Map<string, Set<(from: string, payload: Uint8Array) => void>>();
  readonly providers = new Map<string, StateProvider>();
  private readonly listeners = new Set<(event: MemberEvent) => void>();

  constructor(readonly self: string, private readonly hub: InMemoryHub) {}

  broadcast(topic: string, payload: Uint8Array): void {
    this.hub.send(this.self, topic, payload);
  }

  on(topic: string, handler: (from: string, payload: Uint8Array) => void): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  state(topic: string, provider: StateProvider): () => void {
    this.providers.set(topic, provider);
    return () => this.providers.delete(topic);
  }

  alive(): readonly string[] {
    return this.hub.aliveFrom(this.self);
  }

  onMembership(listener: (event: MemberEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  handle(from: string, topic: string, payload: Uint8Array): void {
    for (const handler of this.handlers.get(topic) ?? []) handler(from, payload);
  }

  emit(event: MemberEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
