import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Input, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { api } from '../api/client.js';
import { STATUSES, URGENCIES, type Page, type Referral } from '../api/types.js';
import { DeadlineCountdown } from '../components/deadline.js';
import { ErrorAlert } from '../components/error-alert.js';
import { DirectionTag, StatusTag, UrgencyTag } from '../components/tags.js';
import { useI18n } from '../i18n/i18n.js';
import { needsAction, patientIdentifier } from '../lib/referral-labels.js';
import { useApi, usePolling } from '../lib/use-api.js';
import { Link, navigate, setSearchParam, useLocation } from '../router.js';
import { useUser } from '../session.js';

type Box = 'incoming' | 'outgoing';

/**
 * The worklist: the caller's institution's referrals in the contract's order (emergencies first, then the
 * earliest open deadline), with countdowns, return reasons and a "to do" mark; refreshed every 15 s.
 */
export function WorklistPage() {
  const user = useUser();
  const { t, lang, dateTime } = useI18n();
  const { search } = useLocation();
  const defaultBox: Box = user.role === 'township_doctor' ? 'outgoing' : 'incoming';
  const box = (search.get('box') as Box | null) ?? defaultBox;
  const filters = { status: search.get('status') ?? '', urgency: search.get('urgency') ?? '', direction: search.get('direction') ?? '', q: search.get('q') ?? '' };
  const [extra, setExtra] = useState<{ items: Referral[]; nextCursor: string | null } | null>(null);
  const [q, setQ] = useState(filters.q);

  const list = useApi(
    (signal) => {
      setExtra(null);
      return api.get<Page<Referral>>('/referrals', { box, ...filters, limit: 20 }, signal);
    },
    [box, filters.status, filters.urgency, filters.direction, filters.q],
  );
  usePolling(() => {
    if (!extra) void list.reload(true);
  }, 15_000);

  const items = [...(list.data?.items ?? []), ...(extra?.items ?? [])];
  const nextCursor = extra ? extra.nextCursor : list.data?.nextCursor ?? null;
  const loadMore = async () => {
    const page = await api.get<Page<Referral>>('/referrals', { box, ...filters, limit: 20, cursor: nextCursor });
    setExtra({ items: [...(extra?.items ?? []), ...page.items], nextCursor: page.nextCursor });
  };

  const columns: ColumnsType<Referral> = [
    {
      title: t('worklist.number'),
      dataIndex: 'number',
      render: (_, r) => (
        <Space orientation="vertical" size={0}>
          <Link to={`/referrals/${r.id}`} data-testid="worklist-number" style={{ whiteSpace: 'nowrap' }}>
            {r.number}
          </Link>
          {needsAction(r) && (
            <Tag color="magenta" data-testid="needs-action">
              {t('worklist.needsAction')}
            </Tag>
          )}
        </Space>
      ),
    },
    { title: t('referral.urgency'), dataIndex: 'urgency', render: (_, r) => <UrgencyTag urgency={r.urgency} /> },
    {
      title: t('worklist.patient'),
      render: (_, r) => (
        <Space orientation="vertical" size={0}>
          <span data-testid="worklist-patient">{r.patient.name}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
            {patientIdentifier(r)}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('worklist.diagnosis'),
      render: (_, r) => (
        <span>
          {r.diagnosis.text} <Typography.Text type="secondary">{r.diagnosis.icd10}</Typography.Text>
        </span>
      ),
    },
    {
      title: t('worklist.route'),
      render: (_, r) => (
        <span>
          <DirectionTag direction={r.direction} />
          {box === 'incoming' ? r.fromInstitution.name : r.toInstitution.name}
          {r.toDepartment ? ` · ${r.toDepartment}` : ''}
        </span>
      ),
    },
    { title: t('worklist.status'), render: (_, r) => <StatusTag status={r.status} direction={r.direction} /> },
    { title: t('worklist.deadline'), render: (_, r) => <DeadlineCountdown deadlines={r.deadlines} /> },
    {
      title: t('worklist.returnReason'),
      render: (_, r) =>
        r.returnReason && r.status === 'returned' ? (
          <span data-testid="worklist-return-reason">
            {lang === 'zh' ? r.returnReason.labelZh : r.returnReason.labelEn}
            {r.returnReason.comment ? `：${r.returnReason.comment}` : ''}
          </span>
        ) : null,
    },
    { title: t('worklist.created'), dataIndex: 'createdAt', render: (v: string) => dateTime(v) },
  ];

  const filterSelect = (name: keyof typeof filters, label: string, options: { value: string; label: string }[]) => (
    <Select
      allowClear
      placeholder={label}
      style={{ minWidth: 120 }}
      value={filters[name] || undefined}
      onChange={(v) => setSearchParam(name, v ?? null)}
      options={options}
      data-testid={`filter-${name}`}
    />
  );

  return (
    <Card
      title={t('nav.worklist')}
      extra={
        <Space>
          <Button icon={<ReloadOutlined />} onClick={() => list.reload()} data-testid="worklist-refresh">
            {t('common.refresh')}
          </Button>
          {user.role === 'township_doctor' && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/referrals/new')} data-testid="new-referral">
              {t('nav.newUp')}
            </Button>
          )}
        </Space>
      }
    >
      <Tabs
        activeKey={box}
        onChange={(k) => setSearchParam('box', k)}
        items={[
          { key: 'incoming', label: <span data-testid="worklist-tab-incoming">{t('worklist.incoming')}</span> },
          { key: 'outgoing', label: <span data-testid="worklist-tab-outgoing">{t('worklist.outgoing')}</span> },
        ]}
      />
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          allowClear
          placeholder={t('worklist.searchPlaceholder')}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onSearch={(v) => setSearchParam('q', v.trim() || null)}
          style={{ width: 280 }}
          data-testid="worklist-search"
        />
        {filterSelect('status', t('worklist.filterStatus'), STATUSES.filter((s) => box === 'outgoing' || s !== 'draft').map((s) => ({ value: s, label: t(`status.${s}`) })))}
        {filterSelect('urgency', t('worklist.filterUrgency'), URGENCIES.map((u) => ({ value: u, label: t(`urgency.${u}`) })))}
        {filterSelect('direction', t('worklist.filterDirection'), [
          { value: 'up', label: t('direction.up') },
          { value: 'down', label: t('direction.down') },
        ])}
      </Space>
      <ErrorAlert error={list.error} />
      <Table<Referral>
        data-testid="worklist-table"
        data-loaded={list.data ? 'true' : 'false'}
        rowKey="id"
        size="middle"
        loading={list.loading}
        columns={columns}
        dataSource={items}
        pagination={false}
        locale={{ emptyText: t('worklist.empty') }}
        scroll={{ x: 1200 }}
        onRow={(r) =>
          ({
            'data-testid': 'worklist-row',
            'data-referral-id': r.id,
            'data-status': r.status,
            style: { cursor: 'pointer', background: r.urgency === 'emergency' && needsAction(r) ? '#fff1f0' : undefined },
            onClick: (e: React.MouseEvent) => {
              if ((e.target as HTMLElement).closest('a')) return;
              navigate(`/referrals/${r.id}`);
            },
          }) as React.HTMLAttributes<HTMLElement>
        }
      />
      {nextCursor && (
        <div style={{ textAlign: 'center', marginTop: 16 }}>
          <Button onClick={loadMore} data-testid="worklist-more">
            {t('common.loadMore')}
          </Button>
        </div>
      )}
    </Card>
  );
}
