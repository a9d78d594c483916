import { readFile } from 'node:fs/promises';
import os from 'node:os';
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
  loadAverage: string;
}

async function firstMatch(file: string, pattern: RegExp): Promise<string | undefined> {
  try {
    return pattern.exec(await readFile(file, 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

const describeFailure = (e: unknown) => `unreachable (${(e as Error).message})`;

export async function machineInfo(pgAdminUrl: string, redisUrl: string | undefined): Promise<MachineInfo> {
  const [cpuModel, distro, postgres, redis] = await Promise.all([
    firstMatch('/proc/cpuinfo', /^model name\s*:\s*(.+)$/m),
    firstMatch('/etc/os-release', /^PRETTY_NAME="?([^"\n]+)"?$/m),
    postgresVersion(pgAdminUrl).catch(describeFailure),
    redisUrl ? redisVersion(redisUrl).catch(describeFailure) : Promise.resolve('not reachable'),
  ]);
  return {
    cpu: cpuModel ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memory: formatBytes(os.totalmem()),
    os: `${distro ?? os.type()} (${os.type()} ${os.release()}, ${os.arch()})`,
    node: process.version,
    postgres,
    redis,
    loadAverage: os.loadavg().map((l) => l.toFixed(2)).join(' / '),
  };
}
