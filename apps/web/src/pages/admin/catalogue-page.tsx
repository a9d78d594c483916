import { DeleteOutlined, EditOutlined, MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Checkbox, Col, Drawer, Empty, Form, Input, Modal, Popconfirm, Row, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { useRef, useState } from 'react';
import { api, ApiError, getAll, newIdempotencyKey } from '../../api/client.js';
import type { CatalogueVersion, Change, Condition, Diff, Page } from '../../api/types.js';
import { ErrorAlert, applyFieldErrors } from '../../components/error-alert.js';
import { useI18n } from '../../i18n/i18n.js';
import { useApi } from '../../lib/use-api.js';
import { setSearchParam, useLocation } from '../../router.js';

type TabKey = 'draft' | 'changes' | 'versions';

/** The catalogue editor: the draft (`?version=draft`), what publishing would change, publishing, and history. */
export function CataloguePage() {
  const { t } = useI18n();
  const { search } = useLocation();
  const tab = (search.get('tab') as TabKey | null) ?? 'draft';
  const [revision, setRevision] = useState(0);
  const bump = () => setRevision((r) => r + 1);
  return (
    <Card title={t('catalogue.title')} data-testid="catalogue-page">
      <Tabs
        activeKey={tab}
        onChange={(k) => setSearchParam('tab', k)}
        destroyOnHidden
        items={[
          { key: 'draft', label: <span data-testid="catalogue-tab-draft">{t('catalogue.draft')}</span>, children: <DraftTab onChanged={bump} /> },
          { key: 'changes', label: <span data-testid="catalogue-tab-changes">{t('catalogue.changes')}</span>, children: <ChangesTab revision={revision} onPublished={bump} /> },
          { key: 'versions', label: <span data-testid="catalogue-tab-versions">{t('catalogue.versions')}</span>, children: <VersionsTab revision={revision} /> },
        ]}
      />
    </Card>
  );
}

function DraftTab({ onChanged }: { onChanged(): void }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<Condition | 'new' | null>(null);
  const [more, setMore] = useState<Page<Condition> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const list = useApi(
    (signal) => {
      setMore(null);
      return api.get<Page<Condition>>('/catalogue/conditions', { version: 'draft', q: query || undefined, limit: 50 }, signal);
    },
    [query],
  );
  const items = [...(list.data?.items ?? []), ...(more?.items ?? [])];
  const nextCursor = more ? more.nextCursor : list.data?.nextCursor ?? null;

  const remove = async (c: Condition) => {
    setError(null);
    try {
      await api.delete(`/catalogue/conditions/${encodeURIComponent(c.code)}`);
      message.success(t('common.saved'));
      onChanged();
      void list.reload(true);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <>
      <Space style={{ marginBottom: 16 }} wrap>
        <Input.Search
          allowClear
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onSearch={(v) => setQuery(v.trim())}
          placeholder={t('referral.conditionSearchPlaceholder')}
          style={{ width: 280 }}
          data-testid="catalogue-search"
        />
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="condition-new">
          {t('catalogue.newCondition')}
        </Button>
      </Space>
      <ErrorAlert error={list.error ?? error} />
      <Table<Condition>
        rowKey="code"
        size="small"
        loading={list.loading}
        dataSource={items}
        pagination={false}
        scroll={{ x: 1000 }}
        onRow={(c) => ({ 'data-testid': 'condition-row', 'data-code': c.code }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('catalogue.code'), dataIndex: 'code', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          { title: lang === 'zh' ? t('catalogue.nameZh') : t('catalogue.nameEn'), render: (_, c) => (lang === 'zh' ? c.nameZh : c.nameEn) },
          { title: t('catalogue.icd10'), render: (_, c) => c.icd10.map((r) => <Tag key={r}>{r}</Tag>) },
          { title: t('catalogue.category'), dataIndex: 'category' },
          { title: t('catalogue.tier'), render: (_, c) => t(`catalogue.tier.${c.tier}`) },
          { title: t('catalogue.grassrootsFirst'), render: (_, c) => (c.grassrootsFirst ? t('common.yes') : t('common.no')) },
          { title: t('catalogue.upwardIndications'), render: (_, c) => c.upwardIndications.length },
          {
            title: t('catalogue.verified'),
            render: (_, c) => (c.verified ? <Tag color="green">{t('catalogue.verified')}</Tag> : <Tag color="gold">{t('catalogue.unverified')}</Tag>),
          },
          {
            title: t('common.actions'),
            fixed: 'right',
            render: (_, c) => (
              <Space>
                <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(c)} data-testid={`condition-edit-${c.code}`}>
                  {t('common.edit')}
                </Button>
                <Popconfirm title={t('catalogue.deleteConfirm', { name: lang === 'zh' ? c.nameZh : c.nameEn })} onConfirm={() => remove(c)}>
                  <Button size="small" danger icon={<DeleteOutlined />} data-testid={`condition-delete-${c.code}`} />
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      {nextCursor && (
        <div style={{ textAlign: 'center', marginTop: 16 }}>
          <Button
            onClick={async () => {
              const page = await api.get<Page<Condition>>('/catalogue/conditions', { version: 'draft', q: query || undefined, limit: 50, cursor: nextCursor });
              setMore({ items: [...(more?.items ?? []), ...page.items], nextCursor: page.nextCursor });
            }}
          >
            {t('common.loadMore')}
          </Button>
        </div>
      )}
      {editing && (
        <ConditionEditor
          condition={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            message.success(t('common.saved'));
            onChanged();
            void list.reload(true);
          }}
        />
      )}
    </>
  );
}

type ConditionForm = Omit<Condition, 'pinyin'>;

function ConditionEditor({ condition, onClose, onSaved }: { condition: Condition | null; onClose(): void; onSaved(): void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<ConditionForm>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(newIdempotencyKey());
  const initial: Partial<ConditionForm> = condition ?? { tier: 'township', grassrootsFirst: true, verified: false, icd10: [], upwardIndications: [], downwardCriteria: [], source: '', note: '' };

  const onFinish = async (v: ConditionForm) => {
    setBusy(true);
    setError(null);
    const body = {
      nameZh: v.nameZh.trim(),
      nameEn: v.nameEn.trim(),
      icd10: v.icd10.map((s) => s.trim()).filter(Boolean),
      category: v.category.trim(),
      tier: v.tier,
      grassrootsFirst: v.grassrootsFirst,
      upwardIndications: (v.upwardIndications ?? []).map((i) => ({ ...(i.code ? { code: i.code } : {}), text: i.text.trim(), emergency: !!i.emergency })),
      downwardCriteria: (v.downwardCriteria ?? []).map((c) => ({ ...(c.code ? { code: c.code } : {}), text: c.text.trim() })),
      verified: !!v.verified,
      source: v.source ?? '',
      note: v.note ?? '',
    };
    try {
      if (condition) await api.patch(`/catalogue/conditions/${encodeURIComponent(condition.code)}`, body);
      else await api.post('/catalogue/conditions', { code: v.code.trim(), ...body }, key.current);
      onSaved();
    } catch (e) {
      key.current = newIdempotencyKey();
      setError(e);
      applyFieldErrors(form, e);
    } finally {
      setBusy(false);
    }
  };

  const required = [{ required: true, whitespace: true, message: t('common.required') }];
  return (
    <Drawer
      open
      size="large"
      width={820}
      title={condition ? t('catalogue.editCondition', { code: condition.code }) : t('catalogue.newCondition')}
      onClose={onClose}
      destroyOnHidden
      extra={
        <Button type="primary" loading={busy} onClick={() => form.submit()} data-testid="condition-save">
          {t('common.save')}
        </Button>
      }
    >
      <div data-testid="condition-editor">
        <ErrorAlert error={error} testId="condition-error" />
        <Form<ConditionForm> form={form} layout="vertical" initialValues={initial} onFinish={onFinish}>
          <Row gutter={16}>
            <Col span={8}>
              <Form.Item name="code" label={t('catalogue.code')} rules={[...required, { pattern: /^[a-z0-9_]{2,64}$/, message: 'a-z 0-9 _ (2–64)' }]}>
                <Input disabled={!!condition} data-testid="condition-code" />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="nameZh" label={t('catalogue.nameZh')} rules={required}>
                <Input data-testid="condition-nameZh" />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="nameEn" label={t('catalogue.nameEn')} rules={required}>
                <Input data-testid="condition-nameEn" />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name="icd10" label={t('catalogue.icd10')} extra={t('catalogue.icd10Help')} rules={[{ required: true, type: 'array', min: 1, message: t('common.required') }]}>
                <Select mode="tags" tokenSeparators={[',', ' ', '，']} open={false} data-testid="condition-icd10" />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name="category" label={t('catalogue.category')} rules={required}>
                <Input data-testid="condition-category" />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="tier" label={t('catalogue.tier')}>
                <Select
                  options={[
                    { value: 'township', label: t('catalogue.tier.township') },
                    { value: 'county', label: t('catalogue.tier.county') },
                  ]}
                />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="grassrootsFirst" label={t('catalogue.grassrootsFirst')} valuePropName="checked">
                <Switch data-testid="condition-grassroots-first" />
              </Form.Item>
            </Col>
            <Col span={8}>
              <Form.Item name="verified" label={t('catalogue.verified')} valuePropName="checked">
                <Switch data-testid="condition-verified" />
              </Form.Item>
            </Col>
          </Row>
          <Typography.Title level={5}>{t('catalogue.upwardIndications')}</Typography.Title>
          <Form.List name="upwardIndications">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field, index) => (
                  <Space key={field.key} align="baseline" style={{ display: 'flex' }} data-testid="indication-row">
                    <Form.Item name={[field.name, 'code']} style={{ width: 190 }}>
                      <Input disabled placeholder="(auto)" />
                    </Form.Item>
                    <Form.Item name={[field.name, 'text']} rules={required} style={{ width: 420 }}>
                      <Input.TextArea autoSize placeholder={t('catalogue.text')} data-testid={`indication-text-${index}`} />
                    </Form.Item>
                    <Form.Item name={[field.name, 'emergency']} valuePropName="checked">
                      <Checkbox>{t('catalogue.emergency')}</Checkbox>
                    </Form.Item>
                    <MinusCircleOutlined onClick={() => remove(field.name)} />
                  </Space>
                ))}
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ text: '', emergency: false })} data-testid="indication-add" style={{ marginBottom: 16 }}>
                  {t('catalogue.addIndication')}
                </Button>
              </>
            )}
          </Form.List>
          <Typography.Title level={5}>{t('catalogue.downwardCriteria')}</Typography.Title>
          <Form.List name="downwardCriteria">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field) => (
                  <Space key={field.key} align="baseline" style={{ display: 'flex' }}>
                    <Form.Item name={[field.name, 'code']} style={{ width: 190 }}>
                      <Input disabled placeholder="(auto)" />
                    </Form.Item>
                    <Form.Item name={[field.name, 'text']} rules={required} style={{ width: 500 }}>
                      <Input.TextArea autoSize placeholder={t('catalogue.text')} />
                    </Form.Item>
                    <MinusCircleOutlined onClick={() => remove(field.name)} />
                  </Space>
                ))}
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ text: '' })} style={{ marginBottom: 16 }}>
                  {t('catalogue.addCriterion')}
                </Button>
              </>
            )}
          </Form.List>
          <Form.Item name="source" label={t('catalogue.source')}>
            <Input.TextArea autoSize />
          </Form.Item>
          <Form.Item name="note" label={t('catalogue.note')}>
            <Input.TextArea autoSize />
          </Form.Item>
        </Form>
      </div>
    </Drawer>
  );
}

