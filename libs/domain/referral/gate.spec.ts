import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Condition } from '../catalogue/condition.js';
import { DomainError } from '../errors/domain-error.js';
import { GATE_OUTCOMES, evaluateGate, type GateInput } from './gate.js';
import { URGENCIES } from './referral-status.js';

const hypertension: Condition = {
  code: 'hypertension',
  nameZh: '高血压',
  nameEn: 'Hypertension',
  pinyin: 'gaoxueya',
  icd10: ['I10-I15'],
  category: 'cardiovascular',
  tier: 'township',
  grassrootsFirst: true,
  upwardIndications: [
    { code: 'hypertension.up.01', text: '规律治疗2-3个月血压未达标', emergency: false },
    { code: 'hypertension.up.02', text: '急诊转诊：血压≥180/110mmHg伴剧烈头痛', emergency: true },
  ],
  downwardCriteria: [{ code: 'hypertension.down.01', text: '血压控制稳定' }],
  verified: true,
  source: 'S5b',
  note: '',
};
const countyOnly: Condition = { ...hypertension, code: 'stroke_acute', grassrootsFirst: false };

const input = (over: Partial<GateInput> = {}): GateInput => ({
  urgency: 'routine',
  indications: [],
  override: null,
  condition: hypertension,
  catalogueVersion: 3,
  ...over,
});

function refusal(over: Partial<GateInput>): DomainError {
  try {
    evaluateGate(input(over));
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('the gate let the referral through');
}

describe('evaluateGate', () => {
  it('lets through a diagnosis outside the catalogue, with no condition code', () => {
    expect(evaluateGate(input({ condition: null }))).toEqual({ catalogueVersion: 3, conditionCode: null, outcome: 'not_in_catalogue' });
  });

  it('lets through a matched condition that is not grassroots-first, naming it', () => {
    expect(evaluateGate(input({ condition: countyOnly }))).toEqual({
      catalogueVersion: 3,
      conditionCode: 'stroke_acute',
      outcome: 'not_in_catalogue',
    });
  });

  it('lets an emergency bypass the gate, before looking at indications or overrides', () => {
    expect(evaluateGate(input({ urgency: 'emergency' })).outcome).toBe('emergency_bypass');
    expect(
      evaluateGate(input({ urgency: 'emergency', indications: ['hypertension.up.01'], override: { justification: '病人强烈要求上级医院诊治' } })),
    ).toEqual({ catalogueVersion: 3, conditionCode: 'hypertension', outcome: 'emergency_bypass' });
  });

  it('accepts a cited upward indication of the matched condition, before an override', () => {
    expect(evaluateGate(input({ urgency: 'urgent', indications: ['diabetes.up.01', 'hypertension.up.02'] }))).toEqual({
      catalogueVersion: 3,
      conditionCode: 'hypertension',
      outcome: 'indication_cited',
    });
    expect(
      evaluateGate(input({ indications: ['hypertension.up.01'], override: { justification: 'a long enough justification' } })).outcome,
    ).toBe('indication_cited');
  });

  it("does not count another condition's indication or a downward criterion", () => {
    expect(refusal({ indications: ['diabetes.up.01', 'hypertension.down.01', 'hypertension'] }).code).toBe('GATE_NOT_SATISFIED');
  });

  it('accepts an override with a justification of at least 10 code points', () => {
    expect(evaluateGate(input({ override: { justification: '患者家属要求到县医院进一步检查' } })).outcome).toBe('override');
  });

  it('refuses with 422 GATE_NOT_SATISFIED listing the indications the referrer could cite', () => {
    const e = refusal({ override: null });
    expect(e.code).toBe('GATE_NOT_SATISFIED');
    expect(e.status).toBe(422);
    expect(e.details).toEqual({
      conditionCode: 'hypertension',
      indications: [
        { code: 'hypertension.up.01', text: '规律治疗2-3个月血压未达标', emergency: false },
        { code: 'hypertension.up.02', text: '急诊转诊：血压≥180/110mmHg伴剧烈头痛', emergency: true },
      ],
    });
    expect(e.message).toMatch(/hypertension/);
  });

  describe('override justification length: Unicode code points after trimming', () => {
    const passes = (justification: string) => {
      try {
        return evaluateGate(input({ override: { justification } })).outcome === 'override';
      } catch {
        return false;
      }
    };
    it.each([
      ['ASCII', 'a'.repeat(9), 'a'.repeat(10)],
      ['CJK', '血压控制不佳需上转', '血压控制不佳需要上转'],
      ['emoji (two UTF-16 units each)', '😷'.repeat(9), '😷'.repeat(10)],
      ['CJK extension B (surrogate pairs)', '𠀀'.repeat(9), '𠀀'.repeat(10)],
      ['surrounding spaces, tabs, newlines and ideographic spaces', ' \t\u3000' + 'x'.repeat(9) + '\n\u3000 ', '\u3000' + 'x'.repeat(10) + ' '],
      ['inner spaces count', 'a b c d e', 'a b c d e '.trim() + 'f'],
    ])('%s: 9 refused, 10 accepted', (_label, nine, ten) => {
      expect(passes(nine)).toBe(false);
      expect(passes(ten)).toBe(true);
    });
    it('refuses a justification made only of whitespace', () => {
      expect(passes(' '.repeat(40))).toBe(false);
      expect(passes('\u3000'.repeat(20))).toBe(false);
    });
  });

  it('follows the contract order for any input (property)', () => {
    const conditionArb = fc.constantFrom<Condition | null>(null, hypertension, countyOnly);
    const codeArb = fc.constantFrom('hypertension.up.01', 'hypertension.up.02', 'diabetes.up.01', 'hypertension.down.01');
    fc.assert(
      fc.property(
        fc.constantFrom(...URGENCIES),
        fc.array(codeArb, { maxLength: 3 }),
        fc.option(fc.string({ unit: 'grapheme', maxLength: 14 }).map((justification) => ({ justification }))),
        conditionArb,
        fc.nat({ max: 1000 }),
        (urgency, indications, override, condition, catalogueVersion) => {
          const gated = condition?.grassrootsFirst === true;
          const cited = indications.some((c) => c.startsWith('hypertension.up.'));
          const justified = override !== null && Array.from(override.justification.trim()).length >= 10;
          const want = !gated
            ? 'not_in_catalogue'
            : urgency === 'emergency'
              ? 'emergency_bypass'
              : cited
                ? 'indication_cited'
                : justified
                  ? 'override'
                  : null;
          const run = () => evaluateGate({ urgency, indications, override, condition, catalogueVersion });
          if (want === null) {
            expect(run).toThrow(DomainError);
          } else {
            expect(run()).toEqual({ catalogueVersion, conditionCode: condition?.code ?? null, outcome: want });
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('has exactly the four contract outcomes', () => {
    expect([...GATE_OUTCOMES]).toEqual(['not_in_catalogue', 'indication_cited', 'emergency_bypass', 'override']);
  });
});
