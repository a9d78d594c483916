import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { bearer } from '../../libs/testing/fixtures.js';
import { storableHostileText } from '../../libs/testing/fuzz-arbitraries.js';
import { checkProperty, expectPage, queryString } from '../../libs/testing/fuzz-harness.js';
import { createFuzzWorld, type FuzzWorld } from '../../libs/testing/fuzz-world.js';
import { patient, upReferral } from '../../libs/testing/referral-builders.js';

/**
 * Hostile text that is valid input — SQL, markup, right-to-left overrides, zero-width characters, emoji, astral
 * CJK — is stored and given back exactly as sent, and searching for it answers a page.
 */
describe('fuzz: hostile but valid text is kept verbatim', () => {
  let w: FuzzWorld;
  let n = 0;

  beforeAll(async () => {
    w = await createFuzzWorld();
  });
  afterAll(async () => {
    if (w) console.log(`[fuzz] text: ${w.client.count} requests`);
    await w?.t.close();
  });

  it('keeps every free-text field of a referral as sent, and the worklist search answers a page for it', async () => {
    await checkProperty(
      'referral text round trip',
      fc.record({
        name: storableHostileText(50),
        reason: storableHostileText(200),
        history: storableHostileText(200),
        allergies: storableHostileText(60),
        treatmentSoFar: storableHostileText(60),
        toDepartment: storableHostileText(60),
        diagnosisText: storableHostileText(100),
        healthRecordNo: storableHostileText(30),
        submit: fc.boolean(),
      }),
      async (v) => {
        const body = upReferral(w.c, {
          patient: patient({ name: v.name, healthRecordNo: v.healthRecordNo }),
          reason: v.reason,
          history: v.history,
          allergies: v.allergies,
          treatmentSoFar: v.treatmentSoFar,
          toDepartment: v.toDepartment,
          diagnosis: { icd10: 'I10.x00', text: v.diagnosisText },
          submit: v.submit,
        });
        const created = await w.client.send({ method: 'POST', url: '/api/v1/referrals', headers: bearer(w.c.townshipDoctor), body });
        expect(created.status).toBe(201);
        const read = await w.client.send({ method: 'GET', url: `/api/v1/referrals/${created.body.id}`, headers: bearer(w.c.townshipDoctor) });
        expect(read.status).toBe(200);
        expect({
          name: read.body.patient.name,
          healthRecordNo: read.body.patient.healthRecordNo,
          reason: read.body.reason,
          history: read.body.history,
          allergies: read.body.allergies,
          treatmentSoFar: read.body.treatmentSoFar,
          toDepartment: read.body.toDepartment,
          diagnosisText: read.body.diagnosis.text,
        }).toEqual({
          // The patient's name and record number are identifiers: kept without surrounding blanks.
          name: v.name.trim(),
          healthRecordNo: v.healthRecordNo.trim(),
          reason: v.reason,
          history: v.history,
          allergies: v.allergies,
          treatmentSoFar: v.treatmentSoFar,
          toDepartment: v.toDepartment,
          diagnosisText: v.diagnosisText,
        });
        const search = await w.client.send({ method: 'GET', url: `/api/v1/referrals${queryString({ box: 'outgoing', q: v.name })}`, headers: bearer(w.c.townshipDoctor) });
        expectPage(search);
        // Cancel it, so the patient holds no open referral and the worklist stays small.
        const cancelled = await w.client.send({ method: 'POST', url: `/api/v1/referrals/${created.body.id}/actions/cancel`, headers: bearer(w.c.townshipDoctor), body: { version: read.body.version } });
        expect(cancelled.status).toBe(200);
      },
      { seed: 0x7e47, numRuns: 120 },
    );
  });

  it('keeps reason-code labels, institution names and display names as sent', async () => {
    await checkProperty(
      'labels and names round trip',
      fc.record({ zh: storableHostileText(60), en: storableHostileText(60), name: storableHostileText(60), display: storableHostileText(60) }),
      async (v) => {
        n++;
        const code = await w.client.send({ method: 'POST', url: '/api/v1/reason-codes', headers: bearer(w.c.admin), body: { code: `fuzz_text_${n}`, labelZh: v.zh, labelEn: v.en } });
        expect(code.status).toBe(201);
        expect({ labelZh: code.body.labelZh, labelEn: code.body.labelEn }).toEqual({ labelZh: v.zh, labelEn: v.en });
        const institution = await w.client.send({ method: 'POST', url: '/api/v1/institutions', headers: bearer(w.c.admin), body: { code: `fuzz-text-${n}`, name: v.name, level: 'village' } });
        expect(institution.status).toBe(201);
        expect(institution.body.name).toBe(v.name);
        const user = await w.client.send({
          method: 'POST',
          url: '/api/v1/users',
          headers: bearer(w.c.admin),
          body: { username: `fuzz.text.${n}`, password: 'long-enough-1', displayName: v.display, role: 'coordinator', institutionId: institution.body.id },
        });
        expect(user.status).toBe(201);
        expect(user.body.displayName).toBe(v.display);
      },
      { seed: 0x1abe1, numRuns: 40 },
    );
    const codes = await w.client.send({ method: 'GET', url: '/api/v1/reason-codes', headers: bearer(w.c.countyDoctor) });
    expectPage(codes);
    expect(codes.body.items.filter((c: { code: string }) => c.code.startsWith('fuzz_text_'))).toHaveLength(n);
  });

  it('keeps a draft condition’s names and texts as sent (pinyin is computed from whatever the name is), and search answers a page', async () => {
    await checkProperty(
      'condition text round trip',
      fc.record({ nameZh: storableHostileText(60), nameEn: storableHostileText(60), category: storableHostileText(60), up: storableHostileText(100), down: storableHostileText(100), note: storableHostileText(100) }),
      async (v) => {
        n++;
        const body = {
          code: `fuzz_text_${n}`,
          nameZh: v.nameZh,
          nameEn: v.nameEn,
          icd10: [`Z${String(n % 100).padStart(2, '0')}.9`],
          category: v.category,
          tier: 'county',
          grassrootsFirst: false,
          upwardIndications: [{ text: v.up, emergency: false }],
          downwardCriteria: [{ text: v.down }],
          note: v.note,
        };
        const created = await w.client.send({ method: 'POST', url: '/api/v1/catalogue/conditions', headers: bearer(w.c.admin), body });
        expect(created.status).toBe(201);
        expect(typeof created.body.pinyin).toBe('string');
        const read = await w.client.send({ method: 'GET', url: `/api/v1/catalogue/conditions/${body.code}?version=draft`, headers: bearer(w.c.admin) });
        expect(read.status).toBe(200);
        expect({
          nameZh: read.body.nameZh,
          nameEn: read.body.nameEn,
          category: read.body.category,
          up: read.body.upwardIndications[0].text,
          down: read.body.downwardCriteria[0].text,
          note: read.body.note,
        }).toEqual({ nameZh: v.nameZh, nameEn: v.nameEn, category: v.category, up: v.up, down: v.down, note: v.note });
        for (const q of [v.nameZh, v.nameEn, created.body.pinyin].filter((s) => s.length <= 200)) {
          expectPage(await w.client.send({ method: 'GET', url: `/api/v1/catalogue/conditions${queryString({ q, version: 'draft' })}`, headers: bearer(w.c.admin) }));
        }
      },
      { seed: 0xc0de, numRuns: 100 },
    );
  });

  // The fuzz files together send well over 10,000 generated requests per run; this file's share:
  it('sent at least 1,000 requests', () => {
    expect(w.client.count).toBeGreaterThanOrEqual(1_000);
  });
});
