import { fileURLToPath } from 'node:url';

/** The repository root (this file runs as dist/bench/lib/paths.js). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Absolute path of a compiled entry point, e.g. `distPath('apps/engine/main.js')`. */
export const distPath = (relative: string): string => fileURLToPath(new URL(`../../${relative}`, import.meta.url));
