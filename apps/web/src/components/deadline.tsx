import { Tag, Tooltip } from 'antd';
import { useEffect, useState } from 'react';
import type { Deadline } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';

/** The current time, re-read every `ms` (countdowns). */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(id);
  }, [ms]);
  return now;
}

export function formatDuration(ms: number, lang: 'zh' | 'en'): string {
  const minutes = Math.max(0, Math.floor(Math.abs(ms) / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const parts = lang === 'zh' ? [d && `${d}天`, h && `${h}小时`, `${m}分`] : [d && `${d}d`, h && `${h}h`, `${m}m`];
  return parts.filter(Boolean).slice(0, 2).join(lang === 'zh' ? '' : ' ');
}

/** The earliest open deadline of a referral, as a countdown (red once passed, orange in its last hour). */
export function DeadlineCountdown({ deadlines }: { deadlines: Deadline[] }) {
  const { t, lang, dateTime } = useI18n();
  const now = useNow();
  const open = deadlines.filter((d) => d.state === 'open').sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  const breached = deadlines.find((d) => d.state === 'breached');
  if (!open) {
    return breached ? (
      <Tag color="red" data-testid="deadline">
        {t(`deadline.${breached.kind}` as 'deadline.respond')} · {t('deadlineState.breached')}
      </Tag>
    ) : (
      <span data-testid="deadline">{t('deadline.none')}</span>
    );
  }
  const left = new Date(open.dueAt).getTime() - now;
  const color = left < 0 ? 'red' : left < 3_600_000 ? 'orange' : 'blue';
  const text = left < 0 ? t('deadline.overdue', { time: formatDuration(left, lang) }) : t('deadline.left', { time: formatDuration(left, lang) });
  return (
    <Tooltip title={`${t(`deadline.${open.kind}` as 'deadline.respond')} · ${dateTime(open.dueAt)}`}>
      <Tag color={color} data-testid="deadline" data-kind={open.kind}>
        {t(`deadline.${open.kind}` as 'deadline.respond')} {text}
      </Tag>
    </Tooltip>
  );
}
