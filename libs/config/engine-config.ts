/**
 * Validated engine configuration: one namespace per concern, read once at boot.
 * Pure (no Nest imports) so the CLI, the bench and the tests share it.
 */
export type NodeEnv = 'development' | 'production' | 'test';

export interface HttpConfig { port: number; host: string; corsOrigins: string[] | boolean }
export interface DatabaseConfig {
  /** Real PostgreSQL when set; otherwise the embedded PGlite. */
  url: string | undefined;
  pgliteDir: string;
  poolSize: number;
  /** Hot statements as named prepared statements (parsed and planned once per connection); never on PGlite. */
  preparedStatements: boolean;
}
export interface QueueConfig {
  /** Real Redis when set; otherwise BullMQ's Postgres backend on the same database. */
  redisUrl: string | undefined;
  prefix: string;
  drainDelaySeconds: number;
  /** With Redis: how often, and after how long, a worker hands the queue again work it may have lost (QueueLossSweep). */
  lossSweepSeconds: number;
}
export interface AuthConfig {
  jwtSecret: string;
  tokenTtlSeconds: number;
  adminUsername: string;
  adminPassword: string;
}
export interface SeedConfig { demoData: boolean }
export interface WebhookConfig { allowedHosts: string[]; timeoutMs: number }
export interface LogConfig { level: string }

export interface EngineConfig {
  nodeEnv: NodeEnv;
  embedded: boolean;
  http: HttpConfig;
  database: DatabaseConfig;
  queue: QueueConfig;
  auth: AuthConfig;
  seed: SeedConfig;
  webhooks: WebhookConfig;
  log: LogConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const DEV_JWT_SECRET = 'dev-only-insecure-jwt-secret-change-me';
const DEV_ADMIN_PASSWORD = 'admin12345';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadEngineConfig(env: Env = process.env): EngineConfig {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = text(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return raw;
    } catch {
      problems.push(`${name} must be a ${protocols.join(' or ')} URL`);
      return undefined;
    }
  };

  const nodeEnvRaw = text('NODE_ENV') ?? 'development';
  let nodeEnv: NodeEnv = 'development';
  if (nodeEnvRaw === 'production' || nodeEnvRaw === 'test' || nodeEnvRaw === 'development') nodeEnv = nodeEnvRaw;
  else problems.push(`NODE_ENV must be development, production or test (got "${nodeEnvRaw}")`);
  const production = nodeEnv === 'production';

  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = url('REDIS_URL', ['redis:', 'rediss:']);
  const embedded = text('DATABASE_URL') === undefined;

  const jwtSecret = text('JWT_SECRET');
  if (production && !jwtSecret) problems.push('JWT_SECRET is required when NODE_ENV=production');
  if (jwtSecret && jwtSecret.length < 16) problems.push('JWT_SECRET must be at least 16 characters');
  const adminPassword = text('ADMIN_PASSWORD');
  if (production && !adminPassword) problems.push('ADMIN_PASSWORD is required when NODE_ENV=production');
  if (adminPassword && adminPassword.length < 8) problems.push('ADMIN_PASSWORD must be at least 8 characters');
  const adminUsername = text('ADMIN_USERNAME') ?? 'admin';
  if (!/^[A-Za-z0-9._-]{3,64}$/.test(adminUsername)) problems.push('ADMIN_USERNAME must be 3-64 letters, digits, ".", "_" or "-"');

  const level = text('LOG_LEVEL') ?? (nodeEnv === 'test' ? 'silent' : 'info');
  if (!LOG_LEVELS.includes(level)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${level}")`);

  const cors = text('CORS_ORIGINS');
  const corsOrigins: string[] | boolean = cors === undefined ? false : cors === '*' ? true : cors.split(',').map((s) => s.trim()).filter(Boolean);

  const config: EngineConfig = {
    nodeEnv,
    embedded,
    http: { port: int('PORT', 3000, 0, 65535), host: text('HOST') ?? '0.0.0.0', corsOrigins },
    database: {
      url: databaseUrl,
      pgliteDir: text('PGLITE_DIR') ?? '.data/pglite',
      poolSize: int('DB_POOL_SIZE', embedded ? 8 : 10, 1, 200),
      // PGlite serves every client from one session, where two connections' statement names would collide.
      preparedStatements: !embedded && bool('DB_PREPARED_STATEMENTS', true),
    },
    queue: {
      redisUrl,
      prefix: text('QUEUE_PREFIX') ?? 'referral',
      drainDelaySeconds: int('QUEUE_DRAIN_DELAY_S', redisUrl ? 5 : 1, 1, 60),
      lossSweepSeconds: int('QUEUE_LOSS_SWEEP_S', 30, 1, 3600),
    },
    auth: {
      jwtSecret: jwtSecret ?? DEV_JWT_SECRET,
      tokenTtlSeconds: int('JWT_TTL_SECONDS', 8 * 3600, 60, 7 * 24 * 3600),
      adminUsername,
      adminPassword: adminPassword ?? DEV_ADMIN_PASSWORD,
    },
    seed: { demoData: bool('DEMO_DATA', embedded) },
    webhooks: {
      allowedHosts: (text('WEBHOOK_ALLOWED_HOSTS') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
      timeoutMs: int('WEBHOOK_TIMEOUT_MS', 5000, 100, 60000),
    },
    log: { level },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** True when the running config uses development fallbacks that must never reach production. */
export function usesDevSecrets(config: EngineConfig): boolean {
  return config.auth.jwtSecret === DEV_JWT_SECRET || config.auth.adminPassword === DEV_ADMIN_PASSWORD;
}