/** What publishing would change: the server's draft diff, or, where it lacks one, a comparison made here. */
async function draftChanges(): Promise<{ changes: Change[]; computed: boolean }> {
  try {
    const diff = await api.get<Diff>('/catalogue/versions/draft/diff');
    return { changes: diff.changes, computed: false };
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 400 && e.status !== 404)) throw e;
  }
  const [draft, latest] = await Promise.all([getAll<Condition>('/catalogue/conditions', { version: 'draft' }, 200), getAll<Condition>('/catalogue/conditions', {}, 200)]);
  const before = new Map(latest.map((c) => [c.code, c]));
  const after = new Map(draft.map((c) => [c.code, c]));
  const changes: Change[] = [];
  for (const [code, c] of after) {
    const old = before.get(code);
    if (!old) changes.push({ code, change: 'added', fields: [] });
    else {
      const fields = (Object.keys(c) as (keyof Condition)[]).filter((k) => JSON.stringify(c[k]) !== JSON.stringify(old[k]));
      if (fields.length > 0) changes.push({ code, change: 'modified', fields });
    }
  }
  for (const code of before.keys()) if (!after.has(code)) changes.push({ code, change: 'removed', fields: [] });
  return { changes: changes.sort((a, b) => a.code.localeCompare(b.code)), computed: true };
}

