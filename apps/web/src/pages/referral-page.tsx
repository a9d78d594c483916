import { ArrowDownOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Drawer,
  Form,
  Input,
  Modal,
  Row,
  Select,
  Space,
  Spin,
  Switch,
  Table,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api, ApiError, getAll, newIdempotencyKey } from '../api/client.js';
import type { ActionName, Condition, GateDetails, ReasonCode, Referral, TimelineItem } from '../api/types.js';
import { DeadlineCountdown } from '../components/deadline.js';
import { ErrorAlert, applyFieldErrors } from '../components/error-alert.js';
import {
  ClinicalSection,
  DepartmentField,
  DiagnosisSection,
  GatePanel,
  HandoverSection,
  PatientSection,
  UrgencyField,
  DEPARTMENTS,
} from '../components/referral-form-sections.js';
import { DirectionTag, StatusTag, UrgencyTag } from '../components/tags.js';
import { useI18n } from '../i18n/i18n.js';
import { commonBody, formValuesOf, type ReferralFormValues } from '../lib/referral-form.js';
import { useApi, usePolling } from '../lib/use-api.js';
import { Link, navigate } from '../router.js';
import { useUser } from '../session.js';

/** Actions offered as buttons, in this order; `resubmit` opens the editor (PATCH first, then resubmit). */
const BUTTON_ORDER: ActionName[] = ['submit', 'resubmit', 'accept', 'arrive', 'complete', 'return', 'no_show', 'cancel'];

export function ReferralPage({ id }: { id: string }) {
  const { t, dateTime, lang } = useI18n();
  const { message } = App.useApp();
  const user = useUser();
  const referral = useApi((signal) => api.get<Referral>(`/referrals/${id}`, undefined, signal), [id]);
  const [timelineKey, setTimelineKey] = useState(0);
  const [action, setAction] = useState<ActionName | null>(null);
  const [editing, setEditing] = useState(false);
  usePolling(() => {
    if (!action && !editing) void referral.reload(true);
  }, 20_000);

  if (referral.loading && !referral.data) return <Spin />;
  if (!referral.data) return <ErrorAlert error={referral.error} />;
  const r = referral.data;

  const updated = (next: Referral, note?: string) => {
    referral.setData(next);
    setTimelineKey((k) => k + 1);
    message.success(note ?? t('action.done'));
  };
  const conflict = async () => {
    await referral.reload(true);
    setTimelineKey((k) => k + 1);
    message.warning(t('referral.conflict'));
  };

  const canReferDown =
    user.role === 'county_doctor' && r.direction === 'up' && r.toInstitution.id === user.institutionId && (r.status === 'arrived' || r.status === 'completed');
  const buttons = BUTTON_ORDER.filter((a) => r.allowedActions.includes(a));
  const editable = r.allowedActions.includes('submit') || r.allowedActions.includes('resubmit');

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid="referral-page" data-referral-id={r.id} data-version={r.version}>
      <Card
        title={
          <Space wrap>
            <span data-testid="referral-number">{r.number}</span>
            <DirectionTag direction={r.direction} />
            <UrgencyTag urgency={r.urgency} />
            <span data-testid="referral-status" data-status={r.status}>
              <StatusTag status={r.status} direction={r.direction} />
            </span>
            <DeadlineCountdown deadlines={r.deadlines} />
          </Space>
        }
        extra={
          <Space wrap>
            {buttons.map((a) => (
              <Button
                key={a}
                type={a === 'cancel' || a === 'no_show' || a === 'return' ? 'default' : 'primary'}
                danger={a === 'cancel' || a === 'no_show'}
                data-testid={`action-${a}`}
                onClick={() => (a === 'resubmit' ? setEditing(true) : setAction(a))}
              >
                {a === 'complete' && r.direction === 'down' ? t('action.completeDown') : t(`action.${a}`)}
              </Button>
            ))}
            {editable && !r.allowedActions.includes('resubmit') && (
              <Button data-testid="edit-referral" onClick={() => setEditing(true)}>
                {t('common.edit')}
              </Button>
            )}
            {canReferDown && (
              <Button icon={<ArrowDownOutlined />} data-testid="start-downward" onClick={() => navigate(`/referrals/new?direction=down&parent=${r.id}`)}>
                {t('referral.startDownward')}
              </Button>
            )}
          </Space>
        }
      >
        {r.status === 'returned' && r.returnReason && (
          <Alert
            type="warning"
            showIcon
            data-testid="return-reason-alert"
            style={{ marginBottom: 16 }}
            title={t('referral.returnedBecause', { label: lang === 'zh' ? r.returnReason.labelZh : r.returnReason.labelEn })}
            description={
              <>
                {r.returnReason.comment && <div data-testid="return-comment">{r.returnReason.comment}</div>}
                <div>
                  {r.returnReason.by.displayName} · {dateTime(r.returnReason.at)}
                </div>
                {r.allowedActions.includes('resubmit') && <div>{t('referral.returnedHint')}</div>}
              </>
            }
          />
        )}
        <ReferralDetails r={r} />
      </Card>
      {r.handover && <HandoverCard r={r} />}
      <TimelineCard id={r.id} refreshKey={timelineKey} />
      {action && (
        <ActionModal
          referral={r}
          action={action}
          onClose={() => setAction(null)}
          onDone={(next) => {
            setAction(null);
            updated(next);
          }}
          onConflict={() => {
            setAction(null);
            void conflict();
          }}
        />
      )}
      {editing && (
        <EditDrawer
          referral={r}
          onClose={() => setEditing(false)}
          onSaved={(next) => {
            referral.setData(next);
            setTimelineKey((k) => k + 1);
          }}
          onDone={(next) => {
            setEditing(false);
            updated(next);
          }}
          onConflict={() => {
            setEditing(false);
            void conflict();
          }}
        />
      )}
    </Space>
  );
}

