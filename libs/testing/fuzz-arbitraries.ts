import { randomUUID } from 'node:crypto';
import fc from 'fast-check';

/** Header-safe text: what Node's HTTP parser accepts in a header value (no CR, LF or NUL). */
export const headerSafe = (s: string) => s.replace(/[\r\n\u0000]/g, '').replace(/[^\u0009\u0020-\u00ff]/g, '?');

/** Classic injection attempts: SQL, LIKE wildcards, placeholders, casts. */
export const SQL_PAYLOADS = [
  "' OR '1'='1",
  "' OR 1=1 --",
  "'; DROP TABLE referrals; --",
  "'); DELETE FROM users; --",
  "1; SELECT pg_sleep(10)--",
  "' UNION SELECT password_hash, username FROM users --",
  "\\'; TRUNCATE institutions CASCADE; --",
  '%',
  '_',
  '%%_%\\',
  '$1',
  '$$; COPY users TO PROGRAM $$id$$; --',
  "E'\\x41'",
  "'::uuid",
  '1e999',
  "admin'--",
  '"; SELECT * FROM "users',
  '\\',
  "''''''",
];

/** Markup and template injection, path traversal, header splitting. */
export const SCRIPT_PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(document.cookie)>',
  "javascript:alert('x')",
  '<svg/onload=alert(1)>',
  '{{constructor.constructor("return process")().exit()}}',
  '${process.exit(1)}',
  '#{7*7}',
  '<!--#exec cmd="cat /etc/passwd"-->',
  '../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  'line1\r\nX-Injected: 1',
  '=cmd|" /C calc"!A0',
  '__proto__',
  'constructor',
  'toString',
];

/** Text a Chinese hospital system may send, plus the awkward corners of Unicode. */
export const UNICODE_EDGES = [
  '高血压',
  '王建国',
  '𠮷野家', // astral CJK (surrogate pair in UTF-16)
  '\u202eevil\u202c', // right-to-left override
  'עברית ومرحبا', // RTL scripts
  'a\u200bb\u200c\u200d', // zero-width space / non-joiner / joiner
  '\ufeffBOM',
  '👨‍👩‍👧‍👦🏥💉', // ZWJ emoji sequence
  'e\u0301\u0301\u0301', // stacked combining marks
  'Ｆｕｌｌｗｉｄｔｈ',
  '\u2028\u2029', // JS line terminators
  '\uffff\ufffe', // non-characters
  '\u00a0\u3000', // no-break and ideographic spaces
  'Z̴̡̛͔͈a̵l̴g̷o̶',
  '\t\n\r\u000b\u000c',
  '\u007f\u0085',
];

/** Strings JSON can carry but text columns cannot store as sent: NUL and unpaired surrogates. */
export const UNSTORABLE = ['a\u0000b', '\u0000', '\ud800', 'x\udfffy', '\udbff\udbff', 'ok\ud83d', '\udc00\ud800'];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((cp) => String.fromCharCode(cp));

/** One "character" of hostile text: any code point, a lone surrogate, NUL, a control character. */
const hostileChar = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '\u0001', '\u001f', '\u007f', '\u200b', '\u202e', '\ufeff') },
);

/** A hostile string of modest size (fits in any body). */
export const hostileText = (maxLength = 60): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: hostileChar, maxLength }) },
    { weight: 2, arbitrary: fc.constantFrom(...SQL_PAYLOADS) },
    { weight: 2, arbitrary: fc.constantFrom(...SCRIPT_PAYLOADS) },
    { weight: 2, arbitrary: fc.constantFrom(...UNICODE_EDGES) },
    { weight: 1, arbitrary: fc.constantFrom(...UNSTORABLE) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '   \t  ', 'null', 'undefined', 'true', '0', '-1', 'NaN') },
  );

