import { Alert, App, Button, Card, Col, Descriptions, Divider, Form, Result, Row, Select, Space, Spin, Table, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { api, ApiError, newIdempotencyKey } from '../api/client.js';
import type { GateDetails, Page, Referral } from '../api/types.js';
import { ErrorAlert, applyFieldErrors } from '../components/error-alert.js';
import {
  ClinicalSection,
  ConsentSection,
  DepartmentField,
  DiagnosisSection,
  GatePanel,
  HandoverSection,
  PatientSection,
  UrgencyField,
  useConditionMatch,
} from '../components/referral-form-sections.js';
import { StatusTag } from '../components/tags.js';
import { useI18n } from '../i18n/i18n.js';
import { commonBody, type ReferralFormValues } from '../lib/referral-form.js';
import { useApi } from '../lib/use-api.js';
import { Link, navigate, useLocation } from '../router.js';
import { useSession, useUser } from '../session.js';

/** Keeps a value in the form without showing it (the parent's patient, carried into the downward referral). */
const HiddenValue = (_: { value?: unknown }) => null;

/** `/referrals/new`: an upward referral (township doctor) or, with `?direction=down`, a downward one (county doctor). */
export function NewReferralPage() {
  const user = useUser();
  const { t } = useI18n();
  const { search } = useLocation();
  const direction = search.get('direction') === 'down' ? 'down' : 'up';
  if (direction === 'up' && user.role !== 'township_doctor') return <Result status="403" subTitle={t('error.FORBIDDEN')} />;
  if (direction === 'down' && user.role !== 'county_doctor') return <Result status="403" subTitle={t('error.FORBIDDEN')} />;
  if (direction === 'up') return <UpwardForm />;
  const parent = search.get('parent');
  return parent ? <DownwardForm key={parent} parentId={parent} /> : <ParentPicker />;
}

/** What to show after a failed create: the gate's refusal, a duplicate, or the error itself. */
function useSubmitErrors() {
  const [error, setError] = useState<unknown>(null);
  const [refusal, setRefusal] = useState<GateDetails | null>(null);
  const [duplicateOf, setDuplicateOf] = useState<string | null>(null);
  const reset = () => {
    setError(null);
    setRefusal(null);
    setDuplicateOf(null);
  };
  const report = (e: unknown) => {
    setError(e);
    if (e instanceof ApiError && e.code === 'GATE_NOT_SATISFIED') setRefusal(e.details as unknown as GateDetails);
    if (e instanceof ApiError && e.code === 'DUPLICATE_OPEN_REFERRAL') setDuplicateOf(String(e.details?.referralId ?? ''));
  };
  return { error, refusal, duplicateOf, reset, report };
}

function DuplicateAlert({ referralId }: { referralId: string | null }) {
  const { t } = useI18n();
  if (!referralId) return null;
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="duplicate-alert"
      style={{ marginBottom: 16 }}
      title={
        <span>
          {t('referral.duplicate')} <Link to={`/referrals/${referralId}`}>{t('referral.openExisting')}</Link>
        </span>
      }
    />
  );
}