function ReferralDetails({ r }: { r: Referral }) {
  const { t, dateTime, lang } = useI18n();
  const texts = useIndicationTexts(r);
  const p = r.patient;
  const masked = (p.idNumber ?? '').includes('*') || (p.phone ?? '').includes('*');
  const text = (v: string | null | undefined) => (v && v.trim() ? <span style={{ whiteSpace: 'pre-wrap' }}>{v}</span> : '—');
  return (
    <Descriptions size="small" bordered column={{ xs: 1, sm: 1, md: 2, lg: 3 }} data-testid="referral-details">
      <Descriptions.Item label={t('referral.patient.name')}>
        <span data-testid="detail-patient-name">{p.name}</span> · {t(`gender.${p.gender}`)} · {p.birthDate}
      </Descriptions.Item>
      <Descriptions.Item label={t('referral.patient.idNumber')}>
        <span data-testid="detail-id-number" style={{ fontFamily: 'monospace' }}>
          {p.idNumber ?? '—'}
        </span>
        {masked && (
          <Tag style={{ marginLeft: 8 }} color="default">
            {t('referral.masked')}
          </Tag>
        )}
      </Descriptions.Item>
      <Descriptions.Item label={t('referral.patient.phone')}>{p.phone ?? '—'}</Descriptions.Item>
      {p.healthRecordNo && <Descriptions.Item label={t('referral.patient.healthRecordNo')}>{p.healthRecordNo}</Descriptions.Item>}
      <Descriptions.Item label={t('referral.from')}>{r.fromInstitution.name}</Descriptions.Item>
      <Descriptions.Item label={t('referral.to')}>
        {r.toInstitution.name}
        {r.toDepartment ? ` · ${r.toDepartment}` : ''}
      </Descriptions.Item>
      <Descriptions.Item label={t('referral.appointment')}>
        <span data-testid="detail-appointment">{r.appointment ? `${r.appointment.department} · ${dateTime(r.appointment.at)}` : '—'}</span>
      </Descriptions.Item>
      <Descriptions.Item label={t('referral.diagnosis')} span={2}>
        {r.diagnosis.text} <Typography.Text code>{r.diagnosis.icd10}</Typography.Text>
      </Descriptions.Item>
      <Descriptions.Item label={t('referral.gate')}>
        {r.gate ? (
          <span data-testid="detail-gate" data-outcome={r.gate.outcome}>
            <Tag color={r.gate.outcome === 'override' ? 'orange' : 'green'}>{t(`gateOutcome.${r.gate.outcome}`)}</Tag>
            <Typography.Text type="secondary">{t('referral.catalogueVersion', { version: r.gate.catalogueVersion })}</Typography.Text>
          </span>
        ) : (
          '—'
        )}
      </Descriptions.Item>
      <Descriptions.Item label={t('referral.reason')} span={3}>
        {text(r.reason)}
      </Descriptions.Item>
      {r.direction === 'up' && (
        <Descriptions.Item label={t('referral.indications')} span={3}>
          {r.indications.length === 0
            ? '—'
            : r.indications.map((c) => (
                <div key={c} data-testid="detail-indication">
                  <Typography.Text code>{c}</Typography.Text> {texts[c] ?? ''}
                </div>
              ))}
        </Descriptions.Item>
      )}
      {r.override && (
        <Descriptions.Item label={t('referral.override')} span={3}>
          {r.override.justification}
        </Descriptions.Item>
      )}
      {r.direction === 'up' && (
        <>
          <Descriptions.Item label={t('referral.history')}>{text(r.history)}</Descriptions.Item>
          <Descriptions.Item label={t('referral.allergies')}>{text(r.allergies)}</Descriptions.Item>
          <Descriptions.Item label={t('referral.treatmentSoFar')}>{text(r.treatmentSoFar)}</Descriptions.Item>
        </>
      )}
      <Descriptions.Item label={t('referral.consent')}>
        {r.consent.obtained ? t('common.yes') : t('common.no')} · {t(`consent.${r.consent.by}`)}
      </Descriptions.Item>
      <Descriptions.Item label={t('referral.arrivedAt')}>{dateTime(r.arrivedAt)}</Descriptions.Item>
      <Descriptions.Item label={t('referral.deadlines')}>
        {r.deadlines.length === 0
          ? '—'
          : r.deadlines.map((d, i) => (
              <div key={i}>
                {t(`deadline.${d.kind}` as 'deadline.respond')} · {dateTime(d.dueAt)} · {t(`deadlineState.${d.state}` as 'deadlineState.open')}
              </div>
            ))}
      </Descriptions.Item>
      {r.outcome && (
        <Descriptions.Item label={t('referral.outcome')} span={3}>
          <div data-testid="detail-outcome">
            {r.outcome.familyDoctor && (
              <div>
                {t('complete.familyDoctor')}: {r.outcome.familyDoctor}
              </div>
            )}
            {r.outcome.diagnosis && (
              <div>
                {t('complete.diagnosis')}: {r.outcome.diagnosis}
              </div>
            )}
            {r.outcome.summary && <div style={{ whiteSpace: 'pre-wrap' }}>{r.outcome.summary}</div>}
            {r.outcome.recommendations && (
              <div>
                {t('complete.recommendations')}: {r.outcome.recommendations}
              </div>
            )}
          </div>
        </Descriptions.Item>
      )}
      {r.parentReferralId && (
        <Descriptions.Item label={t('referral.parent')}>
          <Link to={`/referrals/${r.parentReferralId}`} data-testid="parent-link">
            {t('common.details')}
          </Link>
        </Descriptions.Item>
      )}
      {r.childReferralIds.length > 0 && (
        <Descriptions.Item label={t('referral.children')}>
          {r.childReferralIds.map((c, i) => (
            <Link key={c} to={`/referrals/${c}`} data-testid="child-link" style={{ marginRight: 8 }}>
              #{i + 1}
            </Link>
          ))}
        </Descriptions.Item>
      )}
      <Descriptions.Item label={t('referral.createdAt')}>{dateTime(r.createdAt)}</Descriptions.Item>
      <Descriptions.Item label={t('referral.updatedAt')}>{dateTime(r.updatedAt)}</Descriptions.Item>
      <Descriptions.Item label={t('referral.version')}>{r.version}</Descriptions.Item>
    </Descriptions>
  );
}

