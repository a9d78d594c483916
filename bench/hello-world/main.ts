import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { HelloModule } from './hello.module.js';

/**
 * The baseline for the HTTP benchmarks: a bare Nest fastify app with one `GET /` returning `{ status: 'ok' }`,
 * nothing else (no logging, guards, hooks or database). `PORT` and `HOST` as for the engine.
 */
const app = await NestFactory.create<NestFastifyApplication>(HelloModule, new FastifyAdapter(), { logger: ['error'] });
app.enableShutdownHooks();
await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
