import { describe, expect, it } from '@jest/globals';
import { MAX_MEDICATION_DAYS, checkHandover, type Handover } from './handover.js';

const handover = (over: Partial<Handover> = {}): Handover => ({
  diagnosis: '2型糖尿病',
  treatmentSummary: '住院7天，胰岛素调整后血糖稳定',
  medicationPlan: [{ drug: '二甲双胍', dose: '0.5 g', frequency: 'tid', days: 28 }],
  followUpPlan: '两周内家庭医生随访，测空腹血糖',
  ...over,
});
const fields = (h: unknown) => checkHandover(h as Handover).map((f) => f.field);

describe('checkHandover', () => {
  it('accepts a complete handover, with or without drugs and advice', () => {
    expect(checkHandover(handover())).toEqual([]);
    expect(checkHandover(handover({ medicationPlan: [], rehabilitationAdvice: '低盐低脂饮食' }))).toEqual([]);
  });

  it('allows a long prescription up to 12 weeks and no longer', () => {
    expect(MAX_MEDICATION_DAYS).toBe(84);
    const days = (d: number) => handover({ medicationPlan: [{ drug: '氨氯地平', dose: '5 mg', frequency: 'qd', days: d }] });
    expect(checkHandover(days(1))).toEqual([]);
    expect(checkHandover(days(84))).toEqual([]);
    for (const bad of [85, 0, -1, 1.5, Number.NaN]) {
      expect(checkHandover(days(bad))).toEqual([{ field: 'handover.medicationPlan[0].days', message: expect.stringMatching(/1 to 84/) }]);
    }
  });

  it('names the offending item by its index', () => {
    const plan = [
      { drug: '阿司匹林', dose: '100 mg', frequency: 'qd', days: 30 },
      { drug: '', dose: '20 mg', frequency: 'qn', days: 90 },
    ];
    expect(fields(handover({ medicationPlan: plan }))).toEqual(['handover.medicationPlan[1].drug', 'handover.medicationPlan[1].days']);
    expect(fields(handover({ medicationPlan: [null as never, { drug: 'x', dose: 'y', frequency: 'z', days: '7' } as never] }))).toEqual([
      'handover.medicationPlan[0]',
      'handover.medicationPlan[1].days',
    ]);
  });

  it('requires the text fields and a medication list', () => {
    expect(fields({ medicationPlan: [] })).toEqual(['handover.diagnosis', 'handover.treatmentSummary', 'handover.followUpPlan']);
    expect(fields(handover({ diagnosis: '   ' }))).toEqual(['handover.diagnosis']);
    expect(fields(handover({ medicationPlan: undefined as never }))).toEqual(['handover.medicationPlan']);
    expect(fields(handover({ rehabilitationAdvice: 3 as never }))).toEqual(['handover.rehabilitationAdvice']);
    expect(fields(null)).toEqual(['handover']);
  });
});
