// Instruction counts from valgrind's callgrind, for the instruction-count benchmark
// (bench/instructions.mjs). Callgrind counts the instructions a process executes in user space,
// so a count does not move when another process takes the CPU: on a shared machine it is the
// figure that shows a change of a few per cent which timings drown in noise. It runs a program
// about 50× slower and counts no kernel work (system calls, the network stack, page writes) and
// no cache misses, so it complements the timed benchmark; it does not replace it.
// A target runs with counting off (`--instr-atstart=no`); the driver turns it on around the
// measured requests (`callgrind_control -i on`), then asks for a dump (`-d`). With
// `--separate-threads=yes` each thread's counts go to a file of its own: `<out>.<dump>-<thread>`.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const COMPILE_JOB = 'v8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal*';

/** The command prefix that runs a program under callgrind, writing its counts to `outFile`. */
export function callgrindLauncher(outFile) {
  return [
    'valgrind', '--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes',
    // V8 writes machine code into anonymous memory: callgrind must watch it for changes.
    '--smc-check=all-non-file', `--callgrind-out-file=${outFile}`,
    // TurboFan compiles on helper threads as functions get hot, a handful of jobs of tens of
    // millions of instructions each, still now and then after thousands of requests: one-time
    // warm-up work that would swamp a per-request figure, so it is not counted. The toggle turns
    // collection off inside a compile job, and collection starts on.
    `--toggle-collect=${COMPILE_JOB}`, '--collect-atstart=yes',
  ];
}

/** Why callgrind cannot run here, or undefined when it can. */
export function callgrindMissing() {
  for (const tool of ['valgrind', 'callgrind_control']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      return `${tool} not found (Debian: apt-get install valgrind)`;
    }
  }
  return undefined;
}

/** Turns counting on or off in the process `pid`, or writes a dump of what it counted so far. */
export function callgrindControl(pid, action) {
  const flag = { on: ['-i', 'on'], off: ['-i', 'off'], dump: ['-d'] }[action];
  if (!flag) throw new Error(`unknown callgrind action ${action}`);
  execFileSync('callgrind_control', [...flag, String(pid)], { stdio: 'ignore', timeout: 60_000 });
}

/**
 * A thread's role, from the functions its counts name: `loop` is the main thread (callgrind's
 * thread 1), `js` another thread that ran JavaScript (a worker_threads Worker, such as the SQLite
 * logs write thread), `helper` the rest (V8's garbage-collection and compiler helpers, libuv's pool).
 */
export function threadRole(thread, text) {
  if (thread === 1) return 'loop';
  return /\bBuiltins_JSEntry\b/.test(text) ? 'js' : 'helper';
}

/** The total instruction count a callgrind output file reports (its `summary:` or `totals:` line). */
export function parseTotal(text) {
  const match = /^(?:summary|totals):\s*(\d+)/m.exec(text);
  if (!match) throw new Error('callgrind output has no summary or totals line');
  return Number(match[1]);
}

/**
 * The counts of dump number `dump` of a run whose output file is `outFile`, by thread role:
 * `{ loop, js, helper, total, threads }` in instructions.
 */
export function readDump(outFile, dump = 1) {
  const prefix = `${basename(outFile)}.${dump}-`;
  const files = readdirSync(dirname(outFile)).filter((name) => name.startsWith(prefix));
  if (files.length === 0) throw new Error(`no callgrind dump ${dump} next to ${outFile}`);
  const counts = { loop: 0, js: 0, helper: 0, total: 0, threads: files.length };
  for (const name of files) {
    const text = readFileSync(join(dirname(outFile), name), 'utf8');
    const instructions = parseTotal(text);
    counts[threadRole(Number(name.slice(prefix.length)), text)] += instructions;
    counts.total += instructions;
  }
  return counts;
}
