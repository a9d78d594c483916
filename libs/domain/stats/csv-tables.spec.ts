import { describe, expect, it } from '@jest/globals';
import { UTF8_BOM } from './csv.js';
import { conditionsCsv, institutionsCsv, monthsCsv, summaryCsv } from './csv-tables.js';
import { buildFigures, buildSide, emptyCounts, toSummary } from './figures.js';
import { conditionGroupKey, describeConditionGroup } from './groups.js';

const labels = new Map([['capacity_full', { labelZh: '床位或号源已满', labelEn: 'Capacity full' }]]);
const figures = buildFigures({
  ...emptyCounts(),
  statuses: [{ direction: 'up', status: 'returned', count: 3 }],
  answered: 3,
  returned: 3,
  returnReasons: [
    { code: 'capacity_full', count: 2 },
    { code: 'retired_code', count: 1 },
  ],
});
const lines = (csv: string) => csv.slice(1).split('\r\n').slice(0, -1);

describe('CSV tables', () => {
  it('summary: one header and one row, English by default, rates to four decimals, reasons labelled', () => {
    const csv = summaryCsv(toSummary({ from: null, to: null, institutionId: null }, figures), figures, 'en', labels);
    expect(csv.startsWith(UTF8_BOM)).toBe(true);
    const [header, row, ...rest] = lines(csv);
    expect(rest).toEqual([]);
    const cells = header.split(',');
    expect(cells.slice(0, 4)).toEqual(['from', 'to', 'institution id', 'up total']);
    const value = (name: string) => row.split(',')[cells.indexOf(name)];
    expect(value('institution id')).toBe('all');
    expect(value('up returned')).toBe('3');
    expect(value('return rate')).toBe('1');
    expect(value('acceptance rate')).toBe('0');
    expect(row).toContain('Capacity full: 2; retired_code: 1');
  });

  it('Chinese headers and labels with lang=zh', () => {
    const csv = summaryCsv(toSummary({ from: null, to: null, institutionId: null }, figures), figures, 'zh', labels);
    const [header, row] = lines(csv);
    expect(header.split(',').slice(0, 5)).toEqual(['起始时间', '截止时间', '机构ID', '上转总数', '上转草稿']);
    expect(header).toContain('接收率');
    expect(row).toContain('全部');
    expect(row).toContain('床位或号源已满: 2');
  });

  it('by institution, condition and month: one row each, every row as wide as the header', () => {
    const side = buildSide(emptyCounts());
    const inst = institutionsCsv(
      [{ institution: { id: 'i1', code: '=cmd', name: '县人民医院, 本部', level: 'county' }, ...figures, asReferrer: side, asReceiver: side }],
      'zh',
      labels,
    );
    const [ih, ir] = lines(inst);
    expect(ih.split(',')[0]).toBe('机构编码');
    expect(ir.startsWith(`'=cmd,"县人民医院, 本部",县级,i1,`)).toBe(true);
    const cond = conditionsCsv([{ condition: describeConditionGroup(conditionGroupKey('down', null, 'I10.x00')), ...figures }], 'en', labels);
    expect(lines(cond)[1].startsWith('I,icd10_letter,ICD-10 I* (outside the catalogue),')).toBe(true);
    const month = monthsCsv([{ month: '2026-03', from: '2026-02-28T16:00:00.000Z', to: '2026-03-31T16:00:00.000Z', ...figures }], 'en', labels);
    expect(lines(month)[1].startsWith('2026-03,2026-02-28T16:00:00.000Z,')).toBe(true);
    for (const csv of [inst, cond, month]) {
      const [h, r] = lines(csv);
      expect(r.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).length).toBe(h.split(',').length);
    }
  });
});

describe('condition groups', () => {
  it('uses the gate’s condition for upward referrals, else the ICD-10 letter, else unmatched', () => {
    expect(conditionGroupKey('up', 'hypertension', 'I10.x00')).toBe('c:hypertension');
    expect(conditionGroupKey('up', null, 'e11.900')).toBe('l:E');
    expect(conditionGroupKey('down', 'hypertension', 'I10.x00')).toBe('l:I');
    expect(conditionGroupKey('up', '', '12')).toBe('u:');
    expect(describeConditionGroup('c:hypertension', { nameZh: '高血压', nameEn: 'Hypertension' })).toEqual({
      key: 'hypertension',
      kind: 'catalogue',
      nameZh: '高血压',
      nameEn: 'Hypertension',
    });
    expect(describeConditionGroup('u:')).toMatchObject({ key: 'unmatched', kind: 'unmatched' });
  });
});
