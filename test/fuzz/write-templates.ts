import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { DEFAULT_DEADLINE_SETTINGS } from '../../libs/domain/referral/deadlines.js';
import type { SignedIn } from '../../libs/testing/fixtures.js';
import { hostileText, notAUuid, notIcd10, UNSTORABLE, unknownUuid } from '../../libs/testing/fuzz-arbitraries.js';
import type { HttpMethod } from '../../libs/testing/fuzz-harness.js';
import type { FuzzWorld } from '../../libs/testing/fuzz-world.js';
import { createReferral, handover, patient, upReferral } from '../../libs/testing/referral-builders.js';

/**
 * For each write endpoint of the contract: who may call it, a body it accepts, and for chosen fields values
 * that make the body invalid. The fuzzer breaks one field at a time, so every refusal has one known cause.
 */
export interface WriteTemplate {
  method: HttpMethod;
  path: string;
  as: (w: FuzzWorld) => SignedIn | undefined;
  /** Fresh state for one phase (the validity check, or the fuzzing): path values and a body factory. */
  setup: (w: FuzzWorld) => Promise<{ pathValues: Record<string, string>; body: () => unknown }>;
  /** The status a valid body answers; null: not checked (publishing would change the world for the rest). */
  ok: number | null;
  /** Dot paths (array indexes as numbers) → values that make the body invalid (400). */
  invalid: Record<string, fc.Arbitrary<unknown>>;
  /** Dot paths of fields the body needs (removing one → 400). */
  required: string[];
  /** Unknown properties are refused (forbidNonWhitelisted or an explicit check). */
  strict: boolean;
  /** The top level must be a JSON object (or array for the import): anything else → 400. */
  topLevel: 'object' | 'array';
}

const tag = () => randomBytes(4).toString('hex');

// Values of the wrong type, per expected type. `null` counts as wrong only where the field is required.
const notString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(1.5), fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }), fc.constant({ a: 1 }));
const notInteger = fc.oneof(fc.string({ maxLength: 5 }), fc.boolean(), fc.constantFrom(1.5, -0.5, 1e-9), fc.constant([1]), fc.constant({ n: 1 }));
const notBoolean = fc.oneof(fc.constantFrom('true', 'false', 1, 0, 'yes', [], {}));
const notArray = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant({ 0: 'a' }));
const notObject = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant([{}]));
const unstorable = fc.constantFrom(...UNSTORABLE);
const notIcd10Range = fc.oneof(fc.constantFrom('', 'I', '10', 'I10-', '-I10', 'I10--I15', 'I10..1', 'Ｉ１０', 'I10;DROP', 'I10 - I15', 'i10\u0000'), unstorable);
const tooLong = (max: number) => fc.integer({ min: max + 1, max: max + 50 }).map((n) => '长'.repeat(n));
const notIn = (allowed: readonly unknown[]) => fc.oneof(hostileText(20), fc.constantFrom('ADMIN', 'Admin ', ' up', 'UP', 'routine\u0000')).filter((v) => !allowed.includes(v));
const requiredText = (max: number, allowEmpty = false) =>
  fc.oneof(notString, fc.constant(null), unstorable, tooLong(max), ...(allowEmpty ? [] : [fc.constantFrom('')]));
const optionalText = (max: number) => fc.oneof(notString, unstorable, tooLong(max));
const rfc3339Bad = fc.constantFrom('tomorrow', '2026-13-01T00:00:00Z', '2026-12-01 09:00', '2026-12-01', '1700000000', '2026-12-01T25:00:00Z', '');

/** A valid resident ID with one digit changed: the checksum no longer holds. */
const badResidentId = fc.oneof(
  fc.constantFrom('110101195803070000', '11010119580307001', '1101011958030700111', 'ABCDEFGHIJKLMNOPQR', '110101189913320013', ''),
  fc.integer({ min: 0, max: 16 }).map((i) => {
    const id = patient().idNumber as string;
    return id.slice(0, i) + String((Number(id[i]) + 1) % 10) + id.slice(i + 1);
  }),
);

