import { randomInt } from 'node:crypto';
import { makeResidentId } from '../domain/referral/resident-id.js';
import { bearer, type Community, type SignedIn } from './fixtures.js';
import type { TestApp } from './test-app.js';

/** A valid patient with a fresh resident ID (male, born 1958-03-07) unless overridden. */
export function patient(overrides: Record<string, unknown> = {}) {
  const seq = String(randomInt(0, 500) * 2 + 1).padStart(3, '0'); // odd → male
  return {
    name: '王建国',
    gender: 'male',
    birthDate: '1958-03-07',
    idNumber: makeResidentId(String(110101 + randomInt(0, 8000)), '1958-03-07', seq),
    phone: '13812345678',
    ...overrides,
  };
}

export function upReferral(c: Pick<Community, 'county'>, overrides: Record<string, unknown> = {}) {
  return {
    direction: 'up',
    urgency: 'routine',
    patient: patient(),
    toInstitutionId: c.county.id,
    toDepartment: '心内科',
    diagnosis: { icd10: 'I10.x00', text: '原发性高血压' },
    reason: '规律用药3个月血压仍未达标',
    indications: ['hypertension.up.14'],
    consent: { obtained: true, by: 'patient' },
    history: '高血压10年',
    allergies: '青霉素',
    treatmentSoFar: '氨氯地平 5mg qd',
    ...overrides,
  };
}

export function handover() {
  return {
    diagnosis: '原发性高血压 2级',
    treatmentSummary: '调整降压方案后血压达标',
    medicationPlan: [{ drug: '氨氯地平片', dose: '5mg', frequency: '每日一次', days: 28 }],
    followUpPlan: '2周内家庭医生随访，监测血压',
    rehabilitationAdvice: '低盐饮食，规律运动',
  };
}

export async function createReferral(t: TestApp, who: SignedIn, body: Record<string, unknown>) {
  const res = await t.http.post('/api/v1/referrals').set(bearer(who)).send(body);
  if (res.status !== 201) throw new Error(`create referral failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function act(t: TestApp, who: SignedIn, referral: { id: string; version: number }, action: string, payload: Record<string, unknown> = {}) {
  return t.http.post(`/api/v1/referrals/${referral.id}/actions/${action}`).set(bearer(who)).send({ version: referral.version, ...payload });
}

/** Acts and insists on 200; returns the updated referral. */
export async function actOk(t: TestApp, who: SignedIn, referral: { id: string; version: number }, action: string, payload: Record<string, unknown> = {}) {
  const res = await act(t, who, referral, action, payload);
  if (res.status !== 200) throw new Error(`${action} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
