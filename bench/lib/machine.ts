import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths.js';
import { formatBytes } from './stats.js';
import { postgresVersion } from './postgres.js';
import { redisVersion } from './redis.js';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memory: string;
  os: string;
  node: string;
  postgres: string;
  redis: string;
  pgbench: string;
  /** The engine's main packages as installed (node_modules), `name version, …`. */
  packages: string;
  loadAverage: string;
}

const PACKAGES = ['@nestjs/core', '@nestjs/platform-fastify', 'typeorm', 'pg', 'bullmq', 'ioredis', '@electric-sql/pglite', 'autocannon'];

async function installedVersions(): Promise<string> {
  const versions = await Promise.all(
    PACKAGES.map(async (name) => {
      try {
        const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
        return `${name} ${manifest.version}`;
      } catch {
        return `${name} (not installed)`;
      }
    }),
  );
  return versions.join(', ');
}

async function pgbenchVersion(): Promise<string> {
  try {
    return (await run('pgbench', ['--version'])).stdout.trim();
  } catch (e) {
    return `not runnable (${(e as Error).message.split('\n')[0]})`;
  }
}

async function firstMatch(file: string, pattern: RegExp): Promise<string | undefined> {
  try {
    return pattern.exec(await readFile(file, 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

const run = promisify(execFile);
const describeFailure = (e: unknown) => `unreachable (${(e as Error).message})`;

export async function machineInfo(pgAdminUrl: string, redisUrl: string | undefined): Promise<MachineInfo> {
  const [cpuModel, distro, postgres, redis, pgbench, packages] = await Promise.all([
    firstMatch('/proc/cpuinfo', /^model name\s*:\s*(.+)$/m),
    firstMatch('/etc/os-release', /^PRETTY_NAME="?([^"\n]+)"?$/m),
    postgresVersion(pgAdminUrl).catch(describeFailure),
    redisUrl ? redisVersion(redisUrl).catch(describeFailure) : Promise.resolve('not reachable'),
    pgbenchVersion(),
    installedVersions(),
  ]);
  return {
    cpu: cpuModel ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memory: formatBytes(os.totalmem()),
    os: `${distro ?? os.type()} (${os.type()} ${os.release()}, ${os.arch()})`,
    node: process.version,
    postgres,
    redis,
    pgbench,
    packages,
    loadAverage: os.loadavg().map((l) => l.toFixed(2)).join(' / '),
  };
}
