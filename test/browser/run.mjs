#!/usr/bin/env node
// `npm run test:browser [-- <name filter>]`: the web console in Debian's Chromium (headless, via playwright-core)
// against the built engine started on the embedded default with the demo community. Runs the scenarios in
// order, saves screenshots of the main screens to docs/screenshots, and ends with "N passed, N failed".
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { REPO, startEngine } from './engine.mjs';
import { SCENARIOS } from './scenarios.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling Google on a closed network.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SCENARIO_TIMEOUT_MS = 120_000;

const filter = process.argv[2];
const selected = SCENARIOS.filter((s) => !filter || s.name.includes(filter));
const started = Date.now();
const dir = mkdtempSync(join(tmpdir(), 'referral-browser-'));
const failures = join(REPO, 'test-output/browser');
mkdirSync(failures, { recursive: true });
let passed = 0;
let failed = 0;
let engine;
let browser;

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

try {
  console.log(`starting the engine (embedded, demo data) in ${dir}`);
  engine = await startEngine(dir);
  console.log(`engine ready at ${engine.base} after ${((Date.now() - started) / 1000).toFixed(1)} s; launching ${CHROMIUM}`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  for (const scenario of selected) {
    const ctx = { base: engine.base, browser, pageErrors: [], sessions: [] };
    const t0 = Date.now();
    try {
      await withTimeout(scenario.run(ctx), SCENARIO_TIMEOUT_MS, scenario.name);
      const errors = ctx.pageErrors.flat();
      if (errors.length > 0) throw new Error(`uncaught errors in the page: ${errors.join(' | ')}`);
      passed++;
      console.log(`ok   ${scenario.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${scenario.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n     ${String(e?.stack ?? e).split('\n').slice(0, 6).join('\n     ')}`);
      let n = 0;
      for (const context of browser.contexts()) {
        for (const page of context.pages()) {
          await page.screenshot({ path: join(failures, `${scenario.name.replace(/\W+/g, '-')}-${++n}.png`) }).catch(() => undefined);
        }
      }
      console.log(`     screenshots of the open pages: ${failures}`);
    } finally {
      for (const context of browser.contexts()) await context.close().catch(() => undefined);
    }
  }
} catch (e) {
  failed++;
  console.log(`FAIL setup: ${e?.stack ?? e}`);
} finally {
  await browser?.close().catch(() => undefined);
  if (engine) {
    if (failed > 0) console.log(`engine log (last lines):\n${engine.log()}`);
    await engine.stop();
  }
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\n${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
