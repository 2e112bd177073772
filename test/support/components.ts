// Finds the external programs that integration tests talk to (postgres, etcd, serf, go,
// pushgateway, chromium, haproxy). When one is missing the test fails — loudly in CI, and locally with the
// command that installs it — instead of being skipped and passing for the wrong reason.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Component {
  /** Executable names to look for, first match wins. */
  bins: string[];
  /** Extra directories to search besides PATH. */
  dirs?: string[];
  install: string;
}

export const COMPONENTS = {
  postgres: { bins: ['initdb'], dirs: ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'], install: 'apt-get install postgresql' },
  etcd: { bins: ['etcd'], install: 'apt-get install etcd-server' },
  serf: { bins: ['serf'], install: 'apt-get install serf' },
  go: { bins: ['go'], dirs: ['/usr/local/go/bin'], install: 'apt-get install golang (or put Go on PATH)' },
  pushgateway: { bins: ['prometheus-pushgateway', 'pushgateway'], install: 'apt-get install prometheus-pushgateway' },
  chromium: { bins: ['chromium', 'chromium-browser'], install: 'apt-get install chromium' },
  haproxy: { bins: ['haproxy'], dirs: ['/usr/sbin'], install: 'apt-get install haproxy' },
} satisfies Record<string, Component>;

/** Absolute path of the component's executable, or throws saying how to install it. */
export function requireBinary(name: keyof typeof COMPONENTS): string {
  const component: Component = COMPONENTS[name];
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...(component.dirs ?? [])];
  for (const bin of component.bins) {
    for (const dir of dirs) {
      if (!dir) continue;
      const path = join(dir, bin);
      try {
        accessSync(path, constants.X_OK);
        return path;
      } catch {
        // keep looking
      }
    }
  }
  const where = process.env.CI ? 'CI must install it (.ci/run)' : `install it: ${component.install}`;
  throw new Error(`required test component "${name}" (${component.bins.join(' or ')}) not found; ${where}`);
}