/** The texts of the cited indications, from the catalogue version the gate used (or the latest for drafts). */
function useIndicationTexts(r: Referral): Record<string, string> {
  const [texts, setTexts] = useState<Record<string, string>>({});
  const key = `${r.gate?.conditionCode}:${r.gate?.catalogueVersion}:${r.diagnosis.icd10}:${r.indications.join(',')}`;
  useEffect(() => {
    if (r.indications.length === 0) return;
    const load = r.gate?.conditionCode
      ? api.get<Condition>(`/catalogue/conditions/${encodeURIComponent(r.gate.conditionCode)}`, { version: r.gate.catalogueVersion })
      : api.get<{ condition: Condition | null }>('/catalogue/match', { icd10: r.diagnosis.icd10 }).then((m) => m.condition);
    load.then(
      (c) => setTexts(Object.fromEntries((c?.upwardIndications ?? []).map((i) => [i.code ?? '', i.text]))),
      () => setTexts({}),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return texts;
}

function HandoverCard({ r }: { r: Referral }) {
  const { t } = useI18n();
  const h = r.handover!;
  return (
    <Card title={t('handover.title')} data-testid="handover">
      <Descriptions size="small" bordered column={{ xs: 1, md: 2 }}>
        <Descriptions.Item label={t('handover.diagnosis')}>{h.diagnosis}</Descriptions.Item>
        <Descriptions.Item label={t('handover.treatmentSummary')}>{h.treatmentSummary}</Descriptions.Item>
        <Descriptions.Item label={t('handover.followUpPlan')}>{h.followUpPlan}</Descriptions.Item>
        <Descriptions.Item label={t('handover.rehabilitationAdvice')}>{h.rehabilitationAdvice || '—'}</Descriptions.Item>
      </Descriptions>
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('handover.medicationPlan')}
      </Typography.Title>
      <Table
        data-testid="medication-plan"
        size="small"
        rowKey={(_, i) => String(i)}
        pagination={false}
        dataSource={h.medicationPlan}
        columns={[
          { title: t('handover.drug'), dataIndex: 'drug' },
          { title: t('handover.dose'), dataIndex: 'dose' },
          { title: t('handover.frequency'), dataIndex: 'frequency' },
          { title: t('handover.days'), dataIndex: 'days' },
        ]}
      />
    </Card>
  );
}

function TimelineCard({ id, refreshKey }: { id: string; refreshKey: number }) {
  const { t, tryT, dateTime } = useI18n();
  const [showNotifications, setShowNotifications] = useState(false);
  const timeline = useApi(() => getAll<TimelineItem>(`/referrals/${id}/timeline`), [id, refreshKey]);
  const items = (timeline.data ?? []).filter((i) => showNotifications || i.type !== 'notification');
  const statusLabel = (s: string | null) => (s ? tryT(`status.${s}`, s) : '');
  const describe = (i: TimelineItem): { color: string; content: ReactNode } => {
    if (i.type === 'transition') {
      const actor = i.actor ? `${i.actor.displayName}（${tryT(`role.${i.actor.role}`, i.actor.role)}）` : t('timeline.system');
      const action = tryT(`action.${i.action}`, i.action);
      return {
        color: i.to === 'returned' || i.to === 'cancelled' ? 'orange' : i.to === 'completed' ? 'green' : 'blue',
        content: (
          <div data-testid="timeline-transition" data-to={i.to}>
            <strong>{i.from ? t('timeline.transition', { action, from: statusLabel(i.from), to: statusLabel(i.to) }) : t('timeline.created', { action, to: statusLabel(i.to) })}</strong>
            <div>
              {actor} · {dateTime(i.at)}
            </div>
            {i.reason && <div style={{ color: '#888' }}>{i.reason}</div>}
          </div>
        ),
      };
    }
    if (i.type === 'deadline') {
      return {
        color: i.event === 'breached' || i.event === 'escalated' ? 'red' : 'gray',
        content: (
          <div data-testid="timeline-deadline">
            {t('timeline.deadline', { kind: tryT(`deadline.${i.kind}`, i.kind), event: tryT(`deadlineEvent.${i.event}`, i.event), dueAt: dateTime(i.dueAt) })}
            <div style={{ color: '#888' }}>{dateTime(i.at)}</div>
          </div>
        ),
      };
    }
    return {
      color: 'gray',
      content: (
        <div data-testid="timeline-notification">
          {t('timeline.notification', { channel: tryT(`channel.${i.channel}`, i.channel), event: tryT(`event.${i.event}`, i.event), state: i.state })}
          <div style={{ color: '#888' }}>{dateTime(i.at)}</div>
        </div>
      ),
    };
  };
  return (
    <Card
      title={t('referral.timeline')}
      data-testid="timeline"
      extra={
        <Space>
          <span>{t('referral.showNotifications')}</span>
          <Switch size="small" checked={showNotifications} onChange={setShowNotifications} />
        </Space>
      }
    >
      <ErrorAlert error={timeline.error} />
      {timeline.loading && !timeline.data ? <Spin /> : <Timeline items={items.map((i) => describe(i))} />}
    </Card>
  );
}

/** One dialog per action: its payload fields, the call with `version`, and the error in the contract's words. */
function ActionModal({
  referral: r,
  action,
  onClose,
  onDone,
  onConflict,
}: {
  referral: Referral;
  action: ActionName;
  onClose(): void;
  onDone(r: Referral): void;
  onConflict(): void;
}) {
  const { t, lang } = useI18n();
  const [form] = Form.useForm();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const key = useRef(newIdempotencyKey());
  const reasons = useApi(() => (action === 'return' ? getAll<ReasonCode>('/reason-codes') : Promise.resolve([])), [action]);

  const payloadOf = (v: Record<string, unknown>): Record<string, unknown> => {
    switch (action) {
      case 'accept':
        return { department: String(v.department).trim(), ...(v.appointmentAt ? { appointmentAt: (v.appointmentAt as Dayjs).toISOString() } : {}) };
      case 'return':
        return { reasonCode: v.reasonCode, ...(v.comment ? { comment: String(v.comment).trim() } : {}) };
      case 'cancel':
        return v.comment ? { comment: String(v.comment).trim() } : {};
      case 'arrive':
        return v.arrivedAt ? { arrivedAt: (v.arrivedAt as Dayjs).toISOString() } : {};
      case 'complete':
        return r.direction === 'up'
          ? { outcome: { diagnosis: String(v.diagnosis).trim(), summary: String(v.summary).trim(), ...(v.recommendations ? { recommendations: String(v.recommendations).trim() } : {}) } }
          : { outcome: { familyDoctor: String(v.familyDoctor).trim(), summary: String(v.summary).trim() } };
      default:
        return {};
    }
  };

  const onOk = async () => {
    const values = await form.validateFields();
    setBusy(true);
    setError(null);
    try {
      const next = await api.post<Referral>(`/referrals/${r.id}/actions/${action}`, { version: r.version, ...payloadOf(values) }, key.current);
      onDone(next);
    } catch (e) {
      key.current = newIdempotencyKey();
      if (e instanceof ApiError && e.code === 'VERSION_CONFLICT') return onConflict();
      setError(e);
      applyFieldErrors(form, e);
    } finally {
      setBusy(false);
    }
  };

  const required = [{ required: true, whitespace: true, message: t('common.required') }];
  const titles: Partial<Record<ActionName, string>> = {
    accept: t('accept.title'),
    return: t('return.title'),
    cancel: t('cancel.title'),
    arrive: t('arrive.title'),
    complete: r.direction === 'down' ? t('complete.titleDown') : t('complete.title'),
    no_show: t('noShow.title'),
    submit: t('submit.title'),
  };
  return (
    <Modal
      open
      title={titles[action] ?? t(`action.${action}`)}
      onCancel={onClose}
      onOk={onOk}
      confirmLoading={busy}
      okText={t('common.confirm')}
      cancelText={t('common.cancel')}
      okButtonProps={{ 'data-testid': 'action-confirm', danger: action === 'cancel' || action === 'no_show' } as never}
      destroyOnHidden
    >
      <div data-testid={`action-modal-${action}`}>
        <ErrorAlert error={error} testId="action-error" />
        <Form form={form} layout="vertical" initialValues={{ department: r.toDepartment ?? undefined }}>
          {action === 'accept' && (
            <>
              <Form.Item name="department" label={t('accept.department')} rules={required}>
                <Select
                  showSearch
                  mode={undefined}
                  data-testid="accept-department"
                  options={[...new Set([...(r.toDepartment ? [r.toDepartment] : []), ...DEPARTMENTS])].map((d) => ({ value: d, label: d }))}
                />
              </Form.Item>
              <Form.Item name="appointmentAt" label={t('accept.time')}>
                <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} data-testid="accept-time" />
              </Form.Item>
            </>
          )}
          {action === 'return' && (
            <>
              <Form.Item name="reasonCode" label={t('return.reason')} rules={[{ required: true, message: t('common.required') }]}>
                <Select
                  data-testid="return-reason"
                  loading={reasons.loading}
                  options={(reasons.data ?? [])
                    .filter((c) => c.active)
                    .map((c) => ({ value: c.code, label: <span data-testid={`reason-option-${c.code}`}>{lang === 'zh' ? c.labelZh : c.labelEn}</span> }))}
                />
              </Form.Item>
              <Form.Item name="comment" label={t('return.comment')}>
                <Input.TextArea rows={3} data-testid="return-comment-input" maxLength={4000} />
              </Form.Item>
            </>
          )}
          {action === 'cancel' && (
            <Form.Item name="comment" label={t('cancel.comment')}>
              <Input.TextArea rows={3} data-testid="cancel-comment" maxLength={4000} />
            </Form.Item>
          )}
          {action === 'arrive' && (
            <Form.Item name="arrivedAt" label={t('arrive.time')}>
              <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} data-testid="arrive-time" />
            </Form.Item>
          )}
          {action === 'complete' && r.direction === 'up' && (
            <>
              <Form.Item name="diagnosis" label={t('complete.diagnosis')} rules={required} initialValue={r.diagnosis.text}>
                <Input data-testid="complete-diagnosis" />
              </Form.Item>
              <Form.Item name="summary" label={t('complete.summary')} rules={required}>
                <Input.TextArea rows={3} data-testid="complete-summary" />
              </Form.Item>
              <Form.Item name="recommendations" label={t('complete.recommendations')}>
                <Input.TextArea rows={2} data-testid="complete-recommendations" />
              </Form.Item>
            </>
          )}
          {action === 'complete' && r.direction === 'down' && (
            <>
              <Form.Item name="familyDoctor" label={t('complete.familyDoctor')} rules={required}>
                <Input data-testid="complete-family-doctor" />
              </Form.Item>
              <Form.Item name="summary" label={t('complete.summaryDown')} rules={required}>
                <Input.TextArea rows={3} data-testid="complete-summary" />
              </Form.Item>
            </>
          )}
        </Form>
      </div>
    </Modal>
  );
}

