// A real PostgreSQL server for tests. With PG_URL set, each call gets its own fresh database on
// that server (dropped at stop). Otherwise a throwaway cluster is made with initdb in a temp dir,
// run as an unprivileged user when we are root (postgres refuses to run as root), with its unix
// socket inside the temp dir and TCP on 127.0.0.1 at a free port. `halt()`/`resume()` stop and
// start the same server (same port, same data) to test outages; `stop()` removes everything.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import pg from 'pg';
import type { PostgresStoreConfig } from '../../src/storage/database.js';
import { requireBinary } from './components.js';
import { waitFor } from './wait.js';
import { freePort } from './ports.js';

export interface TestPostgres {
  /** postgres://user@127.0.0.1:port/db */
  url: string;
  /** The same target as a Bifrost `config_store.config` block. */
  config: PostgresStoreConfig;
  /** A `{enabled, type, config}` store block for config.json. */
  storeBlock: { enabled: true; type: 'postgres'; config: PostgresStoreConfig };
  /** `pg_dump` of the test database (or of `database`) as text: schema and data. */
  dump(database?: string): Promise<string>;
  /** Creates another empty database on the same server and returns its config block. */
  createDatabase(name: string): Promise<PostgresStoreConfig>;
  /** Stops the server, keeping its data (throws with PG_URL: that server is not ours). */
  halt(): Promise<void>;
  /** Starts it again on the same port. */
  resume(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server (or drops the database) and removes every file. */
  stop(): Promise<void>;
}


function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      // try the next one
    }
  }
  throw new Error('running as root but neither a "postgres" nor a "nobody" user exists to run the server');
}

function configFrom(url: URL, database: string): PostgresStoreConfig {
  return {
    host: url.hostname, port: url.port || '5432', user: decodeURIComponent(url.username),
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db_name: database, ssl_mode: 'disable', max_idle_conns: 2, max_open_conns: 10,
  };
}

async function canConnect(config: PostgresStoreConfig, database = config.db_name): Promise<boolean> {
  const client = new pg.Client({ host: config.host, port: Number(config.port), user: config.user, password: config.password, database });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabaseOn(config: PostgresStoreConfig, name: string): Promise<PostgresStoreConfig> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name ${name}`);
  const client = new pg.Client({ host: config.host, port: Number(config.port), user: config.user, password: config.password, database: config.db_name });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  return { ...config, db_name: name };
}

function dumpWith(binDir: string, config: PostgresStoreConfig): Promise<string> {
  const pgDump = join(binDir, 'pg_dump');
  return new Promise((resolve, reject) => {
    const child = spawn(pgDump, ['-h', config.host, '-p', String(config.port), '-U', config.user, '--no-owner', config.db_name], {
      env: { ...process.env, PGPASSWORD: config.password ?? '' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { err += chunk.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`pg_dump exited ${code}: ${err}`))));
  });
}

async function fromUrl(pgUrl: string, binDir: string): Promise<TestPostgres> {
  const base = new URL(pgUrl);
  const name = `bifrost_test_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const config = configFrom(base, name);
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  const notOurs = async () => { throw new Error('PG_URL points at a server these tests do not own; cannot stop it'); };
  const extra: string[] = [];
  return {
    url: url.toString(), config, storeBlock: { enabled: true, type: 'postgres', config },
    dump: (database) => dumpWith(binDir, { ...config, db_name: database ?? config.db_name }),
    createDatabase: async (database) => {
      const created = await createDatabaseOn(config, `${name}_${database}`);
      extra.push(created.db_name);
      return created;
    },
    halt: notOurs, resume: notOurs, restart: notOurs,
    async stop() {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      try {
        for (const database of [...extra, name]) await client.query(`drop database if exists ${database} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Starts (or attaches to, with PG_URL) a PostgreSQL server for one test file. */
export async function startPostgres(): Promise<TestPostgres> {
  // Resolve symlinks so pg_dump and postgres are taken from the same installation as initdb.
  const binDir = dirname(realpathSync(requireBinary('postgres')));
  if (process.env.PG_URL) return fromUrl(process.env.PG_URL, binDir);

  const user = unprivilegedUser();
  const dir = mkdtempSync(join(tmpdir(), 'bifrost-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const dataDir = join(dir, 'data');
  const runAs = user ? { uid: user.uid, gid: user.gid } : {};
  execFileSync(join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    ...runAs, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'],
  });
  // TEST_PG_HOST: listen on another address of this (test-made) network namespace, for replicas
  // in other namespaces (test/cluster/partition.test.ts); trusted like loopback.
  const host = process.env.TEST_PG_HOST ?? '127.0.0.1';
  if (host !== '127.0.0.1') appendFileSync(join(dataDir, 'pg_hba.conf'), `host all all ${host}/24 trust\n`);
  const port = await freePort();
  const config: PostgresStoreConfig = {
    host, port: String(port), user: 'postgres', password: undefined,
    db_name: 'postgres', ssl_mode: 'disable', max_idle_conns: 2, max_open_conns: 10,
  };
  let child: ChildProcess | undefined;
  let log = '';
  const killNow = () => { if (child?.pid && child.exitCode === null) process.kill(child.pid, 'SIGKILL'); };
  process.once('exit', killNow);

  const resume = async () => {
    log = '';
    const command = [join(binDir, 'postgres'),
      '-D', dataDir, '-k', dir, '-h', host, '-p', String(port),
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=100'];
    // setpriv (util-linux) execs postgres with a parent-death signal, so a test process killed by a
    // timeout does not leave the server behind; it also drops root. Without it, spawn's uid/gid.
    const setpriv = existsSync('/usr/bin/setpriv') ? '/usr/bin/setpriv' : undefined;
    const proc = setpriv
      ? spawn(setpriv, [...(user ? ['--reuid', String(user.uid), '--regid', String(user.gid), '--clear-groups'] : []), '--pdeathsig', 'KILL', '--', ...command],
        { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(command[0]!, command.slice(1), { ...runAs, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr?.on('data', (chunk: Buffer) => { log += chunk.toString('utf8'); });
    child = proc;
    await waitFor(async () => {
      if (proc.exitCode !== null) throw new Error(`postgres exited with ${proc.exitCode}: ${log}`);
      return canConnect(config);
    }, { timeoutMs: 30_000, intervalMs: 50, message: `postgres on ${host}:${port} to accept connections` });
  };
  const halt = async () => {
    const proc = child;
    if (!proc?.pid || proc.exitCode !== null) return;
    const exited = once(proc, 'exit');
    process.kill(proc.pid, 'SIGINT'); // fast shutdown: disconnect clients, no waiting
    await exited;
  };
  await resume();
  return {
    url: `postgres://postgres@${host}:${port}/postgres`, config, storeBlock: { enabled: true, type: 'postgres', config },
    dump: (database) => dumpWith(binDir, { ...config, db_name: database ?? config.db_name }),
    createDatabase: (database) => createDatabaseOn(config, database),
    halt, resume,
    async restart() { await halt(); await resume(); },
    async stop() {
      await halt();
      process.removeListener('exit', killNow);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
