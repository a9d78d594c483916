import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import helmet from '@fastify/helmet';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { loadEngineConfig, type EngineConfig } from '../../libs/config/engine-config.js';
import { correlationIdOf } from '../../libs/observability/correlation-id.js';
import { MetricsService } from '../../libs/observability/metrics.service.js';
import { ApiModule } from './api.module.js';
import { IMPORT_BODY_LIMIT, DEFAULT_BODY_LIMIT, registerJsonBodyParser } from './common/json-body-parser.js';
import { globalValidationPipe } from './common/validation.pipe.js';

export interface CreateApiOptions {
  config?: EngineConfig;
  withWorker?: boolean;
  /** Keep Nest's bootstrap logs quiet (tests). */
  quiet?: boolean;
  /**
   * Serve Swagger UI at /docs (default). Tests keep only /docs-json: the UI's static-file plugin pulls in an
   * ESM-only dependency that Jest's module loader cannot require on Node 20.
   */
  swaggerUi?: boolean;
  /**
   * Serve the web console (dist/web, built by `npm run build:web`) at `/`, with index.html for every other
   * non-API GET (default). Tests turn it off: @fastify/static is ESM-only, which Jest cannot load on Node 20.
   */
  webConsole?: boolean;
}

/** Builds the HTTP app (fastify) with everything the contract needs; `listen` is the caller's. */
export async function createApiApp(options: CreateApiOptions = {}): Promise<NestFastifyApplication> {
  const config = options.config ?? loadEngineConfig();
  const adapter = new FastifyAdapter({
    bodyLimit: IMPORT_BODY_LIMIT,
    genReqId: correlationIdOf,
    requestIdHeader: false,
    trustProxy: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot({ config, withWorker: options.withWorker }), adapter, {
    bufferLogs: true,
    // Our own JSON parser enforces the contract's per-route body limits and error shape.
    bodyParser: false,
    logger: options.quiet ? false : undefined,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.setGlobalPrefix('api/v1', { exclude: ['health', 'health/ready', 'metrics'] });
  app.useGlobalPipes(globalValidationPipe());
  if (config.http.corsOrigins !== false) app.enableCors({ origin: config.http.corsOrigins, exposedHeaders: ['X-Correlation-Id'] });

  const fastify = app.getHttpAdapter().getInstance();
  registerJsonBodyParser(fastify);
  await app.register(helmet as never, {
    // Swagger UI needs inline styles and data: images; the console's bundle is same-origin scripts and calls
    // (its component library injects <style> elements, which style-src 'unsafe-inline' allows). Requests are not
    // upgraded to https: on a plain-http intranet address that would break every asset of the console.
    contentSecurityPolicy: {
      directives: {
        'img-src': ["'self'", 'data:', 'validator.swagger.io'],
        'script-src': ["'self'"],
        'connect-src': ["'self'"],
        'upgrade-insecure-requests': null,
      },
    },
  });
  if (options.webConsole ?? true) await registerWebConsole(app);
  const metrics = app.get(MetricsService);
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('X-Correlation-Id', request.id);
    // Refuse oversize bodies before reading them (the parser also checks bodies sent without a length).
    const length = Number(request.headers['content-length'] ?? 0);
    const limit = request.url.startsWith('/api/v1/catalogue/import') ? IMPORT_BODY_LIMIT : DEFAULT_BODY_LIMIT;
    if (length > limit) throw Object.assign(new Error('The request body is too large.'), { statusCode: 413 });
  });
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.observeHttp(request.method, request.routeOptions?.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Referral engine API')
      .setDescription('Two-way referral (双向转诊) and grassroots-first diagnosis (基层首诊) in a county medical community.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', ui: options.swaggerUi ?? true });
  return app;
}

/** Where `npm run build:web` puts the console: dist/web, beside the compiled dist/apps/api. */
const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
/** Paths the console never answers: they keep their own routes and the contract's 404. */
const NOT_CONSOLE = /^\/(api|health|metrics|docs)(?:[/?.-]|$)/;

/**
 * The web console: hashed assets cached for a year, index.html revalidated on every load and sent for every
 * other GET outside the API (client-side routes such as /referrals/:id), pre-compressed copies (.br, .gz) served
 * to browsers that accept them. Without a build, the API runs alone and says so.
 */
async function registerWebConsole(app: NestFastifyApplication): Promise<void> {
  if (!existsSync(join(WEB_ROOT, 'index.html'))) {
    app.get(Logger).warn(`web console not served: ${WEB_ROOT}index.html is missing (npm run build:web)`, 'Bootstrap');
    return;
  }
  const { default: fastifyStatic } = await import('@fastify/static');
  await app.register(fastifyStatic as never, {
    root: WEB_ROOT,
    prefix: '/',
    wildcard: false,
    globIgnore: ['**/*.br', '**/*.gz'],
    preCompressed: true,
    cacheControl: false,
    setHeaders: (reply: { header(name: string, value: string): unknown }, path: string) => {
      reply.header('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/*', (request, reply) => {
    if (NOT_CONSOLE.test(request.url)) return reply.callNotFound();
    return (reply as unknown as { sendFile(file: string): unknown }).sendFile('index.html');
  });
}

/** Creates, initialises and listens; logs where. */
export async function startApi(options: CreateApiOptions = {}): Promise<NestFastifyApplication> {
  const config = options.config ?? loadEngineConfig();
  const app = await createApiApp({ ...options, config });
  await app.listen(config.http.port, config.http.host);
  app.get(Logger).log(`referral engine API listening on http://${config.http.host}:${config.http.port} (docs at /docs)`, 'Bootstrap');
  return app;
}
