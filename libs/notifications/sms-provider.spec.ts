import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { maskName } from './sms-provider.js';

describe('names in text messages', () => {
  it('keeps the first and last character of a Chinese name', () => {
    expect(maskName('王建国')).toBe('王*国');
    expect(maskName('欧阳秀英')).toBe('欧**英');
    expect(maskName('李明')).toBe('李*');
    expect(maskName('王')).toBe('*');
  });

  it('hides every character but the first and (from three on) the last (property)', () => {
    const names = fc.array(fc.constantFrom(...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗建国秀英明华'), { minLength: 2, maxLength: 6 }).map((a) => a.join(''));
    fc.assert(
      fc.property(names, (name) => {
        const chars = [...name];
        const masked = [...maskName(name)];
        expect(masked).toHaveLength(chars.length);
        expect(masked[0]).toBe(chars[0]);
        const hidden = chars.length === 2 ? [1] : chars.slice(1, -1).map((_, i) => i + 1);
        for (const i of hidden) expect(masked[i]).toBe('*');
      }),
    );
  });
});
