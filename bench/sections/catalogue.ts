import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CatalogueModule } from '../../libs/catalogue/catalogue.module.js';
import { CatalogueService } from '../../libs/catalogue/catalogue.service.js';
import { loadEngineConfig } from '../../libs/config/engine-config.js';
import { CoreModule } from '../../libs/core.module.js';
import type { Actor } from '../../libs/domain/shared/actor.js';
import type { BenchContext, BenchSection } from '../bench-context.js';
import { CleanupScope } from '../lib/cleanup.js';
import { table } from '../lib/markdown.js';
import { createScratchDatabase, databaseUrl, dropDatabase, withPgClient } from '../lib/postgres.js';
import { formatInt, formatMs, percentile } from '../lib/stats.js';

/** Look-ups take microseconds: show them as such. */
const formatLatency = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(ms < 0.01 ? 2 : 0)} µs` : formatMs(ms));

/**
 * Catalogue: grows the catalogue to 10,000 synthetic conditions (plus the 44 of the seed) in a scratch database,
 * then measures ICD-10 matching and search through CatalogueService, next to plain indexed PostgreSQL look-ups
 * on the same data measured in the same run.
 */
export const catalogueSection: BenchSection = { name: 'catalogue', run: runCatalogue };

@Module({})
class CatalogueBenchModule {}

// Letters the seed does not use: the synthetic ranges never overlap it.
const LETTERS = ['P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y'];
const WORDS = ['头痛', '发热', '咳嗽', '腹泻', '骨折', '感染', '肿瘤', '炎症', '出血', '损伤', '结石', '囊肿', '溃疡', '硬化', '增生'];
const PLACES = ['肝', '肺', '肾', '胃', '脑', '心', '骨', '眼', '耳', '皮肤', '关节', '血管'];

interface Plan { conditions: number; matchSamples: number; searchSamples: number; sqlSamples: number }

async function runCatalogue(ctx: BenchContext): Promise<string> {
  const plan: Plan = ctx.quick
    ? { conditions: 2_000, matchSamples: 2_000, searchSamples: 200, sqlSamples: 2_000 }
    : { conditions: 10_000, matchSamples: 20_000, searchSamples: 2_000, sqlSamples: 20_000 };
  const scope = new CleanupScope();
  try {
    const db = await createScratchDatabase(ctx.pgAdminUrl, 'bench_catalogue');
    scope.defer(`drop database ${db}`, () => dropDatabase(ctx.pgAdminUrl, db));
    const url = databaseUrl(ctx.pgAdminUrl, db);
    const config = loadEngineConfig({
      NODE_ENV: 'development',
      LOG_LEVEL: 'silent',
      DATABASE_URL: url,
      ...(ctx.redisUrl ? { REDIS_URL: ctx.redisUrl } : {}),
      QUEUE_PREFIX: `bench_catalogue_${randomBytes(3).toString('hex')}`,
      JWT_SECRET: randomBytes(24).toString('hex'),
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: randomBytes(12).toString('hex'),
      DEMO_DATA: 'false',
    });

    ctx.log(`booting the catalogue on ${db} (migrations + seed)`);
    let t0 = performance.now();
    const app: INestApplicationContext = await NestFactory.createApplicationContext(
      { module: CatalogueBenchModule, imports: [CoreModule.forRoot(config), CatalogueModule] },
      { logger: false },
    );
    scope.defer('close the catalogue app', () => app.close());
    const bootMs = performance.now() - t0;
    const catalogue = app.get(CatalogueService);
    const admin = await withPgClient(url, async (c) => (await c.query<{ id: string }>(`SELECT id FROM users WHERE username = 'admin'`)).rows[0]);
    const actor: Actor = { id: admin.id, username: 'admin', displayName: 'admin', role: 'admin', institutionId: null };

    ctx.log(`importing ${formatInt(plan.conditions)} synthetic conditions`);
    const entries = synthetic(plan.conditions);
    t0 = performance.now();
    const imported = await catalogue.importConditions(actor, entries);
    const importMs = performance.now() - t0;
    t0 = performance.now();
    const published = await catalogue.publish(actor, 'bench: synthetic conditions');
    const publishMs = performance.now() - t0;
    const version = published.version;
    ctx.log(`published version ${version} (${formatInt(imported.created)} created) in ${formatMs(publishMs)}`);

    // The first look-up of a version loads and compiles it; later ones hit the per-process cache.
    const codes = lookupCodes(entries, plan.matchSamples);
    t0 = performance.now();
    const firstHit = await catalogue.matchCondition(codes[0], version);
    const compileMs = performance.now() - t0;
    if (!firstHit) throw new Error(`expected ${codes[0]} to match`);

    const matchMs: number[] = [];
    let hits = 0;
    for (const code of codes) {
      const s = performance.now();
      if (await catalogue.matchCondition(code, version)) hits++;
      matchMs.push(performance.now() - s);
    }

    const queries = searchQueries(entries);
    const searchMs: number[] = [];
    let found = 0;
    for (let i = 0; i < plan.searchSamples; i++) {
      const q = queries[i % queries.length];
      const s = performance.now();
      const page = await catalogue.list(actor, { q, limit: 20, version });
      searchMs.push(performance.now() - s);
      if (page.items.length > 0) found++;
    }

    ctx.log('measuring plain PostgreSQL look-ups on the same data');
    const sql = await withPgClient(url, async (c) => {
      // The fairest plain baseline: every exact code, indexed, answered by a primary-key look-up. It cannot answer
      // ranges, nesting or codes longer than the stored ones (I10.x00 under I10-I15); the matcher does.
      await c.query('CREATE TABLE bench_icd_lookup (code text PRIMARY KEY, condition_code text NOT NULL)');
      await c.query(
        `INSERT INTO bench_icd_lookup (code, condition_code)
         SELECT DISTINCT ON (r) r, code FROM catalogue_conditions, unnest(icd10) AS r WHERE version = $1 AND r NOT LIKE '%-%'`,
        [version],
      );
      await c.query('ANALYZE bench_icd_lookup');
      await c.query('ANALYZE catalogue_conditions');
      const exact = codes.map((code) => code.slice(0, 5));
      const lookupMs: number[] = [];
      for (let i = 0; i < plan.sqlSamples; i++) {
        const s = performance.now();
        await c.query('SELECT condition_code FROM bench_icd_lookup WHERE code = $1', [exact[i % exact.length]]);
        lookupMs.push(performance.now() - s);
      }
      // What a SQL search by name or pinyin costs without a search index (a scan of the version's rows).
      const likeMs: number[] = [];
      for (let i = 0; i < Math.min(plan.searchSamples, 500); i++) {
        const q = queries[i % queries.length].toLowerCase();
        const s = performance.now();
        await c.query(
          `SELECT code FROM catalogue_conditions WHERE version = $1
             AND (name_zh LIKE $2 OR lower(name_en) LIKE $2 OR pinyin LIKE $2 OR pinyin_initials LIKE $2 OR code LIKE $2)
           ORDER BY code LIMIT 21`,
          [version, `%${q}%`],
        );
        likeMs.push(performance.now() - s);
      }
      return { lookupMs, likeMs };
    });

    const row = (what: string, samples: number[], note: string) => [what, formatInt(samples.length), formatLatency(percentile(samples, 50)), formatLatency(percentile(samples, 99)), note];
    const total = plan.conditions + 44;
    const p = (samples: number[], q: number) => formatLatency(percentile(samples, q));
    return [
      '## Catalogue: ICD-10 matching and search',
      '',
      `Catalogue of ${formatInt(total)} conditions (${formatInt(plan.conditions)} synthetic + the 44 of the seed), version ${version}, ` +
        `on PostgreSQL${ctx.redisUrl ? ' (queue on Redis)' : ''}; one client, calls in sequence, timings per call.`,
      '',
      table(
        ['operation', 'calls', 'p50', 'p99', 'note'],
        [
          row('match (CatalogueService.matchCondition)', matchMs, `${formatInt(hits)} hits; in-memory segment index, one binary search`),
          row('search (CatalogueService.list, q=…, limit 20)', searchMs, `${formatInt(found)} with results; names, pinyin, initials, ICD-10`),
          row('plain PostgreSQL: `SELECT … WHERE code = $1` (primary key)', sql.lookupMs, 'exact codes only, no ranges; includes the network round trip'),
          row('plain PostgreSQL: `LIKE` search on the version’s rows', sql.likeMs, 'no ranking, no search index'),
        ],
        ['left', 'right', 'right', 'right', 'left'],
      ),
      '',
      table(
        ['one-off step', 'time'],
        [
          ['boot (migrations, admin and catalogue seed)', formatMs(bootMs)],
          [`import ${formatInt(plan.conditions)} conditions into the draft`, formatMs(importMs)],
          [`publish version ${version} (diff, overlap check, ${formatInt(total)} rows)`, formatMs(publishMs)],
          [`first match on version ${version} (load + compile, then cached)`, formatMs(compileMs)],
        ],
        ['left', 'right'],
      ),
      '',
      `**In short:** matching an ICD-10 code against ${formatInt(total)} conditions takes ${p(matchMs, 50)} p50 (${p(matchMs, 99)} p99; a primary-key look-up in PostgreSQL, exact codes only: ${p(sql.lookupMs, 50)}); a search by name, pinyin, initials or code ${p(searchMs, 50)} p50 and ${p(searchMs, 99)} p99, against ${p(sql.likeMs, 99)} p99 for an unindexed \`LIKE\` that does not rank.`,
    ].join('\n');
  } finally {
    const failures = await scope.close();
    for (const f of failures) ctx.log(`cleanup: ${f}`);
  }
}

