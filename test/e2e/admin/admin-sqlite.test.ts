// The admin API contract on a SQLite config store; "raw" is every byte of the database files.
import { after } from 'node:test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminContract } from './admin.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'bifrost-admin-'));
after(() => rmSync(dir, { recursive: true, force: true }));

adminContract('SQLite', {
  async fresh() {
    const path = join(dir, 'config.db');
    const raw = async () => [path, `${path}-wal`, `${path}-shm`]
      .filter((file) => existsSync(file)).map((file) => readFileSync(file).toString('latin1')).join('\n');
    return { block: { enabled: true, type: 'sqlite', config: { path } }, raw };
  },
});
