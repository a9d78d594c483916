import { pinyin } from 'pinyin-pro';

export interface PinyinKeys {
  /** Toneless syllables run together, lower case: 高血压 → `gaoxueya`; other letters and digits kept (2型 → `2xing`). */
  full: string;
  /** First letter of each syllable, other letters and digits kept whole: 高血压 → `gxy`, COPD急性加重 → `copdjxjz`. */
  initials: string;
}

const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The pinyin a condition is searched by; pinyin-pro picks the reading of polyphones from context (血压 → xue). */
export function pinyinKeys(nameZh: string): PinyinKeys {
  const items = pinyin(nameZh, { toneType: 'none', type: 'all', nonZh: 'consecutive', v: true });
  return {
    full: items.map((i) => clean(i.isZh ? i.pinyin : i.origin)).join(''),
    initials: items.map((i) => clean(i.isZh ? i.pinyin.slice(0, 1) : i.origin)).join(''),
  };
}
