import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { csvCell, toCsv, UTF8_BOM, type CsvValue } from './csv.js';

/** A strict RFC 4180 reader, to check what a spreadsheet would read back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
      else if (c === '"') (quoted = false), i++;
      else (field += c), i++;
    } else if (c === '"' && field === '') (quoted = true), i++;
    else if (c === ',') row.push(field), (field = ''), i++;
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), (i += 2);
    else if (c === '\r' || c === '\n') throw new Error(`bare line break at ${i}`);
    else if (c === '"') throw new Error(`stray quote at ${i}`);
    else (field += c), i++;
  }
  if (field !== '' || row.length) throw new Error('missing final CRLF');
  return rows;
}

const expected = (v: CsvValue): string => (v === null ? '' : typeof v === 'number' ? String(v) : /^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

describe('CSV', () => {
  it('writes a BOM, the header, the rows and CRLF line ends', () => {
    expect(toCsv(['机构', 'n'], [['县人民医院', 3], ['a,b', null]])).toBe(`${UTF8_BOM}机构,n\r\n县人民医院,3\r\n"a,b",\r\n`);
  });

  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded ')).toBe('" padded "');
    expect(csvCell('plain')).toBe('plain');
  });

  it('neutralises text a spreadsheet would run as a formula, but not negative numbers', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('@SUM(A1)')).toBe(`'@SUM(A1)`);
    expect(csvCell('-1+2')).toBe(`'-1+2`);
    expect(csvCell(-3.5)).toBe('-3.5');
  });

  it('refuses rows of the wrong width and numbers that are not finite', () => {
    expect(() => toCsv(['a', 'b'], [['x']])).toThrow(RangeError);
    expect(() => csvCell(Number.NaN)).toThrow(RangeError);
  });

  it('reads back every cell as written (formula text with its apostrophe)', () => {
    const cell = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('=1+1', '+x', '-y', '@z', '"', ',', '\r\n', '县'), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }).chain((w) => fc.tuple(fc.array(fc.string(), { minLength: w, maxLength: w }), fc.array(fc.array(cell, { minLength: w, maxLength: w }), { maxLength: 8 }))), ([header, rows]) => {
        const text = toCsv(header, rows);
        expect(text.startsWith(UTF8_BOM)).toBe(true);
        const parsed = parseCsv(text.slice(1));
        expect(parsed).toEqual([header.map(expected), ...rows.map((r) => r.map(expected))]);
      }),
    );
  });
});
