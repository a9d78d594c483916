import 'reflect-metadata';
import { loadEngineConfig } from '../../libs/config/engine-config.js';
import { exitOnConfigError } from '../../libs/config/exit-on-config-error.js';
import { installProcessGuards } from '../../libs/observability/process-guards.js';
import { startApi } from '../api/bootstrap.js';

/** `npm start`: API and worker in one process, on the embedded default or on DATABASE_URL / REDIS_URL. */
const config = exitOnConfigError(loadEngineConfig);
installProcessGuards();
await startApi({ config, withWorker: true });
