import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Switch, Table } from 'antd';
import { useRef, useState } from 'react';
import { api, getAll, newIdempotencyKey } from '../../api/client.js';
import type { ReasonCode } from '../../api/types.js';
import { ErrorAlert, applyFieldErrors } from '../../components/error-alert.js';
import { useI18n } from '../../i18n/i18n.js';
import { useApi } from '../../lib/use-api.js';

/** Return reasons: add, relabel, retire (active: false) or bring back. */
export function ReasonCodesPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const list = useApi(() => getAll<ReasonCode>('/reason-codes'), []);
  const [editing, setEditing] = useState<ReasonCode | 'new' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [form] = Form.useForm<ReasonCode>();
  const key = useRef(newIdempotencyKey());

  const setActive = async (c: ReasonCode, active: boolean) => {
    setError(null);
    try {
      await api.patch(`/reason-codes/${encodeURIComponent(c.code)}`, { active });
      void list.reload(true);
    } catch (e) {
      setError(e);
    }
  };

  const save = async () => {
    const v = await form.validateFields();
    setError(null);
    try {
      if (editing === 'new') await api.post('/reason-codes', { code: v.code.trim(), labelZh: v.labelZh.trim(), labelEn: v.labelEn.trim() }, key.current);
      else if (editing) await api.patch(`/reason-codes/${encodeURIComponent(editing.code)}`, { labelZh: v.labelZh.trim(), labelEn: v.labelEn.trim() });
      key.current = newIdempotencyKey();
      message.success(t('common.saved'));
      setEditing(null);
      void list.reload(true);
    } catch (e) {
      key.current = newIdempotencyKey();
      setError(e);
      applyFieldErrors(form, e);
    }
  };

  const open = (c: ReasonCode | 'new') => {
    setError(null);
    form.setFieldsValue(c === 'new' ? { code: '', labelZh: '', labelEn: '' } : c);
    setEditing(c);
  };

  return (
    <Card
      title={t('reasonCodes.title')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="reason-new">
          {t('common.create')}
        </Button>
      }
    >
      <ErrorAlert error={list.error ?? (editing ? null : error)} />
      <Table<ReasonCode>
        rowKey="code"
        size="small"
        loading={list.loading}
        dataSource={list.data ?? []}
        pagination={false}
        columns={[
          { title: t('reasonCodes.code'), dataIndex: 'code' },
          { title: t('reasonCodes.labelZh'), dataIndex: 'labelZh' },
          { title: t('reasonCodes.labelEn'), dataIndex: 'labelEn' },
          { title: t('reasonCodes.active'), render: (_, c) => <Switch checked={c.active} onChange={(v) => setActive(c, v)} data-testid={`reason-active-${c.code}`} /> },
          { title: t('common.actions'), render: (_, c) => <Button size="small" icon={<EditOutlined />} onClick={() => open(c)} /> },
        ]}
      />
      <Modal open={editing !== null} title={t('reasonCodes.title')} onCancel={() => setEditing(null)} onOk={save} okText={t('common.save')} cancelText={t('common.cancel')} forceRender>
        <ErrorAlert error={error} />
        <Form form={form} layout="vertical">
          <Form.Item name="code" label={t('reasonCodes.code')} rules={[{ required: true, pattern: /^[a-z0-9_]{2,64}$/, message: 'a-z 0-9 _ (2–64)' }]}>
            <Input disabled={editing !== 'new'} />
          </Form.Item>
          <Form.Item name="labelZh" label={t('reasonCodes.labelZh')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
            <Input />
          </Form.Item>
          <Form.Item name="labelEn" label={t('reasonCodes.labelEn')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
