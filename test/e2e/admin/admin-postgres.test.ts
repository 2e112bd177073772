// The admin API contract on a real PostgreSQL config store; "raw" is `pg_dump` of its database.
import { after, before } from 'node:test';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { adminContract } from './admin.contract.js';

let postgres: TestPostgres;
before(async () => { postgres = await startPostgres(); });
after(async () => postgres?.stop());

adminContract('PostgreSQL', {
  async fresh() {
    const config = await postgres.createDatabase('admin_contract');
    return { block: { enabled: true, type: 'postgres', config }, raw: () => postgres.dump(config.db_name) };
  },
});
