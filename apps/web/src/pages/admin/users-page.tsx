import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, Modal, Select, Table, Tag } from 'antd';
import { useRef, useState } from 'react';
import { api, getAll, newIdempotencyKey } from '../../api/client.js';
import type { Role, User } from '../../api/types.js';
import { ErrorAlert, applyFieldErrors } from '../../components/error-alert.js';
import { useI18n } from '../../i18n/i18n.js';
import { useApi } from '../../lib/use-api.js';
import { useSession } from '../../session.js';

const ROLES: Role[] = ['township_doctor', 'county_doctor', 'coordinator', 'admin'];

interface NewUser { username: string; password: string; displayName: string; role: Role; institutionId?: string }

export function UsersPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { institutions, institutionName } = useSession();
  const list = useApi(() => getAll<User>('/users'), []);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [form] = Form.useForm<NewUser>();
  const role = Form.useWatch('role', form);
  const key = useRef(newIdempotencyKey());

  const create = async () => {
    const v = await form.validateFields();
    setError(null);
    try {
      await api.post(
        '/users',
        { username: v.username.trim(), password: v.password, displayName: v.displayName.trim(), role: v.role, institutionId: v.role === 'admin' ? null : v.institutionId },
        key.current,
      );
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
      title={t('users.title')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="user-new">
          {t('common.create')}
        </Button>
      }
    >
      <ErrorAlert error={list.error} />
      <Table<User>
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data ?? []}
        pagination={false}
        columns={[
          { title: t('users.username'), dataIndex: 'username' },
          { title: t('users.displayName'), dataIndex: 'displayName' },
          { title: t('users.role'), dataIndex: 'role', render: (v: Role) => <Tag>{t(`role.${v}`)}</Tag> },
          { title: t('users.institution'), dataIndex: 'institutionId', render: (v: string | null) => (v ? institutionName(v) : '—') },
        ]}
      />
      <Modal open={open} title={t('users.title')} onCancel={() => setOpen(false)} onOk={create} okText={t('common.save')} cancelText={t('common.cancel')} destroyOnHidden>
        <ErrorAlert error={error} />
        <Form form={form} layout="vertical" initialValues={{ role: 'township_doctor' }}>
          <Form.Item name="username" label={t('users.username')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item name="displayName" label={t('users.displayName')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
            <Input />
          </Form.Item>
          <Form.Item name="password" label={t('users.password')} rules={[{ required: true, message: t('common.required') }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item name="role" label={t('users.role')}>
            <Select options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
          </Form.Item>
          {role !== 'admin' && (
            <Form.Item name="institutionId" label={t('users.institution')} rules={[{ required: true, message: t('common.required') }]}>
              <Select options={institutions.map((i) => ({ value: i.id, label: `${i.name}（${t(`level.${i.level}`)}）` }))} />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </Card>
  );
}
