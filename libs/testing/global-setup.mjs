// Once per test run (plain ESM: Jest loads global setup outside its module mapper). Decides the test stack and
// drops databases left by earlier runs; the first test file migrates the template that the others clone.
import { createConnection } from 'node:net';
import pg from 'pg';

const PG_ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function reachable(url) {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol.startsWith('redis') ? 6379 : 5432));
  return new Promise((resolve) => {
    const socket = createConnection({ host: u.hostname, port });
    const done = (ok) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Whether a process with this pid still runs (signal 0 only checks). */
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export default async function globalSetup() {
  if (process.env.TEST_STACK) return;
  // Databases carry the run's pid, so concurrent runs (several developers' terminals) never drop each other's.
  process.env.TEST_RUN_ID = String(process.pid);
  const forceEmbedded = process.env.TEST_FORCE_EMBEDDED === 'true';
  const pgUp = !forceEmbedded && (await reachable(PG_ADMIN_URL));
  const redisUp = !forceEmbedded && (await reachable(REDIS_URL));
  process.env.TEST_STACK = pgUp ? 'postgres' : 'embedded';
  process.env.TEST_QUEUE = redisUp ? 'redis' : 'postgres';
  console.log(
    `\n[test stack] database: ${pgUp ? `PostgreSQL (${new URL(PG_ADMIN_URL).host})` : 'embedded PGlite (no PostgreSQL reachable)'}; ` +
      `queue: ${redisUp ? `Redis (${new URL(REDIS_URL).host})` : "BullMQ's Postgres backend (no Redis reachable)"}`,
  );
  if (!pgUp) return;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    const leftovers = await admin.query(`SELECT datname FROM pg_database WHERE datname ~ '^referral_(t|tpl)_[0-9]+'`);
    for (const { datname } of leftovers.rows) {
      const pid = Number(/^referral_(?:t|tpl)_(\d+)/.exec(datname)[1]);
      if (pid !== process.pid && alive(pid)) continue;
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}
