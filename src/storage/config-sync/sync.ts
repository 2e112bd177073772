// Live config on every replica (issue #21). Replicas sharing one config store learn of each other's
// admin writes three ways, any one of which is enough:
//   1. LISTEN bifrost_config on a dedicated PostgreSQL connection: every write's transaction sends
//      `<section>:<version>:<node>` at commit (see versions.ts). The connection is re-opened with
//      backoff when it is lost, and the versions are checked right after, for notices missed meanwhile.
//   2. A poll of config_versions every `pollIntervalMs`: the safety net when a notice is lost.
//   3. Optionally a ClusterChannel topic: the writer broadcasts the same notice over gossip.
// A section whose stored version is newer than the one its in-memory state reflects is reloaded
// from the store, the way a restart would load it (the config service's snapshot → ConfigHolder,
// providers, live plugins; governance entities, usage counters kept), one reload per section at a
// time. A node never reloads its own writes: its writers already applied them and advanced their
// version (notices carrying its own node name are skipped).
import type { ClusterChannel } from '../../cluster/channel/index.js';
import type { Logger } from '../../core/index.js';
import { silentLogger } from '../../core/index.js';
import type { ConfigService } from '../config-store/service.js';
import type { Database } from '../database.js';
import { nodeIdOf, onLocalWrite, setNodeId, type SyncSectionName } from './local.js';
import { CONFIG_CHANNEL, formatNotice, parseNotice, readVersions } from './versions.js';

/** One synced section of in-memory state. */
export interface SyncTarget {
  readonly section: SyncSectionName;
  /** The stored version the in-memory state reflects (-1: must reload). */
  applied(): number;
  /** Reloads the section from the store; serialized with the section's local writes. */
  reload(): Promise<void>;
}

export type SyncSource = 'notify' | 'poll' | 'channel' | 'reconnect' | 'start' | 'local';

export interface ConfigSyncChange {
  section: SyncSectionName;
  /** The version now applied. */
  version: number;
  /** How this node learned of the write. */
  via: SyncSource;
  /** The writer's node name, when a notice named it. */
  from?: string | undefined;
  /** How long the reload took. */
  reloadMs: number;
}

export interface ConfigSyncOptions {
  /** The config store's database (the one every section is stored in). */
  database: Database;
  /** The config service: providers, keys, plugins, client and auth config. */
  config?: ConfigService;
  /** Governance entities (the governance plugin's `entitySync`). */
  governance?: { applied(): number; reload(): Promise<void> } | undefined;
  /** Further sections. */
  targets?: SyncTarget[];
  /** This node's name in notices (default: a random id per database handle). */
  node?: string;
  /** How often the stored versions are polled (default 2000 ms). */
  pollIntervalMs?: number;
  /** LISTEN for notices (default: on for PostgreSQL; SQLite has none). */
  listen?: boolean;
  /** Backoff of the LISTEN connection's re-opening (default 250 ms doubling to 10 s). */
  reconnect?: { initialMs?: number; maxMs?: number };
  /** Gossip: notices are broadcast and received on `topic` (default `config`). */
  channel?: ClusterChannel | undefined;
  topic?: string;
  logger?: Logger;
  /** Called after a section was reloaded because another node wrote. */
  onChange?: (change: ConfigSyncChange) => void;
}

export interface ConfigSyncStatus {
  node: string;
  /** A LISTEN connection is open. */
  listening: boolean;
  /** Version applied per section. */
  applied: Partial<Record<SyncSectionName, number>>;
  reloads: number;
  lastError: string | undefined;
}

export interface ConfigSync {
  readonly node: string;
  /** Reads the stored versions now and reloads what is behind (what the poll does). */
  check(): Promise<void>;
  status(): ConfigSyncStatus;
  close(): Promise<void>;
}

export const CONFIG_TOPIC = 'config';
const LISTEN_APPLICATION = 'bifrost-config-sync';
/** Reload rounds per trigger; a section still behind after that waits for the next notice or poll. */
const MAX_ROUNDS = 3;

/** The config service as a sync target. */
export function configTarget(service: ConfigService): SyncTarget {
  return { section: 'config', applied: () => service.version, reload: async () => { await service.refresh(); } };
}

interface SectionState {
  target: SyncTarget;
  /** Highest stored version heard of. */
  want: number;
  via: SyncSource;
  from: string | undefined;
  running: Promise<void> | undefined;
}

