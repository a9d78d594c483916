import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, Form, InputNumber, Row, Select, Space, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../../api/client.js';
import { URGENCIES, type DeadlineSettings } from '../../api/types.js';
import { ErrorAlert } from '../../components/error-alert.js';
import { useI18n } from '../../i18n/i18n.js';
import { useApi } from '../../lib/use-api.js';

/** GET/PUT /settings/deadlines: the whole document replaced at once, as the contract says. */
export function SettingsPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const settings = useApi((signal) => api.get<DeadlineSettings>('/settings/deadlines', undefined, signal), []);
  const [form] = Form.useForm<DeadlineSettings>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (settings.data) form.setFieldsValue(settings.data);
  }, [settings.data, form]);

  if (!settings.data) return settings.loading ? <Spin /> : <ErrorAlert error={settings.error} />;

  const save = async (v: DeadlineSettings) => {
    setBusy(true);
    setError(null);
    try {
      settings.setData(await api.put<DeadlineSettings>('/settings/deadlines', v));
      message.success(t('common.saved'));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const positive = [{ required: true, type: 'integer' as const, min: 1, message: '≥ 1' }];

  return (
    <Card title={t('settings.title')} data-testid="settings-page">
      <Alert type="info" showIcon title={t('settings.appliesLater')} style={{ marginBottom: 16 }} />
      <ErrorAlert error={error} />
      <Form form={form} layout="vertical" onFinish={save}>
        {URGENCIES.map((u) => (
          <Row gutter={16} key={u}>
            <Col span={4}>
              <Typography.Text strong>{t(`urgency.${u}`)}</Typography.Text>
            </Col>
            <Col span={10}>
              <Form.Item name={[u, 'respondWithinMinutes']} label={t('settings.respond')} rules={positive}>
                <InputNumber min={1} style={{ width: '100%' }} data-testid={`settings-${u}-respond`} />
              </Form.Item>
            </Col>
            <Col span={10}>
              <Form.Item name={[u, 'arriveWithinMinutes']} label={t('settings.arrive')} rules={positive}>
                <InputNumber min={1} style={{ width: '100%' }} data-testid={`settings-${u}-arrive`} />
              </Form.Item>
            </Col>
          </Row>
        ))}
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="followUpWithinDays" label={t('settings.followUpWithinDays')} rules={positive}>
              <InputNumber min={1} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="expireAfterDays" label={t('settings.expireAfterDays')} rules={positive}>
              <InputNumber min={1} style={{ width: '100%' }} />
            </Form.Item>
          </Col>
        </Row>
        <Typography.Title level={5}>{t('settings.escalation')}</Typography.Title>
        <Form.List name="escalation">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field) => (
                <Space key={field.key} align="baseline">
                  <Form.Item name={[field.name, 'afterMinutes']} label={t('settings.afterMinutes')} rules={[{ required: true, type: 'integer', min: 0, message: '≥ 0' }]}>
                    <InputNumber min={0} />
                  </Form.Item>
                  <Form.Item name={[field.name, 'notify']} label={t('settings.notify')} rules={[{ required: true }]}>
                    <Select
                      style={{ width: 200 }}
                      options={[
                        { value: 'coordinator', label: t('settings.notify.coordinator') },
                        { value: 'admin', label: t('settings.notify.admin') },
                      ]}
                    />
                  </Form.Item>
                  <MinusCircleOutlined onClick={() => remove(field.name)} />
                </Space>
              ))}
              <div>
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ afterMinutes: 0, notify: 'coordinator' })} style={{ marginBottom: 16 }}>
                  {t('settings.addStep')}
                </Button>
              </div>
            </>
          )}
        </Form.List>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="settings-save">
          {t('common.save')}
        </Button>
      </Form>
    </Card>
  );
}