const referralInvalid: Record<string, fc.Arbitrary<unknown>> = {
  urgency: fc.oneof(notIn(['routine', 'urgent', 'emergency']), fc.constant(null)),
  patient: fc.oneof(notObject, fc.constant(null)),
  'patient.name': requiredText(100),
  'patient.gender': notIn(['male', 'female', 'unknown']),
  'patient.birthDate': fc.oneof(notString, fc.constantFrom('1958-3-7', '07/03/1958', '1958-03-08', '19580307', '')),
  'patient.idNumber': fc.oneof(notString, badResidentId),
  'patient.phone': optionalText(32),
  diagnosis: fc.oneof(notObject, fc.constant(null)),
  'diagnosis.icd10': fc.oneof(notString, notIcd10),
  'diagnosis.text': requiredText(500),
  reason: requiredText(4000),
  indications: fc.oneof(notArray, fc.constant([1]), fc.constant(['hypertension.up.99']), fc.array(hostileText(20).map((s) => `nope.${s}`), { minLength: 1, maxLength: 3 })),
  consent: fc.oneof(notObject, fc.constant(null)),
  'consent.obtained': fc.constantFrom(false, 'true', 1, null, 'yes', {}),
  'consent.by': notIn(['patient', 'guardian']),
  history: optionalText(4000),
  allergies: optionalText(4000),
  treatmentSoFar: optionalText(4000),
  toDepartment: optionalText(200),
  override: fc.oneof(notObject, fc.constant({ justification: 5 })),
};

