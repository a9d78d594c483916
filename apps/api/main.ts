import 'reflect-metadata';
import { loadEngineConfig } from '../../libs/config/engine-config.js';
import { exitOnConfigError } from '../../libs/config/exit-on-config-error.js';
import { installProcessGuards } from '../../libs/observability/process-guards.js';
import { startApi } from './bootstrap.js';

/** The API process alone (production runs the worker as its own process: `npm run start:worker`). */
const config = exitOnConfigError(loadEngineConfig);
installProcessGuards();
await startApi({ config, withWorker: false });
