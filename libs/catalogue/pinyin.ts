import { pinyin } from 'pinyin-pro';

export interface PinyinKeys {
  /** Toneless syllables run together, lower case: 高血压 → `gaoxueya`; letters and digits kept (2型 → `2xing`). */
  full: string;
  /** First letter of each syllable: 高血压 → `gxy`. */
  initials: string;
}

/** The pinyin a condition is searched by; pinyin-pro picks the reading of polyphones from context (血压 → xue). */
export function pinyinKeys(nameZh: string): PinyinKeys {
  const syllables = pinyin(nameZh, { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true })
    .map((s) => s.toLowerCase().replace(/[^a-z0-9]/g, ''))
    .filter((s) => s !== '');
  return { full: syllables.join(''), initials: syllables.map((s) => (/^[0-9]/.test(s) ? s : s[0])).join('') };
}
