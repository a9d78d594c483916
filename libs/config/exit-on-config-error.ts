import { ConfigError, type EngineConfig } from './engine-config.js';

/** At boot: print which variables are wrong and exit 1, instead of a stack trace. */
export function exitOnConfigError(load: () => EngineConfig): EngineConfig {
  try {
    return load();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}