function ChangeTable({ changes, testId }: { changes: Change[]; testId?: string }) {
  const { t } = useI18n();
  const color = { added: 'green', removed: 'red', modified: 'blue' } as const;
  return (
    <Table<Change>
      data-testid={testId}
      rowKey="code"
      size="small"
      pagination={false}
      dataSource={changes}
      onRow={(c) => ({ 'data-testid': 'change-row', 'data-code': c.code, 'data-change': c.change }) as React.HTMLAttributes<HTMLElement>}
      columns={[
        { title: t('catalogue.code'), dataIndex: 'code', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
        { title: '', dataIndex: 'change', render: (v: Change['change']) => <Tag color={color[v]}>{t(`catalogue.change.${v}`)}</Tag> },
        { title: t('catalogue.fields'), dataIndex: 'fields', render: (v: string[]) => v.map((f) => <Tag key={f}>{f}</Tag>) },
      ]}
    />
  );
}

function ChangesTab({ revision, onPublished }: { revision: number; onPublished(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const changes = useApi(() => draftChanges(), [revision]);
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(newIdempotencyKey());

  const publish = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await api.post<{ version: number }>('/catalogue/publish', { note: note.trim() }, key.current);
      key.current = newIdempotencyKey();
      message.success(t('catalogue.published', { version: result.version }));
      setNote('');
      onPublished();
    } catch (e) {
      key.current = newIdempotencyKey();
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const list = changes.data?.changes ?? [];
  return (
    <>
      <ErrorAlert error={changes.error ?? error} testId="publish-error" />
      {changes.data?.computed && <Typography.Paragraph type="secondary">{t('catalogue.diffFallback')}</Typography.Paragraph>}
      {list.length === 0 && !changes.loading ? (
        <Empty description={t('catalogue.noChanges')} data-testid="no-changes" />
      ) : (
        <>
          <ChangeTable changes={list} testId="draft-changes" />
          <Space.Compact style={{ marginTop: 16, width: '100%', maxWidth: 640 }}>
            <Input placeholder={t('catalogue.publishNote')} value={note} onChange={(e) => setNote(e.target.value)} data-testid="publish-note" maxLength={4000} />
            <Popconfirm title={t('catalogue.publish')} onConfirm={publish} okButtonProps={{ 'data-testid': 'publish-confirm' } as never}>
              <Button type="primary" loading={busy} data-testid="publish">
                {t('catalogue.publish')}
              </Button>
            </Popconfirm>
          </Space.Compact>
        </>
      )}
    </>
  );
}

function VersionsTab({ revision }: { revision: number }) {
  const { t, dateTime } = useI18n();
  const versions = useApi(() => getAll<CatalogueVersion>('/catalogue/versions'), [revision]);
  const [shown, setShown] = useState<number | null>(null);
  const diff = useApi(() => (shown === null ? Promise.resolve(null) : api.get<Diff>(`/catalogue/versions/${shown}/diff`)), [shown]);
  return (
    <>
      <ErrorAlert error={versions.error} />
      <Table<CatalogueVersion>
        rowKey="version"
        size="small"
        loading={versions.loading}
        dataSource={versions.data ?? []}
        pagination={false}
        onRow={(v) => ({ 'data-testid': 'version-row', 'data-version': v.version }) as React.HTMLAttributes<HTMLElement>}
        columns={[
          { title: t('catalogue.version'), dataIndex: 'version' },
          { title: t('catalogue.publishedAt'), dataIndex: 'publishedAt', render: (v: string) => dateTime(v) },
          { title: t('catalogue.publishedBy'), render: (_, v) => v.publishedBy?.displayName ?? '—' },
          { title: t('catalogue.publishNote'), dataIndex: 'note' },
          { title: t('catalogue.changeCount'), dataIndex: 'changeCount' },
          {
            title: t('common.actions'),
            render: (_, v) => (
              <Button size="small" onClick={() => setShown(v.version)} data-testid={`version-diff-${v.version}`}>
                {t('catalogue.fields')}
              </Button>
            ),
          },
        ]}
      />
      <Modal open={shown !== null} onCancel={() => setShown(null)} footer={null} width={720} title={shown !== null ? t('catalogue.diffOf', { version: shown }) : ''}>
        <ErrorAlert error={diff.error} />
        {diff.data && <ChangeTable changes={diff.data.changes} testId="version-changes" />}
      </Modal>
    </>
  );
}
