import { Tag } from 'antd';
import type { Direction, ReferralStatus, Urgency } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';

const STATUS_COLOR: Record<ReferralStatus, string> = {
  draft: 'default',
  submitted: 'processing',
  returned: 'warning',
  accepted: 'cyan',
  arrived: 'geekblue',
  completed: 'success',
  cancelled: 'default',
  no_show: 'error',
  expired: 'error',
};

export function StatusTag({ status, direction }: { status: ReferralStatus; direction?: Direction }) {
  const { t } = useI18n();
  const label = status === 'completed' && direction === 'down' ? t('status.completedDown') : t(`status.${status}`);
  return (
    <Tag color={STATUS_COLOR[status]} data-testid="status-tag" data-status={status}>
      {label}
    </Tag>
  );
}

export function UrgencyTag({ urgency }: { urgency: Urgency }) {
  const { t } = useI18n();
  const color = urgency === 'emergency' ? 'red' : urgency === 'urgent' ? 'orange' : 'default';
  return (
    <Tag color={color} data-testid="urgency-tag">
      {t(`urgency.${urgency}`)}
    </Tag>
  );
}

export function DirectionTag({ direction }: { direction: Direction }) {
  const { t } = useI18n();
  return <Tag color={direction === 'up' ? 'blue' : 'green'}>{t(`direction.${direction}`)}</Tag>;
}
