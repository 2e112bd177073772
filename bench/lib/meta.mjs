// What a benchmark report says about where it ran: the machine and the commit measured.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem, release, loadavg } from 'node:os';

export function machine() {
  const cores = cpus();
  const gb = (totalmem() / 2 ** 30).toFixed(1);
  return `${cores.length} × ${cores[0]?.model.trim() ?? 'cpu'}, ${gb} GB RAM, Linux ${release()}, Node ${process.version}`
    + ` (load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')})`;
}

/** The short commit of `repoDir`, flagged when the tree has uncommitted changes. */
export function commit(repoDir) {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoDir, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoDir, encoding: 'utf8' }).trim();
    return dirty ? `${head} (+ uncommitted changes in the tree)` : head;
  } catch {
    return 'unknown';
  }
}
