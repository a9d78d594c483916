import { DataSource } from 'typeorm';
import { loadEngineConfig } from '../../config/engine-config.js';
import { buildDataSourceOptions, resolveDatabaseUrl } from '../data-source-options.js';

/** The CLI's data source: the same options as the app, pointed at DATABASE_URL (or the embedded PGlite). */
export async function cliDataSource(): Promise<DataSource> {
  const config = loadEngineConfig();
  const url = await resolveDatabaseUrl(config);
  const ds = new DataSource(buildDataSourceOptions(url, 2, config.embedded));
  await ds.initialize();
  return ds;
}
