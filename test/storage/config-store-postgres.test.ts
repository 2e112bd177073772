// Runs the config store contract on a real PostgreSQL; "raw" is `pg_dump` of the test database.
import { after, before } from 'node:test';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { configStoreContract } from './config-store.contract.js';

let postgres: TestPostgres;
before(async () => { postgres = await startPostgres(); });
after(async () => postgres.stop());
let counter = 0;

configStoreContract('PostgreSQL', {
  async fresh() {
    counter += 1;
    const config = await postgres.createDatabase(`config_contract_${counter}`);
    return { spec: { type: 'postgres', config }, raw: () => postgres.dump(config.db_name) };
  },
});
