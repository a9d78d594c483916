import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadEngineConfig } from '../../libs/config/engine-config.js';
import { exitOnConfigError } from '../../libs/config/exit-on-config-error.js';
import { installProcessGuards } from '../../libs/observability/process-guards.js';
import { WorkerModule } from './worker.module.js';

/** The worker process: no HTTP; SIGTERM drains running jobs and closes connections. */
const config = exitOnConfigError(loadEngineConfig);
installProcessGuards();
const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
app.useLogger(app.get(Logger));
app.enableShutdownHooks();
app.get(Logger).log('referral engine worker started', 'Bootstrap');