export async function startConfigSync(options: ConfigSyncOptions): Promise<ConfigSync> {
  const { database } = options;
  const logger = options.logger ?? silentLogger;
  if (options.node !== undefined) setNodeId(database, options.node);
  const node = nodeIdOf(database);
  const topic = options.topic ?? CONFIG_TOPIC;
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  const initialBackoff = options.reconnect?.initialMs ?? 250;
  const maxBackoff = Math.max(initialBackoff, options.reconnect?.maxMs ?? 10_000);
  const store = database.describe();

  const sections = new Map<SyncSectionName, SectionState>();
  const targets = [
    ...(options.config ? [configTarget(options.config)] : []),
    ...(options.governance ? [{ section: 'governance' as const, ...pick(options.governance) }] : []),
    ...(options.targets ?? []),
  ];
  for (const target of targets) sections.set(target.section, { target, want: 0, via: 'start', from: undefined, running: undefined });

  let closed = false;
  let reloads = 0;
  let lastError: string | undefined;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    timers.add(timer);
  };

  const drain = async (state: SectionState): Promise<void> => {
    for (let round = 0; round < MAX_ROUNDS && !closed && state.want > state.target.applied(); round += 1) {
      const started = performance.now();
      try {
        await state.target.reload();
      } catch (error) {
        lastError = (error as Error).message;
        logger.warn({ section: state.target.section, err: lastError, store }, 'config sync: reload failed; retrying on the next notice or poll');
        return;
      }
      reloads += 1;
      const change: ConfigSyncChange = {
        section: state.target.section, version: state.target.applied(), via: state.via, from: state.from,
        reloadMs: Math.round((performance.now() - started) * 10) / 10,
      };
      logger.info(change, `config sync: ${change.section} reloaded at version ${change.version} (${change.via})`);
      try {
        options.onChange?.(change);
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'config sync: onChange failed');
      }
    }
  };

  /** A section is at least at `version` in the store: reload it unless memory already is. */
  const observe = (section: string, version: number, via: SyncSource, from?: string): void => {
    const state = sections.get(section as SyncSectionName);
    if (!state || closed || version <= state.target.applied()) return;
    if (version > state.want) {
      state.want = version;
      state.via = via;
      state.from = from;
    }
    // A newer version heard while a reload runs raises `want`: the running drain goes another round.
    state.running ??= drain(state).finally(() => {
      state.running = undefined;
    });
  };

  const notice = (text: string, via: SyncSource): void => {
    const parsed = parseNotice(text);
    if (!parsed) {
      logger.warn({ via, notice: text.slice(0, 120) }, 'config sync: malformed notice ignored');
      return;
    }
    if (parsed.node === node) return; // our own write: already applied
    observe(parsed.section, parsed.version, via, parsed.node);
  };

  let checking: Promise<void> | undefined;
  const check = (via: SyncSource = 'poll'): Promise<void> => {
    checking ??= (async () => {
      try {
        const versions = await readVersions(database);
        if (lastError !== undefined) logger.info({ store }, 'config sync: the store answers again');
        lastError = undefined;
        for (const [section, version] of Object.entries(versions)) observe(section, version, via);
        await Promise.all([...sections.values()].map((s) => s.running));
      } catch (error) {
        if (lastError === undefined) logger.warn({ err: (error as Error).message, store }, 'config sync: cannot read config versions; retrying every poll');
        lastError = (error as Error).message;
      }
    })().finally(() => {
      checking = undefined;
    });
    return checking;
  };

  // LISTEN on a dedicated connection, re-opened with backoff when it is lost.
  type Listener = Awaited<ReturnType<NonNullable<Database['connectDedicated']>>>;
  let listener: Listener | undefined;
  let backoff = initialBackoff;
  let connecting = false;
  const listen = options.listen ?? database.kind === 'postgres';
  const connectDedicated = database.connectDedicated;
  const openListener = async (): Promise<void> => {
    if (closed || connecting || listener || !connectDedicated) return;
    connecting = true;
    let client: Listener | undefined;
    try {
      client = await connectDedicated(LISTEN_APPLICATION);
      const opened = client;
      const lost = () => {
        if (listener !== opened) return;
        listener = undefined;
        void opened.end().catch(() => undefined);
        if (closed) return;
        logger.warn({ store, retryInMs: backoff }, 'config sync: LISTEN connection lost; polling until it is back');
        later(backoff, () => void openListener());
      };
      opened.on('notification', (message) => {
        if (message.channel === CONFIG_CHANNEL && message.payload) notice(message.payload, 'notify');
      });
      opened.on('error', lost);
      opened.on('end', lost);
      await opened.query(`listen ${CONFIG_CHANNEL}`);
      if (closed) {
        await opened.end().catch(() => undefined);
        return;
      }
      listener = opened;
      backoff = initialBackoff;
      logger.info({ store }, 'config sync: listening for config notices');
      // Notices sent while nobody listened are gone: catch up from the stored versions.
      void check('reconnect');
    } catch (error) {
      await client?.end().catch(() => undefined);
      if (closed) return;
      logger.warn({ err: (error as Error).message, store, retryInMs: backoff }, 'config sync: cannot LISTEN; polling until it can');
      later(backoff, () => void openListener());
      backoff = Math.min(backoff * 2, maxBackoff);
    } finally {
      connecting = false;
    }
  };

  const unsubscribers: Array<() => void> = [];
  unsubscribers.push(onLocalWrite(database, (section, version) => {
    options.channel?.broadcast(topic, new TextEncoder().encode(formatNotice({ section, version, node })));
    observe(section, version, 'local', node); // reloads only when another write came in between
  }));
  if (options.channel) {
    const decoder = new TextDecoder();
    unsubscribers.push(options.channel.on(topic, (_from, payload) => notice(decoder.decode(payload), 'channel')));
  }
  if (listen && !connectDedicated) logger.info({ store }, 'config sync: this store has no notices; polling only');
  if (listen) await openListener();
  await check('start');
  const poll = setInterval(() => void check('poll'), pollIntervalMs);
  poll.unref();

  return {
    node,
    check: () => check('poll'),
    status: () => ({
      node, listening: listener !== undefined, reloads, lastError,
      applied: Object.fromEntries([...sections].map(([name, s]) => [name, s.target.applied()])),
    }),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(poll);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const unsubscribe of unsubscribers) unsubscribe();
      const open = listener;
      listener = undefined;
      await open?.end().catch(() => undefined);
      await checking;
      await Promise.all([...sections.values()].map((s) => s.running));
    },
  };
}

function pick(target: { applied(): number; reload(): Promise<void> }): Pick<SyncTarget, 'applied' | 'reload'> {
  return { applied: () => target.applied(), reload: () => target.reload() };
}
