import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/bootstrap.js';
import { loadEngineConfig, type EngineConfig } from '../config/engine-config.js';
import { buildDataSourceOptions } from '../persistence/data-source-options.js';
import { stopEmbeddedPostgres } from '../persistence/embedded-postgres.js';
import { TEST_PG_ADMIN_URL, TEST_REDIS_URL, withDatabase } from './test-stack.js';

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  config: EngineConfig;
  dataSource: DataSource;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Run the worker (relay, processors, sweeper) in the same process; default true. */
  withWorker?: boolean;
}

/**
 * The whole engine in-process on its own database (cloned from the migrated template) and its own queue prefix.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const suffix = randomBytes(5).toString('hex');
  const onPostgres = (process.env.TEST_STACK ?? 'postgres') === 'postgres';
  const runId = process.env.TEST_RUN_ID ?? String(process.pid);
  const database = `referral_t_${runId}_${suffix}`;
  const template = `referral_tpl_${runId}`;
  if (onPostgres) await cloneTemplate(template, database);
  const config = loadEngineConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JWT_SECRET: 'test-secret-0123456789abcdef',
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'admin-password',
    DEMO_DATA: 'false',
    QUEUE_PREFIX: `t${suffix}`,
    QUEUE_DRAIN_DELAY_S: '1',
    ...(onPostgres ? { DATABASE_URL: withDatabase(TEST_PG_ADMIN_URL, database) } : { PGLITE_DIR: 'memory://' }),
    ...(process.env.TEST_QUEUE === 'redis' ? { REDIS_URL: TEST_REDIS_URL } : {}),
    ...options.env,
  });
  const app = await createApiApp({ config, withWorker: options.withWorker ?? true, quiet: true, swaggerUi: false, webConsole: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const dataSource = app.get(DataSource);
  return {
    app,
    http: request(app.getHttpServer()),
    config,
    dataSource,
    async close() {
      await app.close();
      if (onPostgres) {
        const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        await admin.end();
      } else {
        await stopEmbeddedPostgres();
      }
    },
  };
}

/** Clones the migrated template; the first caller of a run creates and migrates it. */
async function cloneTemplate(template: string, database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE "${template}"`);
      const ds = new DataSource(buildDataSourceOptions(withDatabase(TEST_PG_ADMIN_URL, template), 2));
      await ds.initialize();
      await ds.runMigrations();
      await ds.destroy();
    }
    await admin.query(`CREATE DATABASE "${database}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
}
