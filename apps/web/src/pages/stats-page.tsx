import { Card, Col, DatePicker, Result, Row, Select, Space, Spin, Statistic } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, ApiError, getAll } from '../api/client.js';
import { GATE_OUTCOMES, STATUSES, type ReasonCode, type StatsSummary } from '../api/types.js';
import { BarChart } from '../components/bar-chart.js';
import { ErrorAlert } from '../components/error-alert.js';
import { useI18n } from '../i18n/i18n.js';
import { useApi } from '../lib/use-api.js';
import { useSession, useUser } from '../session.js';

const STATUS_COLORS: Record<string, string> = {
  draft: '#bfbfbf',
  submitted: '#1677ff',
  returned: '#faad14',
  accepted: '#13c2c2',
  arrived: '#2f54eb',
  completed: '#52c41a',
  cancelled: '#8c8c8c',
  no_show: '#ff4d4f',
  expired: '#cf1322',
};

/** GET /stats/summary as a dashboard; an engine without the endpoint (404) gets a notice, not an error. */
export function StatsPage() {
  const user = useUser();
  const { institutions } = useSession();
  const { t, lang } = useI18n();
  const [range, setRange] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [institutionId, setInstitutionId] = useState<string | undefined>(undefined);
  const from = range?.[0]?.startOf('day').toISOString();
  const to = range?.[1]?.add(1, 'day').startOf('day').toISOString();
  const summary = useApi((signal) => api.get<StatsSummary>('/stats/summary', { from, to, institutionId }, signal), [from, to, institutionId]);
  const reasons = useApi(() => getAll<ReasonCode>('/reason-codes').catch(() => [] as ReasonCode[]), []);

  if (summary.error instanceof ApiError && summary.error.status === 404 && summary.error.code === 'NOT_FOUND') {
    return <Result status="info" title={t('stats.unavailable')} data-testid="stats-unavailable" />;
  }
  const s = summary.data;
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
  const statusBars = (byStatus: Record<string, number>) =>
    STATUSES.filter((st) => st !== 'draft').map((st) => ({ key: st, label: t(`status.${st}`), value: byStatus[st] ?? 0, color: STATUS_COLORS[st] }));
  const reasonLabel = (code: string) => {
    const r = reasons.data?.find((x) => x.code === code);
    return r ? (lang === 'zh' ? r.labelZh : r.labelEn) : code;
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="stats-dashboard">
      <Card title={t('stats.title')}>
        <Space wrap>
          <span>{t('stats.period')}</span>
          <DatePicker.RangePicker value={range} onChange={(v) => setRange(v as [Dayjs | null, Dayjs | null] | null)} allowEmpty={[true, true]} />
          {user.role === 'admin' && (
            <Select
              allowClear
              placeholder={t('stats.allInstitutions')}
              style={{ minWidth: 220 }}
              value={institutionId}
              onChange={setInstitutionId}
              options={institutions.map((i) => ({ value: i.id, label: i.name }))}
              data-testid="stats-institution"
            />
          )}
        </Space>
      </Card>
      <ErrorAlert error={summary.error} />
      {!s ? (
        summary.loading && <Spin />
      ) : (
        <>
          <Row gutter={[16, 16]}>
            {[
              { title: t('stats.upTotal'), value: s.up.total, id: 'up-total' },
              { title: t('stats.downTotal'), value: s.down.total, id: 'down-total' },
              { title: t('stats.acceptanceRate'), value: pct(s.acceptanceRate), id: 'acceptance-rate' },
              { title: t('stats.returnRate'), value: pct(s.returnRate), id: 'return-rate' },
              { title: t('stats.medianToAccept'), value: s.medianMinutesToAccept === null ? '—' : t('stats.minutes', { n: Math.round(s.medianMinutesToAccept) }), id: 'median-accept' },
              { title: t('stats.breaches'), value: s.deadlineBreaches, id: 'breaches' },
            ].map((x) => (
              <Col key={x.id} xs={12} md={8} xl={4}>
                <Card size="small">
                  <Statistic title={x.title} value={x.value} data-testid={`stat-${x.id}`} />
                </Card>
              </Col>
            ))}
          </Row>
          <Row gutter={[16, 16]}>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('stats.upByStatus')}>
                <BarChart testId="chart-up-status" bars={statusBars(s.up.byStatus)} emptyText={t('stats.noData')} />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('stats.downByStatus')}>
                <BarChart testId="chart-down-status" bars={statusBars(s.down.byStatus)} emptyText={t('stats.noData')} />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('stats.gateOutcomes')}>
                <BarChart
                  testId="chart-gate"
                  bars={GATE_OUTCOMES.map((g) => ({ key: g, label: t(`gateOutcome.${g}`), value: s.gateOutcomes[g] ?? 0, color: g === 'override' ? '#fa8c16' : '#52c41a' }))}
                  emptyText={t('stats.noData')}
                />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('stats.returnReasons')}>
                <BarChart testId="chart-return-reasons" bars={s.returnReasons.map((r) => ({ key: r.code, label: reasonLabel(r.code), value: r.count, color: '#faad14' }))} emptyText={t('stats.noData')} />
              </Card>
            </Col>
          </Row>
        </>
      )}
    </Space>
  );
}