export function writeTemplates(): WriteTemplate[] {
  const conditionBody = () => {
    const code = `fuzz_${tag()}`;
    return {
      code,
      nameZh: '模糊测试病',
      nameEn: 'Fuzz disease',
      icd10: ['Z99.8'],
      category: 'fuzz',
      tier: 'county',
      grassrootsFirst: false,
      upwardIndications: [{ text: '规范治疗后仍频繁发作', emergency: false }],
      downwardCriteria: [{ text: '诊断明确，病情稳定' }],
    };
  };
  const conditionInvalid = {
    nameZh: requiredText(200),
    nameEn: requiredText(200),
    icd10: fc.oneof(notArray, fc.constant([]), fc.array(notIcd10Range, { minLength: 1, maxLength: 2 }), fc.constant([1])),
    'icd10.0': fc.oneof(notString, notIcd10Range),
    category: requiredText(100),
    tier: notIn(['township', 'county']),
    grassrootsFirst: fc.oneof(notBoolean, fc.constant(null)),
    upwardIndications: fc.oneof(notArray, fc.constant([1]), fc.constant([{}])),
    'upwardIndications.0.text': requiredText(2000),
    'upwardIndications.0.emergency': fc.oneof(notBoolean, fc.constant(null)),
    downwardCriteria: fc.oneof(notArray, fc.constant(['text'])),
    'downwardCriteria.0.text': requiredText(2000),
    verified: notBoolean,
    source: optionalText(20000),
    note: optionalText(20000),
  };
  const submittedReferral = async (w: FuzzWorld) => createReferral(w.t, w.c.townshipDoctor, upReferral(w.c));

  return [
    {
      method: 'POST',
      path: '/api/v1/auth/login',
      as: () => undefined,
      setup: async () => ({ pathValues: {}, body: () => ({ username: `nobody.${tag()}`, password: 'whatever-1' }) }),
      ok: 401, // a well-formed sign-in of an unknown user
      invalid: { username: requiredText(200), password: requiredText(200) },
      required: ['username', 'password'],
      strict: true,
      topLevel: 'object',
    },
    {
      method: 'POST',
      path: '/api/v1/institutions',
      as: (w) => w.c.admin,
      setup: async () => ({ pathValues: {}, body: () => ({ code: `fz-${tag()}`, name: '模糊镇卫生院', level: 'township' }) }),
      ok: 201,
      invalid: {
        code: fc.oneof(notString, fc.constant(null), fc.constantFrom('', 'has space', 'x'.repeat(65), 'code;drop', '代码', 'a/b'), unstorable),
        name: requiredText(200),
        level: fc.oneof(notIn(['county', 'township', 'village']), fc.constant(null)),
      },
      required: ['code', 'name', 'level'],
      strict: true,
      topLevel: 'object',
    },
    {
      method: 'POST',
      path: '/api/v1/users',
      as: (w) => w.c.admin,
      setup: async (w) => ({
        pathValues: {},
        body: () => ({ username: `fz.${tag()}`, password: 'long-enough-1', displayName: '模糊用户', role: 'coordinator', institutionId: w.c.county.id }),
      }),
      ok: 201,
      invalid: {
        username: fc.oneof(notString, fc.constant(null), fc.constantFrom('ab', 'has space', 'x'.repeat(65), "admin'--", '用户', ''), unstorable),
        password: fc.oneof(notString, fc.constant(null), fc.constantFrom('', 'short', 'x'.repeat(201)), unstorable),
        displayName: requiredText(100),
        role: fc.oneof(notIn(['admin', 'township_doctor', 'county_doctor', 'coordinator']), fc.constant(null)),
        institutionId: fc.oneof(notAUuid, unknownUuid, fc.constant(null), fc.integer()),
      },
      required: ['username', 'password', 'displayName', 'role'],
      strict: true,
      topLevel: 'object',
    },
    {
      method: 'POST',
      path: '/api/v1/referrals',
      as: (w) => w.c.townshipDoctor,
      setup: async (w) => ({ pathValues: {}, body: () => upReferral(w.c) }),
      ok: 201,
      invalid: {
        direction: fc.oneof(notIn(['up', 'down']), fc.constant(null)),
        toInstitutionId: fc.oneof(notAUuid, unknownUuid, fc.constant(null)),
        parentReferralId: fc.oneof(notAUuid, unknownUuid),
        submit: notBoolean,
        handover: notObject,
        ...referralInvalid,
      },
      required: ['direction', 'urgency', 'patient', 'toInstitutionId', 'diagnosis', 'reason', 'consent', 'patient.name', 'patient.gender', 'patient.birthDate', 'diagnosis.icd10', 'consent.obtained'],
      strict: true,
      topLevel: 'object',
    },
    {
      method: 'POST',
      path: '/api/v1/referrals',
      as: (w) => w.c.countyDoctor,
      setup: async (w) => ({
        pathValues: {},
        body: () => ({ ...upReferral(w.c), direction: 'down', toInstitutionId: w.c.township.id, indications: [], diagnosis: { icd10: 'I10', text: '高血压' }, handover: handover() }),
      }),
      ok: 201,
      invalid: {
        handover: fc.oneof(notObject, fc.constant(null)),
        'handover.diagnosis': requiredText(4000),
        'handover.treatmentSummary': requiredText(4000),
        'handover.medicationPlan': fc.oneof(notArray, fc.constant([1]), fc.constant([{}])),
        'handover.medicationPlan.0.days': fc.oneof(notInteger, fc.constantFrom(85, 1000), fc.constant(null)),
        'handover.medicationPlan.0.drug': requiredText(200),
        'handover.followUpPlan': requiredText(4000),
        toInstitutionId: fc.oneof(notAUuid, unknownUuid),
      },
      required: ['handover', 'handover.diagnosis', 'handover.medicationPlan', 'handover.followUpPlan'],
      strict: true,
      topLevel: 'object',
    },
    {
      method: 'PATCH',
      path: '/api/v1/referrals/{id}',
      as: (w) => w.c.townshipDoctor,
      setup: async (w) => {
        const draft = await createReferral(w.t, w.c.townshipDoctor, upReferral(w.c, { submit: false }));
        return {
          pathValues: { id: draft.id },
          body: () => ({ version: draft.version, reason: '补充检查结果后再次评估', patient: patient(), diagnosis: { icd10: 'I10.x00', text: '原发性高血压' }, consent: { obtained: true, by: 'guardian' } }),
        };
      },
      ok: 200,
      invalid: {
        version: fc.oneof(notInteger, fc.constantFrom(0, -1, null)),
        direction: fc.constantFrom('up', 'down'),
        toInstitutionId: fc.constant('00000000-0000-4000-8000-000000000000'),
        parentReferralId: fc.constant('00000000-0000-4000-8000-000000000000'),
        ...referralInvalid,
      },
      required: ['version'],
      strict: true,
      topLevel: 'object',
    },
    {
      method: 'POST',
      path: '/api/v1/referrals/{id}/actions/{action}',
      as: (w) => w.c.countyCoordinator,
      setup: async (w) => {
        const r = await submittedReferral(w);
        return { pathValues: { id: r.id, action: 'accept' }, body: () => ({ version: r.version, department: '心内科', appointmentAt: '2026-12-01T09:00:00+08:00' }) };
      },
      ok: 200,
      invalid: {
        version: fc.oneof(notInteger, fc.constant(null)),
        department: requiredText(200),
        appointmentAt: fc.oneof(notString, rfc3339Bad),
      },
      required: ['version', 'department'],
      strict: true,
      topLevel: 'object',
    },
    {
      method: 'POST',
      path: '/api/v1/referrals/{id}/actions/{action}',
      as: (w) => w.c.countyDoctor,
      setup: async (w) => {
        const r = await submittedReferral(w);
        return { pathValues: { id: r.id, action: 'return' }, body: () => ({ version: r.version, reasonCode: 'information_incomplete', comment: '请补充心电图' }) };
      },
      ok: 200,
      invalid: {
        reasonCode: fc.oneof(notString, fc.constant(null), hostileText(30).filter((s) => !['capacity_full', 'information_incomplete', 'manageable_at_grassroots', 'wrong_department', 'patient_declined', 'other'].includes(s))),
        comment: optionalText(4000),
      },
      required: ['version', 'reasonCode'],
      strict: true,
      topLevel: 'object',
    },
    {
      method: 'POST',
      path: '/api/v1/referrals/{id}/actions/{action}',
      as: (w) => w.c.townshipCoordinator,
      setup: async (w) => {
        const r = await submittedReferral(w);
        return { pathValues: { id: r.id, action: 'cancel' }, body: () => ({ version: r.version, comment: '患者改变主意' }) };
      },
      ok: 200,
      invalid: { comment: optionalText(4000), reasonCode: fc.oneof(notString, tooLong(64)) },
      required: ['version'],
      strict: true,
      topLevel: 'object',
    },
    {
      method: 'POST',
      path: '/api/v1/reason-codes',
      as: (w) => w.c.admin,
      setup: async () => ({ pathValues: {}, body: () => ({ code: `fz_${tag()}`, labelZh: '设备不可用', labelEn: 'Equipment unavailable' }) }),
      ok: 201,
      invalid: {
        code: fc.oneof(notString, fc.constant(null), fc.constantFrom('A', 'UPPER', 'has space', 'x'.repeat(65), "x'; --", '代码'), unstorable),
        labelZh: requiredText(200),
        labelEn: requiredText(200),
      },
      required: ['code', 'labelZh', 'labelEn'],
      strict: true,
      topLevel: 'object',
    },
    {
      method: 'PATCH',
      path: '/api/v1/reason-codes/{code}',
      as: (w) => w.c.admin,
      setup: async () => ({ pathValues: { code: 'wrong_department' }, body: () => ({ labelEn: 'Wrong department' }) }),
      ok: 200,
      invalid: { labelZh: fc.oneof(notString, unstorable, tooLong(200), fc.constant('')), labelEn: fc.oneof(notString, unstorable, tooLong(200)), active: notBoolean },
      required: [],
      strict: true,
      topLevel: 'object',
    },
    {
      method: 'PUT',
      path: '/api/v1/settings/deadlines',
      as: (w) => w.c.admin,
      setup: async () => ({ pathValues: {}, body: () => structuredClone(DEFAULT_DEADLINE_SETTINGS) }),
      ok: 200,
      invalid: {
        emergency: fc.oneof(notObject, fc.constant(null)),
        'emergency.respondWithinMinutes': fc.oneof(notInteger, fc.constantFrom(0, -1, null, 1e12)),
        'urgent.arriveWithinMinutes': fc.oneof(notInteger, fc.constantFrom(0, -5)),
        followUpWithinDays: fc.oneof(notInteger, fc.constantFrom(0, -1)),
        expireAfterDays: fc.oneof(notInteger, fc.constantFrom(0, -1)),
        escalation: fc.oneof(notArray, fc.constant([1]), fc.constant(null)),
        'escalation.0.afterMinutes': fc.oneof(notInteger, fc.constantFrom(-1, null)),
        'escalation.0.notify': notIn(['coordinator', 'admin', 'doctor']),
      },
      required: ['emergency', 'urgent', 'routine', 'followUpWithinDays', 'expireAfterDays', 'escalation', 'routine.arriveWithinMinutes'],
      strict: true,
      topLevel: 'object',
    },
    {
      method: 'POST',
      path: '/api/v1/catalogue/conditions',
      as: (w) => w.c.admin,
      setup: async () => ({ pathValues: {}, body: conditionBody }),
      ok: 201,
      invalid: { code: fc.oneof(notString, fc.constant(null), fc.constantFrom('A', 'Upper', 'x', 'has space', 'x'.repeat(65), 'drop;table', '病')), ...conditionInvalid },
      required: ['code', 'nameZh', 'nameEn', 'icd10', 'category', 'tier', 'grassrootsFirst', 'upwardIndications', 'downwardCriteria'],
      strict: true,
      topLevel: 'object',
    },
    {
      method: 'PATCH',
      path: '/api/v1/catalogue/conditions/{code}',
      as: (w) => w.c.admin,
      setup: async () => ({ pathValues: { code: 'hypertension' }, body: () => ({ note: 'fuzz: checked' }) }),
      ok: 200,
      invalid: { code: fc.constant('hypertension'), ...conditionInvalid },
      required: [],
      strict: true,
      topLevel: 'object',
    },
    {
      method: 'POST',
      path: '/api/v1/catalogue/publish',
      as: (w) => w.c.admin,
      setup: async () => ({ pathValues: {}, body: () => ({ note: '模糊测试发布' }) }),
      ok: null,
      invalid: { note: fc.oneof(notString, unstorable, tooLong(2000)) },
      required: [],
      strict: true,
      topLevel: 'object',
    },
    {
      method: 'POST',
      path: '/api/v1/catalogue/import',
      as: (w) => w.c.admin,
      setup: async () => ({ pathValues: {}, body: () => [conditionBody(), conditionBody()] }),
      ok: 200,
      invalid: Object.fromEntries([['0', fc.oneof(notObject, fc.constant(null))], ...Object.entries({ code: fc.constantFrom('A', 'has space', 'x'), ...conditionInvalid }).map(([k, v]) => [`1.${k}`, v])]),
      required: ['0.code', '1.nameZh', '0.icd10', '1.category'],
      strict: false, // the conditions.json shape carries fields beyond the read shape
      topLevel: 'array',
    },
    {
      method: 'POST',
      path: '/api/v1/webhooks',
      as: (w) => w.c.admin,
      setup: async (w) => ({ pathValues: {}, body: () => ({ url: 'http://127.0.0.1:9/fuzz-hook', events: ['referral.accepted'], secret: 'whsec-fuzz', institutionId: w.c.township.id }) }),
      ok: 201,
      invalid: {
        url: fc.oneof(notString, fc.constant(null), fc.constantFrom('', 'not a url', 'ftp://127.0.0.1/x', 'https://evil.example.com/hook', 'http://169.254.169.254/latest/meta-data', 'file:///etc/passwd', 'javascript:alert(1)', 'http://127.0.0.1:9/\u0000')),
        events: fc.oneof(notArray, fc.constant([]), fc.constant(['referral.teleported']), fc.constant([1]), fc.array(hostileText(20), { minLength: 1, maxLength: 3 }).filter((a) => !a.every((e) => e.startsWith('referral.')))),
        secret: requiredText(256),
        institutionId: fc.oneof(notAUuid, unknownUuid, fc.integer()),
      },
      required: ['url', 'events', 'secret'],
      strict: true,
      topLevel: 'object',
    },
  ];
}

/** Sets `value` at a dot path (numeric segments index arrays), creating what is missing; returns a deep copy. */
export function withValue(body: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(body) as Record<string, unknown>;
  const segments = path.split('.');
  let node: Record<string, unknown> = copy;
  segments.slice(0, -1).forEach((s, i) => {
    if (node[s] === undefined || node[s] === null || typeof node[s] !== 'object') node[s] = /^\d+$/.test(segments[i + 1]) ? [] : {};
    node = node[s] as Record<string, unknown>;
  });
  node[segments[segments.length - 1]] = value;
  return copy;
}

/** Removes the field at a dot path; returns a deep copy. */
export function without(body: unknown, path: string): unknown {
  const copy = structuredClone(body) as Record<string, unknown>;
  const segments = path.split('.');
  let node: Record<string, unknown> = copy;
  for (const s of segments.slice(0, -1)) node = node[s] as Record<string, unknown>;
  delete node[segments[segments.length - 1]];
  return copy;
}
