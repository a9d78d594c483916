import { Global, Module } from '@nestjs/common';
import { EngineConfig, loadEngineConfig } from './engine-config.js';

export const ENGINE_CONFIG = Symbol('ENGINE_CONFIG');

/**
 * Provides the validated EngineConfig. Tests and the bench pass their own object;
 * otherwise it is read from the environment once.
 */
@Global()
@Module({})
export class EngineConfigModule {
  static forRoot(config?: EngineConfig) {
    return {
      module: EngineConfigModule,
      providers: [{ provide: ENGINE_CONFIG, useFactory: () => config ?? loadEngineConfig() }],
      exports: [ENGINE_CONFIG],
    };
  }
}
