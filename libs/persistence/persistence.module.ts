import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ENGINE_CONFIG } from '../config/config.module.js';
import type { EngineConfig } from '../config/engine-config.js';
import { buildDataSourceOptions, resolveDatabaseUrl } from './data-source-options.js';
import { ENTITIES } from './entities/index.js';
import { PreparedStatements } from './prepared-statements.js';
import { runMigrationsLocked } from './run-migrations.js';

/** TypeORM on PostgreSQL (or the embedded PGlite); migrations run on start under an advisory lock. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ENGINE_CONFIG],
      useFactory: async (config: EngineConfig) => ({
        ...buildDataSourceOptions(await resolveDatabaseUrl(config), config.database.poolSize, config.embedded),
        migrationsRun: false,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
      dataSourceFactory: async (options) => {
        const ds = await new DataSource(options!).initialize();
        await runMigrationsLocked(ds);
        return ds;
      },
    }),
    TypeOrmModule.forFeature(ENTITIES),
  ],
  providers: [PreparedStatements],
  exports: [TypeOrmModule, PreparedStatements],
})
export class PersistenceModule {}