/** `count` non-overlapping conditions: one ICD-10 subcategory each, names from a small vocabulary. */
function synthetic(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const letter = LETTERS[i % LETTERS.length];
    const n = Math.floor(i / LETTERS.length);
    const category = String(Math.floor(n / 10) % 100).padStart(2, '0');
    const sub = n % 10;
    const nameZh = `${PLACES[i % PLACES.length]}${WORDS[Math.floor(i / PLACES.length) % WORDS.length]}${i}型`;
    return {
      code: `bench_${i}`,
      nameZh,
      nameEn: `Synthetic condition ${i}`,
      icd10: [`${letter}${category}.${sub}`],
      category: 'synthetic',
      tier: i % 2 === 0 ? 'township' : 'county',
      grassrootsFirst: i % 3 !== 0,
      upwardIndications: [
        { text: `急诊转诊：合成指征 ${i}`, emergency: true },
        { text: `合成指征 ${i}`, emergency: false },
      ],
      downwardCriteria: [{ text: `病情稳定 ${i}` }],
    };
  });
}

/** Clinical-style codes under the synthetic subcategories (hits), with every tenth one outside them (a miss). */
function lookupCodes(entries: { icd10: string[] }[], n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const range = entries[(i * 7919) % entries.length].icd10[0];
    return i % 10 === 9 ? `Z99.${i % 10}` : `${range}${String(i % 100).padStart(2, '0')}`;
  });
}

function searchQueries(entries: { code: string; nameZh: string; icd10: string[] }[]): string[] {
  const some = entries[Math.floor(entries.length / 2)];
  return ['gaoxueya', 'gxy', '高血压', 'Hypertension', 'I10', 'I63.9', '肝肿瘤', 'ganzhongliu', 'fjb', some.code, some.icd10[0], some.nameZh, '结石', 'zzzz'];
}
