import { Init1795461790717 } from './1795461790717-Init.js';

/** Every migration in order; listed explicitly because ESM cannot glob-load classes portably. */
export const MIGRATIONS: Function[] = [Init1795461790717];
