/** Exits 1 when the entities describe a schema the migrations do not create (the CI guard). */
import { stopEmbeddedPostgres } from '../embedded-postgres.js';
import { cliDataSource } from './cli-data-source.js';

const ds = await cliDataSource();
await ds.runMigrations();
const sql = await ds.driver.createSchemaBuilder().log();
await ds.destroy();
await stopEmbeddedPostgres();
if (sql.upQueries.length > 0) {
  console.error('Entities and migrations disagree; missing SQL:');
  for (const q of sql.upQueries) console.error(`  ${q.query}`);
  process.exit(1);
}
console.log('migration:check ok: entities and migrations agree.');
