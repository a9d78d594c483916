/**
 * Writes a migration with the SQL that brings a migrated database to the entities' schema.
 * Usage: DATABASE_URL=postgres://… npm run migration:generate -- AddThing
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopEmbeddedPostgres } from '../embedded-postgres.js';
import { cliDataSource } from './cli-data-source.js';

const name = process.argv[2];
if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
  console.error('usage: npm run migration:generate -- PascalCaseName');
  process.exit(2);
}
const ds = await cliDataSource();
await ds.runMigrations();
const sql = await ds.driver.createSchemaBuilder().log();
await ds.destroy();
await stopEmbeddedPostgres();
if (sql.upQueries.length === 0) {
  console.log('No changes: entities and migrations agree.');
  process.exit(0);
}
const q = (s: string) => '`' + s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
const stamp = Date.now();
const up = sql.upQueries.map((x) => `    await queryRunner.query(${q(x.query)});`).join('\n');
const down = sql.downQueries.reverse().map((x) => `    await queryRunner.query(${q(x.query)});`).join('\n');
const body = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name}${stamp} implements MigrationInterface {
  name = '${name}${stamp}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${up}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${down}
  }
}
`;
const file = join('libs/persistence/migrations', `${stamp}-${name}.ts`);
writeFileSync(file, body);
console.log(`Wrote ${file}; add ${name}${stamp} to libs/persistence/migrations/index.ts.`);