/** Text without the characters PostgreSQL cannot store (what an honest client may put in a free-text field). */
export const storableHostileText = (maxLength = 60): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength }) },
    { weight: 2, arbitrary: fc.constantFrom(...SQL_PAYLOADS) },
    { weight: 2, arbitrary: fc.constantFrom(...SCRIPT_PAYLOADS) },
    { weight: 2, arbitrary: fc.constantFrom(...UNICODE_EDGES) },
  ).filter((s) => !s.includes('\u0000') && s.trim() !== '');

/** A huge string: 10 KiB to ~0.9 MiB of UTF-8 (the body stays under 1 MiB). */
export const hugeText = fc
  .tuple(fc.integer({ min: 10 * 1024, max: 300 * 1024 }), fc.constantFrom('x', '高', '🏥', "'", '\\', '\u200b'))
  .map(([n, ch]) => ch.repeat(Math.floor(n / Buffer.byteLength(ch))));

/** JSON values of the wrong type for almost any field. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(0, -1, 1.5, -0, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, Number.MIN_VALUE),
  fc.integer(),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), { maxKeys: 3 }),
  fc.constant({}),
  fc.constant([]),
  fc.constant({ $gt: '' }),
  fc.constant(JSON.parse('{"__proto__":{"admin":true}}') as unknown),
);

/** Any hostile JSON value: wrong types, hostile text, huge text now and then. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: wrongType },
  { weight: 4, arbitrary: hostileText() },
  { weight: 1, arbitrary: hugeText },
);

/** Raw body texts that are not JSON at all, or not what any endpoint accepts at the top level. */
export const malformedJsonText = fc.oneof(
  fc.constantFrom(
    '{',
    '}',
    '{"a":',
    '{"a":1,}',
    "{'a':1}",
    '{"a":1}{"b":2}',
    '[1,2',
    'NaN',
    'undefined',
    '{"a":01}',
    '{"a":"\\x41"}',
    '{"a":"\\u12"}',
    '{"a":"unterminated}',
    '\u0000',
    '\ufeff{}',
    '{"a":-}',
    '/* comment */ {}',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter((s) => {
    if (s.trim() === '') return false; // an empty body reads as {}
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
);

/** `depth` levels of arrays or objects, as raw text (JSON.stringify itself would overflow on the way). */
export const deeplyNested = fc
  .tuple(fc.integer({ min: 200, max: 12_000 }), fc.constantFrom('array', 'object', 'mixed'), fc.constantFrom('wrap', 'field'))
  .map(([depth, kind, where]) => {
    const open = kind === 'array' ? '[' : kind === 'object' ? '{"a":' : '[{"a":';
    const close = kind === 'array' ? ']' : kind === 'object' ? '}' : '}]';
    const levels = kind === 'mixed' ? Math.ceil(depth / 2) : depth;
    const nested = `${open.repeat(levels)}1${close.repeat(levels)}`;
    return where === 'wrap' ? nested : `{"version":1,"note":${nested},"username":${nested}}`;
  });

/** A body over 1 MiB (valid JSON, so only its size is wrong). */
export const oversizeBody = fc
  .tuple(fc.integer({ min: 1024 * 1024 + 1, max: 1024 * 1024 + 64 * 1024 }), fc.constantFrom('x', '高'))
  .map(([bytes, ch]) => JSON.stringify({ note: ch.repeat(Math.ceil(bytes / Buffer.byteLength(ch))) }));

/** Path ids that are not UUIDs at all (→ 404 NOT_FOUND: they name nothing). */
export const notAUuid: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '1',
    '0',
    '-1',
    'null',
    'undefined',
    '00000000-0000-0000-0000-00000000000',
    '00000000-0000-0000-0000-0000000000000',
    'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
    '{00000000-0000-0000-0000-000000000000}',
    '00000000000000000000000000000000',
    "1' OR '1'='1",
    '../../etc/passwd',
    '%00',
    '高血压',
    ' 00000000-0000-4000-8000-000000000000',
    '00000000-0000-4000-8000-000000000000 ',
    '00000000-0000-4000-8000-000000000000\n',
  ),
  fc.string({ unit: hostileChar, minLength: 1, maxLength: 40 }),
  fc.uuid().map((u) => u.replace(/-/g, '')),
  fc.uuid().map((u) => `${u}x`),
);

/** Well-formed UUIDs that name nothing (→ 404). */
export const unknownUuid: fc.Arbitrary<string> = fc.oneof(
  fc.uuid(),
  fc.constant('00000000-0000-0000-0000-000000000000'),
  fc.constant('ffffffff-ffff-ffff-ffff-ffffffffffff'),
  fc.constant(randomUUID()),
);

/** Strings that are not ICD-10 codes (→ 400 on match and in diagnoses). */
export const notIcd10: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', 'I', '10', 'I1', 'II10', 'I10..1', 'I10-', 'I10-I15', '1I0', 'i10 x', 'I10.x00.1', 'I10.', '.I10', 'I10/I11', 'I10;DROP', 'Ｉ１０', 'I10\u0000', 'I\u200b10', "I10' OR 1=1 --", 'I'.repeat(300)),
  fc.string({ unit: hostileChar, minLength: 1, maxLength: 12 }).filter((s) => !/^[A-Za-z]\d{2}/.test(s)),
);

