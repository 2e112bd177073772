// Runs the config store contract on SQLite; "raw" is every byte of the database files.
import { after } from 'node:test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configStoreContract } from './config-store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'bifrost-cs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

configStoreContract('SQLite', {
  async fresh() {
    counter += 1;
    const path = join(dir, `config-${counter}.db`);
    const raw = async () => [path, `${path}-wal`, `${path}-shm`]
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file).toString('latin1'))
      .join('\n');
    return { spec: { type: 'sqlite', config: { path } }, raw };
  },
});
