import type { Patient } from './patient.js';

const stars = (n: number) => '*'.repeat(n);

/**
 * Keeps the first 3 and last 4 characters when at least 4 stay hidden; shorter values keep only their last 4
 * (from 8 characters) or nothing, so a mask never gives away most of an identifier.
 */
function maskMiddle(value: string): string {
  const chars = [...value];
  const n = chars.length;
  if (n >= 11) return chars.slice(0, 3).join('') + stars(n - 7) + chars.slice(-4).join('');
  if (n >= 8) return stars(n - 4) + chars.slice(-4).join('');
  return stars(n);
}

/** `110105194912310021` → `110***********0021` (first 3, 11 stars, last 4). */
export const maskIdNumber = (id: string): string => maskMiddle(id);

/** `13812345678` → `138****5678` (first 3, 4 stars, last 4). */
export const maskPhone = (phone: string): string => maskMiddle(phone);

/** The patient as lists, the inbox, webhooks, statistics, logs and admins see it. */
export function maskPatient(p: Patient): Patient {
  const masked: Patient = { ...p };
  if (typeof p.idNumber === 'string') masked.idNumber = maskIdNumber(p.idNumber);
  if (typeof p.phone === 'string') masked.phone = maskPhone(p.phone);
  return masked;
}
