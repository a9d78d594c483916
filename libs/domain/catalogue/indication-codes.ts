import { invalidField } from '../errors/domain-error.js';
import { LIMITS } from './condition-input.js';

export interface KnownItem { code: string; text: string }

/**
 * Gives every indication (or downward criterion) of a condition its code, so that codes never change meaning:
 * - a supplied code is kept;
 * - an item without a code but with the text of a known item (in the draft or any published version) gets that
 *   item's code back, so re-sending a list without codes keeps them stable;
 * - the rest get the next free `NN`, never one that is in the list or was ever published for this condition.
 */
export function assignItemCodes<T extends { code?: string; text: string }>(
  conditionCode: string,
  kind: 'up' | 'down',
  items: readonly T[],
  known: readonly KnownItem[],
): (T & { code: string })[] {
  const prefix = `${conditionCode}.${kind}.`;
  const used = new Set(items.map((i) => i.code).filter((c): c is string => typeof c === 'string'));
  const reserved = new Set([...used, ...known.map((k) => k.code).filter((c) => c.startsWith(prefix))]);
  const byText = new Map<string, string>();
  for (const k of known) if (k.code.startsWith(prefix) && !byText.has(k.text)) byText.set(k.text, k.code);
  let next = 1;
  const field = kind === 'up' ? 'upwardIndications' : 'downwardCriteria';
  return items.map((item) => {
    if (typeof item.code === 'string') return item as T & { code: string };
    const again = byText.get(item.text);
    if (again !== undefined && !used.has(again)) {
      used.add(again);
      return { ...item, code: again };
    }
    while (next <= LIMITS.items && reserved.has(`${prefix}${String(next).padStart(2, '0')}`)) next++;
    if (next > LIMITS.items) throw invalidField(field, `no free ${kind === 'up' ? 'indication' : 'criterion'} code left for ${conditionCode} (01-99 are used)`);
    const code = `${prefix}${String(next).padStart(2, '0')}`;
    reserved.add(code);
    used.add(code);
    return { ...item, code };
  });
}
