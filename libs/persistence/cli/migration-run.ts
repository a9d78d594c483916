import { stopEmbeddedPostgres } from '../embedded-postgres.js';
import { cliDataSource } from './cli-data-source.js';

const ds = await cliDataSource();
const ran = await ds.runMigrations();
console.log(`Ran ${ran.length} migration(s): ${ran.map((m) => m.name).join(', ') || 'none pending'}`);
await ds.destroy();
await stopEmbeddedPostgres();
