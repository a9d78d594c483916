import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { WEBHOOK_EVENTS } from './notification-events.js';
import { renderNotification, type TemplateContext } from './templates.js';

const ID = '110105194912310021';
const ctx: TemplateContext = {
  number: 'ZZ20260101-000001',
  direction: 'up',
  urgency: 'urgent',
  patient: { name: '王建国', idNumber: ID },
  fromName: '城关镇卫生院',
  toName: '县人民医院',
};

describe('notification templates', () => {
  it('speaks Chinese by default and names the patient with the ID masked', () => {
    const n = renderNotification('referral.submitted', ctx);
    expect(n.title).toBe('新转诊待处理：王建国（110***********0021）');
    expect(n.body).toContain('城关镇卫生院');
    expect(n.body).toContain('ZZ20260101-000001');
    expect(n.body).toContain('紧急');
  });

  it('tells a resubmission and a return reason apart', () => {
    expect(renderNotification('referral.submitted', { ...ctx, action: 'resubmit' }).title).toMatch(/^转诊重新提交/);
    expect(renderNotification('referral.returned', { ...ctx, reasonLabel: '转诊资料不完整' }).body).toContain('转诊资料不完整');
  });

  it('has an English version of every event', () => {
    for (const event of WEBHOOK_EVENTS) {
      const n = renderNotification(event, ctx, 'en');
      expect(n.title).toMatch(/^[\x20-\x7e王建国（）]+$/u);
      expect(n.body).toContain(ctx.number);
    }
  });

  it('never shows a full resident ID or a phone number, in any locale (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...WEBHOOK_EVENTS), fc.constantFrom('zh', 'en') as fc.Arbitrary<'zh' | 'en'>, fc.constantFrom('coordinator', 'admin') as fc.Arbitrary<'coordinator' | 'admin'>, (event, locale, notify) => {
        const patient = { name: '李秀英', idNumber: ID, phone: '13812345678' };
        const n = renderNotification(event, { ...ctx, patient, notify }, locale);
        for (const text of [n.title, n.body]) {
          expect(text).not.toContain(ID);
          expect(text).not.toContain('13812345678');
          expect(text).toContain('李秀英');
        }
      }),
    );
  });
});
