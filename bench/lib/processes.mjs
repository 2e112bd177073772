// Child processes of a benchmark run and what the kernel says about them: spawning a server and
// waiting until it answers, a free port for servers that need one chosen up front, CPU time
// (utime+stime from /proc/<pid>/stat for all threads, /proc/<pid>/task/<tid>/stat for one), the
// whole machine's busy and idle time (/proc/stat) and resident memory (VmRSS / VmHWM from
// /proc/<pid>/status), and stopping by PID. Linux only, as /proc is the measuring instrument.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, openSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** Clock ticks per second of utime/stime (100 on every common Linux, asked once anyway). */
export function clockTicks() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/**
 * utime+stime in ticks of a process (all its threads), or of its thread `tid` only: a Node
 * process's main thread (the event loop) has the process's own id. The command name may hold
 * spaces, so fields count from ')'.
 */
export function cpuTicks(pid, tid) {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After ")" the fields start at #3 (state); utime is #14 and stime #15.
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * The machine's CPU time in ticks, all cores together, from the `cpu` line of /proc/stat: `idle`
 * is idle + iowait, `busy` everything else the kernel counts (user, nice, system, irq, softirq,
 * steal). Their change over a phase says whether that phase had the machine's cores to itself.
 */
export function parseMachineTicks(procStat) {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no "cpu " line');
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { busy: user + nice + system + irq + softirq + (steal || 0), idle: idle + iowait };
}

export function machineTicks() {
  return parseMachineTicks(readFileSync('/proc/stat', 'utf8'));
}

/** `{ rssKb, hwmKb }` of a process, or undefined once it is gone. */
export function memory(pid) {
  let status;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
}

/** Samples VmRSS every `everyMs` until stopped; `stop()` returns the peak in kB. */
export function rssSampler(pid, everyMs = 50) {
  let peak = memory(pid)?.rssKb ?? 0;
  const timer = setInterval(() => {
    const now = memory(pid)?.rssKb ?? 0;
    if (now > peak) peak = now;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const now = memory(pid)?.rssKb ?? 0;
      return Math.max(peak, now);
    },
  };
}

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Spawns `node <args>` with stdout/stderr going to `logFile` (never to a pipe we might not drain),
 * unless `portFromStdout` is set: then the first stdout line must be `{"port":N}` and the rest is
 * discarded. `launcher` is a command prefix to run node under (valgrind, for instruction counts).
 * Resolves to `{ pid, port, child, stop() }` once the server is ready.
 */
export async function startNodeServer(args, options) {
  const out = options.logFile ? openSync(options.logFile, 'a') : 'ignore';
  const [command, ...argv] = [...(options.launcher ?? []), process.execPath, ...args];
  const child = spawn(command, argv, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', options.portFromStdout ? 'pipe' : out, out],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let port = options.port;
  if (options.portFromStdout) {
    port = await Promise.race([
      readPortLine(child.stdout),
      exited.then((how) => { throw new Error(`${options.name} exited before listening (${JSON.stringify(how)})`); }),
      delay(options.timeoutMs ?? 15_000, undefined, { ref: false }).then(() => { throw new Error(`${options.name} did not print its port`); }),
    ]);
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const done = await Promise.race([exited.then(() => true), delay(5_000, undefined, { ref: false }).then(() => false)]);
    if (!done) { child.kill('SIGKILL'); await exited; }
  };
  if (options.ready) {
    try {
      await Promise.race([
        options.ready(port),
        exited.then((how) => { throw new Error(`${options.name} exited during start-up (${JSON.stringify(how)}); see ${options.logFile}`); }),
      ]);
    } catch (error) {
      await stop();
      throw error;
    }
  }
  return { pid: child.pid, port, child, stop };
}

function readPortLine(stream) {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (part) => {
      text += part.toString('utf8');
      const newline = text.indexOf('\n');
      if (newline < 0) return;
      stream.off('data', onData);
      stream.resume(); // keep draining whatever else the child prints
      try {
        resolve(JSON.parse(text.slice(0, newline)).port);
      } catch (error) {
        reject(new Error(`unexpected first line: ${text.slice(0, newline)} (${error.message})`));
      }
    };
    stream.on('data', onData);
  });
}

/** Polls `url` until it answers 2xx, at most `timeoutMs`. */
export async function waitForHttp(url, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error.message;
    }
    await delay(100);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}
