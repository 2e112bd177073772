// The `bifrost` command's flags and their environment fallbacks, as Bifrost's binary accepts them:
// `-port`, `-host`, `-app-dir`, `-log-level`, `-log-style` (Go's single dash), with `--flag`,
// `--flag=value` and `-flag=value` forms too. Precedence: flag, then env (APP_*, LOG_*), then default.
import { homedir, platform } from 'node:os';
import { join } from 'node:path';
import type { Env } from './load.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogStyle = 'json' | 'pretty';

export interface ServerFlags {
  port: number;
  host: string;
  appDir: string;
  logLevel: LogLevel;
  logStyle: LogStyle;
  /** Seconds the listener keeps accepting after SIGTERM, readiness already 503. */
  drainDelaySeconds: number;
  /** Seconds from SIGTERM after which what still runs is cut. */
  shutdownTimeoutSeconds: number;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: bifrost [flags]
  -port <n>          port to listen on (env APP_PORT, default 8080)
  -host <addr>       interface to bind (env APP_HOST or BIFROST_HOST, default localhost)
  -app-dir <dir>     directory holding config.json (env APP_DIR, default ~/.config/bifrost)
  -log-level <lvl>   debug | info | warn | error (env LOG_LEVEL, default info)
  -log-style <style> json | pretty (env LOG_STYLE, default json)
  -drain-delay <s>   after SIGTERM, seconds the listener keeps accepting while /health/ready
                     answers 503 (env DRAIN_DELAY, default 5)
  -shutdown-timeout <s>  after SIGTERM, seconds until in-flight requests and streams are cut
                     (env SHUTDOWN_TIMEOUT, default 30; keep it below terminationGracePeriodSeconds
                     minus the preStop sleep)`;

const FLAGS = ['port', 'host', 'app-dir', 'log-level', 'log-style', 'drain-delay', 'shutdown-timeout'] as const;
type FlagName = (typeof FLAGS)[number];

/** Bifrost's default app dir: the OS config dir + `bifrost`. */
export function defaultAppDir(env: Env): string {
  if (platform() === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'bifrost');
  const home = homedir();
  if (!home) return join(process.cwd(), 'bifrost-data');
  return join(home, '.config', 'bifrost');
}

function readArgs(argv: readonly string[]): Partial<Record<FlagName, string>> & { help?: boolean } {
  const out: Partial<Record<FlagName, string>> & { help?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--?([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`unexpected argument "${arg}"\n${USAGE}`);
    const name = match[1] ?? '';
    if (name === 'help' || name === 'h') {
      out.help = true;
      continue;
    }
    if (!(FLAGS as readonly string[]).includes(name)) throw new UsageError(`unknown flag "${arg}"\n${USAGE}`);
    let value = match[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined) throw new UsageError(`flag -${name} needs a value`);
      i++;
    }
    out[name as FlagName] = value;
  }
  return out;
}

export interface ParsedFlags extends ServerFlags {
  help: boolean;
}

export function parseServerFlags(argv: readonly string[], env: Env): ParsedFlags {
  const args = readArgs(argv);
  const pick = (flag: FlagName, ...envNames: string[]): string | undefined => {
    if (args[flag] !== undefined) return args[flag];
    for (const name of envNames) if (env[name]) return env[name];
    return undefined;
  };
  const portText = pick('port', 'APP_PORT') ?? '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`invalid port "${portText}": expected an integer 0-65535`);
  const logLevel = pick('log-level', 'LOG_LEVEL') ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new UsageError(`invalid log level "${logLevel}": expected debug, info, warn or error`);
  }
  const logStyle = pick('log-style', 'LOG_STYLE') ?? 'json';
  if (!['json', 'pretty'].includes(logStyle)) throw new UsageError(`invalid log style "${logStyle}": expected json or pretty`);
  const seconds = (flag: FlagName, envName: string, fallback: number): number => {
    const text = pick(flag, envName) ?? String(fallback);
    const value = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || value > 86_400) throw new UsageError(`invalid -${flag} "${text}": expected seconds, 0-86400`);
    return value;
  };
  return {
    help: args.help ?? false,
    drainDelaySeconds: seconds('drain-delay', 'DRAIN_DELAY', 5),
    shutdownTimeoutSeconds: seconds('shutdown-timeout', 'SHUTDOWN_TIMEOUT', 30),
    port,
    host: pick('host', 'APP_HOST', 'BIFROST_HOST') ?? 'localhost',
    appDir: pick('app-dir', 'APP_DIR') ?? defaultAppDir(env),
    logLevel: logLevel as LogLevel,
    logStyle: logStyle as LogStyle,
  };
}
