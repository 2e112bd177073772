// Runs one gossip node as a child process — our `gossip-agent` or the Go memberlist peer, which
// speak the same JSON-lines protocol — and lets interop tests await its events and type commands.
// Every process is bounded by -run-for and killed by PID when the test ends.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireBinary } from '../support/components.js';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, '..', '..');

export interface GossipEvent {
  event: string;
  name?: string;
  addr?: string;
  meta?: string;
  state?: string;
  msg?: string;
  join?: boolean;
  count?: number;
  error?: string;
  members?: { name: string; addr: string; meta: string; state?: string }[];
}

/** Builds the Go peer into test/interop/memberlist-peer/bin (gitignored); returns its path. */
export function buildGoPeer(): string {
  const go = requireBinary('go');
  const dir = join(here, 'memberlist-peer');
  const out = join(dir, 'bin', 'memberlist-peer');
  const r = spawnSync(go, ['build', '-o', out, '.'], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`go build of the memberlist peer failed: ${r.stderr || r.error?.message}`);
  return out;
}

export class GossipProcess {
  readonly events: GossipEvent[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private waiters: (() => void)[] = [];
  exited = false;

  private constructor(readonly label: string, cmd: string, args: string[]) {
    this.child = spawn(cmd, args, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as GossipEvent);
      } catch {
        this.stderr.push(`stdout: ${line}`);
      }
      this.wake();
    });
    createInterface({ input: this.child.stderr }).on('line', (line) => this.stderr.push(line));
    this.child.on('exit', () => { this.exited = true; this.wake(); });
    this.child.stdin.on('error', () => {});
  }

  /** Our agent, run through tsx like the CLI would run it. */
  static ts(args: string[]): GossipProcess {
    return new GossipProcess(`ts:${args[args.indexOf('-name') + 1]}`, process.execPath,
      ['--import', 'tsx', join(repoRoot, 'src', 'cli-gossip-agent.ts'), ...args]);
  }

  static go(bin: string, args: string[]): GossipProcess {
    return new GossipProcess(`go:${args[args.indexOf('-name') + 1]}`, bin, args);
  }

  command(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Waits for an event matching `match`, or fails saying what was awaited and what was seen. */
  async waitFor(match: (e: GossipEvent) => boolean, options: { timeoutMs?: number; message: string }): Promise<GossipEvent> {
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.exited) {
        const tail = this.events.slice(-8).map((e) => JSON.stringify(e)).join('\n  ');
        throw new Error(`${this.label}: ${this.exited ? 'exited' : 'timed out'} waiting for ${options.message}\n  last events:\n  ${tail}\n  stderr: ${this.stderr.slice(-5).join(' | ')}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  /** The address from the `started` event. */
  async started(): Promise<string> {
    return (await this.waitFor((e) => e.event === 'started', { message: 'started' })).addr!;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.exited && this.child.pid) process.kill(this.child.pid, signal);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.kill('SIGKILL');
    await new Promise<void>((resolve) => { if (this.exited) resolve(); else this.child.once('exit', () => resolve()); });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