/**
 * Editing a draft or a returned referral: PATCH with the version read, then submit or resubmit with the
 * version PATCH answered. A gate refusal on resubmit keeps the drawer open and explains it.
 */
function EditDrawer({
  referral: r,
  onClose,
  onSaved,
  onDone,
  onConflict,
}: {
  referral: Referral;
  onClose(): void;
  onSaved(r: Referral): void;
  onDone(r: Referral): void;
  onConflict(): void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<ReferralFormValues>();
  const [error, setError] = useState<unknown>(null);
  const [refusal, setRefusal] = useState<GateDetails | null>(null);
  const [busy, setBusy] = useState(false);
  const version = useRef(r.version);
  const mode = useRef<'send' | 'save'>('send');
  const next: ActionName = r.status === 'returned' ? 'resubmit' : 'submit';

  const onFinish = async () => {
    setBusy(true);
    setError(null);
    setRefusal(null);
    try {
      // Every value, including those without a field in this drawer (consent, indications outside the gate panel).
      const body = commonBody(form.getFieldsValue(true) as ReferralFormValues, r.direction);
      const saved = await api.patch<Referral>(`/referrals/${r.id}`, { version: version.current, ...body });
      version.current = saved.version;
      onSaved(saved);
      if (mode.current === 'save') {
        message.success(t('common.saved'));
        onClose();
        return;
      }
      const sent = await api.post<Referral>(`/referrals/${r.id}/actions/${next}`, { version: saved.version }, newIdempotencyKey());
      onDone(sent);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'VERSION_CONFLICT') return onConflict();
      setError(e);
      if (e instanceof ApiError && e.code === 'GATE_NOT_SATISFIED') setRefusal(e.details as unknown as GateDetails);
      applyFieldErrors(form, e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Drawer
      open
      size="large"
      width={880}
      title={t('referral.edit')}
      onClose={onClose}
      destroyOnHidden
      data-testid="edit-drawer"
      extra={
        <Space>
          <Button onClick={() => { mode.current = 'save'; form.submit(); }} loading={busy} data-testid="edit-save">
            {t('referral.editSave')}
          </Button>
          <Button type="primary" onClick={() => { mode.current = 'send'; form.submit(); }} loading={busy} data-testid="resubmit-confirm">
            {next === 'resubmit' ? t('referral.editAndResubmit') : t('referral.submit')}
          </Button>
        </Space>
      }
    >
      <ErrorAlert error={refusal ? null : error} testId="edit-error" />
      <Form<ReferralFormValues> form={form} layout="vertical" initialValues={formValuesOf(r)} onFinish={onFinish} scrollToFirstError>
        <PatientSection />
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <DepartmentField />
          </Col>
          <Col xs={24} md={12}>
            <UrgencyField />
          </Col>
        </Row>
        <DiagnosisSection />
        {r.direction === 'up' && <GatePanel refusal={refusal} />}
        <ClinicalSection direction={r.direction} />
        {r.direction === 'down' && <HandoverSection />}
      </Form>
    </Drawer>
  );
}
