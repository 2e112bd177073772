// Flags of `bifrost gossip-agent`, in the single-dash style of `serf agent`:
// -name N -bind ADDR -port P [-join host:port,…] [-key BASE64] [-label L] [-meta TEXT]
// [-state TEXT] [-run-for 30s] [-fast] [-serf] [-profile lan|wan|local].
import { goDurationMs } from '../../../core/go-duration.js';

export interface AgentFlags {
  name: string;
  bind: string;
  port: number;
  join: string[];
  keys: string[];
  label: string;
  meta: string;
  state: string;
  runForMs: number;
  fast: boolean;
  serf: boolean;
  profile: 'lan' | 'wan' | 'local';
}

export const AGENT_USAGE = `usage: bifrost gossip-agent -name N [-bind 127.0.0.1] [-port 7946] [-join host:port,...]
  [-key BASE64]... [-label L] [-meta TEXT] [-state TEXT] [-run-for 30s] [-fast] [-serf] [-profile lan|wan|local]
stdin commands: broadcast TEXT | send NODE TEXT | send-reliable NODE TEXT | meta TEXT | members | leave`;

export class AgentUsageError extends Error {}

/** "30s", "500ms", "2m", "1h" or plain milliseconds. */
export function parseDuration(s: string): number {
  const ms = /^\d+(?:\.\d+)?$/.test(s.trim()) ? Number(s) : goDurationMs(s);
  if (ms === undefined) throw new AgentUsageError(`invalid duration "${s}"`);
  return Math.round(ms);
}

export function parseAgentFlags(argv: readonly string[]): AgentFlags {
  const f: AgentFlags = {
    name: '', bind: '127.0.0.1', port: 7946, join: [], keys: [], label: '', meta: '', state: '',
    runForMs: 0, fast: false, serf: false, profile: 'lan',
  };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const [flag, inline] = raw.includes('=') ? [raw.slice(0, raw.indexOf('=')), raw.slice(raw.indexOf('=') + 1)] : [raw, undefined];
    const name = flag.replace(/^--?/, '');
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new AgentUsageError(`flag -${name} needs a value`);
      return v;
    };
    switch (name) {
      case 'name': f.name = value(); break;
      case 'bind': f.bind = value(); break;
      case 'port': {
        const p = Number(value());
        if (!Number.isInteger(p) || p < 0 || p > 65535) throw new AgentUsageError('-port must be 0..65535');
        f.port = p;
        break;
      }
      case 'join': f.join.push(...value().split(',').map((s) => s.trim()).filter(Boolean)); break;
      case 'key': f.keys.push(value()); break;
      case 'label': f.label = value(); break;
      case 'meta': f.meta = value(); break;
      case 'state': f.state = value(); break;
      case 'run-for': f.runForMs = parseDuration(value()); break;
      case 'fast': f.fast = true; break;
      case 'serf': f.serf = true; break;
      case 'profile': {
        const p = value();
        if (p !== 'lan' && p !== 'wan' && p !== 'local') throw new AgentUsageError('-profile must be lan, wan or local');
        f.profile = p;
        break;
      }
      default: throw new AgentUsageError(`unknown flag ${raw}`);
    }
  }
  if (!f.name) throw new AgentUsageError('-name is required');
  return f;
}