/** `?limit=` values the contract refuses (anything but an integer 1–100). */
export const badLimit: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('0', '101', '-1', '1.5', '1e2', '0x10', ' 5', '5 ', '+5', 'abc', 'NaN', 'Infinity', '9'.repeat(400), '１０', '10\u0000', '00101', '1,2'),
  fc.integer({ min: 101, max: 2 ** 31 }).map(String),
  fc.integer({ min: -(2 ** 31), max: 0 }).map(String),
  fc.string({ unit: hostileChar, minLength: 1, maxLength: 10 }).filter((s) => !/^\d{1,3}$/.test(s) || Number(s) < 1 || Number(s) > 100),
);

/** Cursors the server never issued. */
export const badCursor: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'abc',
    '.',
    '..',
    'a.b.c',
    'eyJ4IjoxfQ.abc',
    `${Buffer.from('[1,2]').toString('base64url')}.${'A'.repeat(22)}`,
    `${Buffer.from('{"id":"x"}').toString('base64url')}.AAAAAAAAAAAAAAAAAAAAAA`,
    `${Buffer.from("['; DROP TABLE users; --']").toString('base64url')}.AAAAAAAAAAAAAAAAAAAAAA`,
    'x'.repeat(5000),
  ),
  fc.string({ unit: hostileChar, minLength: 1, maxLength: 60 }),
  fc.tuple(fc.json(), fc.string({ unit: 'binary-ascii', minLength: 22, maxLength: 22 })).map(([j, s]) => `${Buffer.from(j).toString('base64url')}.${s}`),
);

/**
 * Idempotency-Key values the contract refuses (1–128 visible ASCII characters), as Node's HTTP parser lets them
 * through: latin-1 only (a header carries bytes), no leading or trailing blanks (parsers trim those).
 */
export const badIdempotencyKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', 'has space', 'tab\there', 'k'.repeat(129), 'x'.repeat(4000), 'clé', 'Schlüssel', 'key\u00ff', 'café', 'nbsp\u00a0key', 'a  b'),
  fc
    .tuple(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }), fc.constantFrom(' ', '\t', 'é', '\u00a0', '\u00b5', '\u0080'), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }))
    .map(([a, bad, b]) => `${a.replace(/\s/g, 'a')}${bad}${b.replace(/\s/g, 'b')}`),
);

/** X-Correlation-Id values: valid ones must be echoed, invalid ones replaced. */
export const correlationId: fc.Arbitrary<string> = fc
  .oneof(
    fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
    fc.constantFrom('', ' ', 'a b', 'x'.repeat(129), 'id/with/slash', 'quote"d', '<script>', '中文', 'a,b', 'id;drop', 'café'),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 140 }),
  )
  .map((s) => headerSafe(s));

/** Visible-ASCII keys that are valid (for replay tests). */
export const goodIdempotencyKey = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 128 });