function UpwardForm() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { institutions } = useSession();
  const [form] = Form.useForm<ReferralFormValues>();
  const counties = institutions.filter((i) => i.level === 'county');
  const errors = useSubmitErrors();
  const [busy, setBusy] = useState(false);
  const mode = useRef<'submit' | 'draft'>('submit');
  const idempotencyKey = useRef(newIdempotencyKey());
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!form.getFieldValue('toInstitutionId') && counties[0]) form.setFieldValue('toInstitutionId', counties[0].id);
  }, [counties, form]);

  const onFinish = async (values: ReferralFormValues) => {
    setBusy(true);
    errors.reset();
    const body = { direction: 'up', toInstitutionId: values.toInstitutionId, ...commonBody(values, 'up'), submit: mode.current === 'submit' };
    try {
      const created = await api.post<Referral>('/referrals', body, idempotencyKey.current);
      message.success(t('referral.created', { number: created.number }));
      navigate(`/referrals/${created.id}`);
    } catch (e) {
      // A new attempt after a refusal is a new intent: the same key with another body would be refused.
      idempotencyKey.current = newIdempotencyKey();
      errors.report(e);
      applyFieldErrors(form, e);
      if (e instanceof ApiError && e.code === 'GATE_NOT_SATISFIED') panel.current?.scrollIntoView({ behavior: 'smooth', block: 'center' });
      else window.scrollTo({ top: 0, behavior: 'smooth' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('referral.new.up')} data-testid="new-referral-page">
      <ErrorAlert error={errors.refusal || errors.duplicateOf ? null : errors.error} testId="form-error" />
      <DuplicateAlert referralId={errors.duplicateOf} />
      <Form<ReferralFormValues>
        form={form}
        layout="vertical"
        onFinish={onFinish}
        scrollToFirstError
        initialValues={{ urgency: 'routine', patient: { gender: 'unknown' }, consent: { obtained: false, by: 'patient' }, indications: [] }}
        onValuesChange={(changed) => {
          if (errors.refusal && ('diagnosis' in changed || 'urgency' in changed)) errors.reset();
        }}
      >
        <Divider titlePlacement="start">{t('referral.patient')}</Divider>
        <PatientSection />
        <Divider titlePlacement="start">{t('referral.destination')}</Divider>
        <Row gutter={16}>
          <Col xs={24} md={10}>
            <Form.Item name="toInstitutionId" label={t('referral.toInstitution')} rules={[{ required: true, message: t('common.required') }]}>
              <Select data-testid="to-institution" options={counties.map((i) => ({ value: i.id, label: i.name }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <DepartmentField />
          </Col>
          <Col xs={24} md={8}>
            <UrgencyField />
          </Col>
        </Row>
        <Divider titlePlacement="start">{t('referral.diagnosis')}</Divider>
        <DiagnosisSection />
        <div ref={panel}>
          <GatePanel refusal={errors.refusal} />
        </div>
        <ClinicalSection direction="up" />
        <Divider titlePlacement="start">{t('referral.consent')}</Divider>
        <ConsentSection />
        <Space>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="submit-referral" onClick={() => (mode.current = 'submit')}>
            {t('referral.submit')}
          </Button>
          <Button htmlType="submit" loading={busy} data-testid="save-draft" onClick={() => (mode.current = 'draft')}>
            {t('referral.saveDraft')}
          </Button>
        </Space>
      </Form>
    </Card>
  );
}

/** A county doctor picks the upward referral (arrived or completed at their hospital) to refer back down. */
function ParentPicker() {
  const { t, dateTime } = useI18n();
  const list = useApi(async (signal) => {
    const pages = await Promise.all(
      (['arrived', 'completed'] as const).map((status) => api.get<Page<Referral>>('/referrals', { box: 'incoming', direction: 'up', status, limit: 50 }, signal)),
    );
    return pages.flatMap((p) => p.items);
  }, []);
  return (
    <Card title={t('referral.new.down')}>
      <Typography.Paragraph>{t('down.pickParent')}</Typography.Paragraph>
      <ErrorAlert error={list.error} />
      <Table<Referral>
        rowKey="id"
        loading={list.loading}
        dataSource={list.data ?? []}
        pagination={false}
        locale={{ emptyText: t('down.noParents') }}
        columns={[
          { title: t('worklist.number'), dataIndex: 'number' },
          { title: t('worklist.patient'), render: (_, r) => r.patient.name },
          { title: t('worklist.diagnosis'), render: (_, r) => r.diagnosis.text },
          { title: t('referral.from'), render: (_, r) => r.fromInstitution.name },
          { title: t('worklist.status'), render: (_, r) => <StatusTag status={r.status} direction={r.direction} /> },
          { title: t('referral.updatedAt'), render: (_, r) => dateTime(r.updatedAt) },
          {
            title: t('common.actions'),
            render: (_, r) => (
              <Button type="link" data-testid="pick-parent" onClick={() => navigate(`/referrals/new?direction=down&parent=${r.id}`)}>
                {t('referral.startDownward')}
              </Button>
            ),
          },
        ]}
      />
    </Card>
  );
}

function DownwardForm({ parentId }: { parentId: string }) {
  const { t, lang, dateTime } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<ReferralFormValues>();
  const parent = useApi((signal) => api.get<Referral>(`/referrals/${parentId}`, undefined, signal), [parentId]);
  const match = useConditionMatch(parent.data?.diagnosis.icd10);
  const errors = useSubmitErrors();
  const [busy, setBusy] = useState(false);
  const idempotencyKey = useRef(newIdempotencyKey());

  useEffect(() => {
    const p = parent.data;
    if (!p) return;
    form.setFieldsValue({
      urgency: 'routine',
      patient: { ...p.patient },
      diagnosis: { icd10: p.diagnosis.icd10, text: p.outcome?.diagnosis ?? p.diagnosis.text },
      consent: { obtained: false, by: p.consent.by },
      handover: {
        diagnosis: p.outcome?.diagnosis ?? p.diagnosis.text,
        treatmentSummary: p.outcome?.summary ?? '',
        medicationPlan: [{ drug: '', dose: '', frequency: '', days: 28 }],
        followUpPlan: '',
        rehabilitationAdvice: p.outcome?.recommendations ?? '',
      },
    });
  }, [parent.data, form]);

  if (parent.loading) return <Spin />;
  if (parent.error || !parent.data) return <ErrorAlert error={parent.error} />;
  const p = parent.data;

  const onFinish = async (values: ReferralFormValues) => {
    setBusy(true);
    errors.reset();
    const body = { direction: 'down', toInstitutionId: p.fromInstitution.id, parentReferralId: p.id, ...commonBody(values, 'down'), submit: true };
    try {
      const created = await api.post<Referral>('/referrals', body, idempotencyKey.current);
      message.success(t('referral.created', { number: created.number }));
      navigate(`/referrals/${created.id}`);
    } catch (e) {
      idempotencyKey.current = newIdempotencyKey();
      errors.report(e);
      applyFieldErrors(form, e);
      window.scrollTo({ top: 0, behavior: 'smooth' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('referral.new.down')} data-testid="new-downward-page">
      <ErrorAlert error={errors.error} testId="form-error" />
      <Descriptions size="small" bordered column={{ xs: 1, md: 2 }} title={t('down.parentSummary')} style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('worklist.number')}>
          <Link to={`/referrals/${p.id}`}>{p.number}</Link> <StatusTag status={p.status} direction={p.direction} />
        </Descriptions.Item>
        <Descriptions.Item label={t('worklist.patient')}>{p.patient.name}</Descriptions.Item>
        <Descriptions.Item label={t('referral.diagnosis')}>
          {p.diagnosis.text} ({p.diagnosis.icd10})
        </Descriptions.Item>
        <Descriptions.Item label={t('referral.to')}>{p.fromInstitution.name}</Descriptions.Item>
        <Descriptions.Item label={t('referral.arrivedAt')}>{dateTime(p.arrivedAt)}</Descriptions.Item>
        <Descriptions.Item label={t('referral.outcome')}>{p.outcome?.summary ?? '—'}</Descriptions.Item>
      </Descriptions>
      {match.condition && match.condition.downwardCriteria.length > 0 && (
        <Alert
          type="info"
          style={{ marginBottom: 16 }}
          title={`${t('handover.criteria')}（${lang === 'zh' ? match.condition.nameZh : match.condition.nameEn}）`}
          description={
            <ul style={{ margin: 0, paddingLeft: 20 }}>
              {match.condition.downwardCriteria.map((c) => (
                <li key={c.code}>{c.text}</li>
              ))}
            </ul>
          }
        />
      )}
      <Form<ReferralFormValues> form={form} layout="vertical" onFinish={onFinish} scrollToFirstError>
        <Form.Item name="patient" hidden>
          <HiddenValue />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <DepartmentField />
          </Col>
          <Col xs={24} md={12}>
            <UrgencyField />
          </Col>
        </Row>
        <DiagnosisSection />
        <ClinicalSection direction="down" />
        <Divider titlePlacement="start">{t('handover.title')}</Divider>
        <HandoverSection />
        <Divider titlePlacement="start">{t('referral.consent')}</Divider>
        <ConsentSection />
        <Button type="primary" htmlType="submit" loading={busy} data-testid="submit-referral">
          {t('referral.submit')}
        </Button>
      </Form>
    </Card>
  );
}
