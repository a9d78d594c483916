import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Select, Table, Tag } from 'antd';
import { useRef, useState } from 'react';
import { api, getAll, newIdempotencyKey } from '../../api/client.js';
import type { Institution } from '../../api/types.js';
import { ErrorAlert, applyFieldErrors } from '../../components/error-alert.js';
import { useI18n } from '../../i18n/i18n.js';
import { useApi } from '../../lib/use-api.js';

export function InstitutionsPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const list = useApi(() => getAll<Institution>('/institutions'), []);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [form] = Form.useForm<Omit<Institution, 'id'>>();
  const key = useRef(newIdempotencyKey());

  const create = async () => {
    const v = await form.validateFields();
    setError(null);
    try {
      await api.post('/institutions', { code: v.code.trim(), name: v.name.trim(), level: v.level }, key.current);
      key.current = newIdempotencyKey();
      message.success(t('common.saved'));
      setOpen(false);
      form.resetFields();
      void list.reload(true);
    } catch (e) {
      key.current = newIdempotencyKey();
      setError(e);
      applyFieldErrors(form, e);
    }
  };

  return (
    <Card
      title={t('institutions.title')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="institution-new">
          {t('common.create')}
        </Button>
      }
    >
      <ErrorAlert error={list.error} />
      <Table<Institution>
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data ?? []}
        pagination={false}
        columns={[
          { title: t('institutions.code'), dataIndex: 'code' },
          { title: t('institutions.name'), dataIndex: 'name' },
          { title: t('institutions.level'), dataIndex: 'level', render: (v: Institution['level']) => <Tag>{t(`level.${v}`)}</Tag> },
        ]}
      />
      <Modal open={open} title={t('institutions.title')} onCancel={() => setOpen(false)} onOk={create} okText={t('common.save')} cancelText={t('common.cancel')} destroyOnHidden>
        <ErrorAlert error={error} />
        <Form form={form} layout="vertical" initialValues={{ level: 'township' }}>
          <Form.Item name="code" label={t('institutions.code')} extra={t('institutions.codeHelp')} rules={[{ required: true, pattern: /^[A-Za-z0-9_-]{1,64}$/, message: t('institutions.codeHelp') }]}>
            <Input data-testid="institution-code" />
          </Form.Item>
          <Form.Item name="name" label={t('institutions.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
            <Input data-testid="institution-name" />
          </Form.Item>
          <Form.Item name="level" label={t('institutions.level')}>
            <Select options={(['county', 'township', 'village'] as const).map((l) => ({ value: l, label: t(`level.${l}`) }))} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
