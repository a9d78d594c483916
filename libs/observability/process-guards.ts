import { Logger } from '@nestjs/common';

/**
 * A background loop (a queue worker, a pool reconnect) that lets a rejection escape must not take the API down with
 * it: log it (without data: the message only) and keep serving. Installed once per process by the entry points.
 */
export function installProcessGuards(): void {
  const logger = new Logger('Process');
  process.on('unhandledRejection', (reason) => {
    const err = reason as Error;
    logger.error({ err: { name: err?.name, message: err?.message?.slice(0, 300), stack: err?.stack?.split('\n').slice(1, 6).join('\n') } }, 'unhandled rejection');
  });
}
