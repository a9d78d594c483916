import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, AutoComplete, Button, Checkbox, Col, Form, Input, InputNumber, Radio, Row, Select, Space, Spin, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { api } from '../api/client.js';
import type { Condition, GateDetails, Page } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { birthDateOf, genderOf, isIcd10Code, isValidResidentId, normaliseResidentId } from '../lib/domain.js';
import { firstCodeOf, predictGate } from '../lib/referral-form.js';
import { useDebounced } from '../lib/use-api.js';

/** Departments the county hospital commonly receives into; free text is allowed too. */
export const DEPARTMENTS = ['心内科', '神经内科', '内分泌科', '呼吸内科', '肾内科', '消化内科', '普外科', '骨科', '妇产科', '儿科', '急诊科', '全科'];

export function PatientSection() {
  const { t } = useI18n();
  const form = Form.useFormInstance();
  const onIdChange = (value: string) => {
    // A valid resident ID says the birth date and the gender: fill them in so they cannot disagree.
    const id = normaliseResidentId(value.trim());
    if (isValidResidentId(id)) {
      form.setFieldValue(['patient', 'birthDate'], birthDateOf(id));
      form.setFieldValue(['patient', 'gender'], genderOf(id));
      void form.validateFields([['patient', 'birthDate'], ['patient', 'gender'], ['patient', 'healthRecordNo']]);
    }
  };
  const idOrRecord = ({ getFieldValue }: { getFieldValue: (name: (string | number)[]) => unknown }) => ({
    validator: () =>
      String(getFieldValue(['patient', 'idNumber']) ?? '').trim() || String(getFieldValue(['patient', 'healthRecordNo']) ?? '').trim()
        ? Promise.resolve()
        : Promise.reject(new Error(t('referral.patient.idOrRecord'))),
  });
  return (
    <Row gutter={16}>
      <Col xs={24} md={8}>
        <Form.Item name={['patient', 'name']} label={t('referral.patient.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input data-testid="patient-name" maxLength={100} />
        </Form.Item>
      </Col>
      <Col xs={24} md={16}>
        <Form.Item
          name={['patient', 'idNumber']}
          label={t('referral.patient.idNumber')}
          dependencies={[['patient', 'healthRecordNo']]}
          validateFirst
          rules={[
            idOrRecord,
            {
              validator: (_, v: string | undefined) =>
                !v || !v.trim() || isValidResidentId(normaliseResidentId(v.trim())) ? Promise.resolve() : Promise.reject(new Error(t('referral.patient.idInvalid'))),
            },
          ]}
        >
          <Input data-testid="patient-id-number" maxLength={18} onChange={(e) => onIdChange(e.target.value)} style={{ fontFamily: 'monospace' }} />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item
          name={['patient', 'gender']}
          label={t('referral.patient.gender')}
          dependencies={[['patient', 'idNumber']]}
          rules={[
            { required: true, message: t('common.required') },
            ({ getFieldValue }) => ({
              validator: (_, v: string) => {
                const id = normaliseResidentId(String(getFieldValue(['patient', 'idNumber']) ?? '').trim());
                return !isValidResidentId(id) || v === 'unknown' || v === genderOf(id) ? Promise.resolve() : Promise.reject(new Error(t('referral.patient.genderMismatch')));
              },
            }),
          ]}
        >
          <Radio.Group data-testid="patient-gender">
            <Radio value="male">{t('gender.male')}</Radio>
            <Radio value="female">{t('gender.female')}</Radio>
            <Radio value="unknown">{t('gender.unknown')}</Radio>
          </Radio.Group>
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item
          name={['patient', 'birthDate']}
          label={t('referral.patient.birthDate')}
          dependencies={[['patient', 'idNumber']]}
          rules={[
            { required: true, message: t('common.required') },
            { pattern: /^\d{4}-\d{2}-\d{2}$/, message: t('referral.patient.birthFormat') },
            ({ getFieldValue }) => ({
              validator: (_, v: string) => {
                const id = normaliseResidentId(String(getFieldValue(['patient', 'idNumber']) ?? '').trim());
                return !isValidResidentId(id) || !v || v === birthDateOf(id) ? Promise.resolve() : Promise.reject(new Error(t('referral.patient.birthMismatch')));
              },
            }),
          ]}
        >
          <Input data-testid="patient-birth-date" placeholder="YYYY-MM-DD" maxLength={10} />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item name={['patient', 'phone']} label={t('referral.patient.phone')}>
          <Input data-testid="patient-phone" maxLength={32} />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item name={['patient', 'healthRecordNo']} label={t('referral.patient.healthRecordNo')} dependencies={[['patient', 'idNumber']]} rules={[idOrRecord]}>
          <Input data-testid="patient-health-record" maxLength={64} />
        </Form.Item>
      </Col>
    </Row>
  );
}

/** Catalogue search by Chinese or English name, pinyin (full or initials) or ICD-10 code. */
export function ConditionSearch({ onPick }: { onPick(condition: Condition): void }) {
  const { t, lang } = useI18n();
  const [term, setTerm] = useState('');
  const q = useDebounced(term, 200);
  const [options, setOptions] = useState<Condition[]>([]);
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    if (!q.trim()) {
      setOptions([]);
      return;
    }
    const c = new AbortController();
    setLoading(true);
    api
      .get<Page<Condition>>('/catalogue/conditions', { q: q.trim(), limit: 10 }, c.signal)
      .then((page) => setOptions(page.items), () => setOptions([]))
      .finally(() => !c.signal.aborted && setLoading(false));
    return () => c.abort();
  }, [q]);
  return (
    <Select<string>
      data-testid="condition-search"
      style={{ width: '100%' }}
      placeholder={t('referral.conditionSearchPlaceholder')}
      showSearch={{ onSearch: setTerm, filterOption: false }}
      value={null as unknown as string}
      notFoundContent={loading ? <Spin size="small" /> : null}
      onChange={(code) => {
        const c = options.find((o) => o.code === code);
        if (c) onPick(c);
        setTerm('');
      }}
      options={options.map((c) => ({
        value: c.code,
        label: (
          <span data-testid={`condition-option-${c.code}`}>
            {lang === 'zh' ? c.nameZh : c.nameEn} <Typography.Text type="secondary">{lang === 'zh' ? c.nameEn : c.nameZh}</Typography.Text>{' '}
            <Tag>{c.icd10.join(', ')}</Tag>
            {!c.verified && <Tag color="gold">{t('catalogue.unverified')}</Tag>}
          </span>
        ),
      }))}
    />
  );
}

interface MatchState { loading: boolean; version: number | null; condition: Condition | null; invalid: boolean }

/** The published condition that `match` finds for an ICD-10 code (debounced). */
export function useConditionMatch(icd10: string | undefined): MatchState {
  const code = useDebounced((icd10 ?? '').trim(), 250);
  const [state, setState] = useState<MatchState>({ loading: false, version: null, condition: null, invalid: false });
  useEffect(() => {
    if (!code) return setState({ loading: false, version: null, condition: null, invalid: false });
    if (!isIcd10Code(code)) return setState({ loading: false, version: null, condition: null, invalid: true });
    const c = new AbortController();
    setState((s) => ({ ...s, loading: true, invalid: false }));
    api.get<{ version: number; condition: Condition | null }>('/catalogue/match', { icd10: code }, c.signal).then(
      (r) => setState({ loading: false, version: r.version, condition: r.condition, invalid: false }),
      () => !c.signal.aborted && setState({ loading: false, version: null, condition: null, invalid: false }),
    );
    return () => c.abort();
  }, [code]);
  return state;
}

/** Diagnosis: a catalogue search that fills the ICD-10 code and the text, which stay editable. */
export function DiagnosisSection() {
  const { t, lang } = useI18n();
  const form = Form.useFormInstance();
  return (
    <Row gutter={16}>
      <Col xs={24}>
        <Form.Item label={t('referral.conditionSearch')}>
          <ConditionSearch
            onPick={(c) => {
              form.setFieldValue(['diagnosis', 'icd10'], firstCodeOf(c));
              form.setFieldValue(['diagnosis', 'text'], lang === 'zh' ? c.nameZh : c.nameEn);
              void form.validateFields([['diagnosis', 'icd10'], ['diagnosis', 'text']]);
            }}
          />
        </Form.Item>
      </Col>
      <Col xs={24} md={8}>
        <Form.Item
          name={['diagnosis', 'icd10']}
          label={t('referral.icd10')}
          rules={[
            { required: true, message: t('common.required') },
            { validator: (_, v: string) => (!v || isIcd10Code(v.trim()) ? Promise.resolve() : Promise.reject(new Error(t('referral.icd10Invalid')))) },
          ]}
        >
          <Input data-testid="diagnosis-icd10" placeholder="I10.x00" style={{ fontFamily: 'monospace' }} />
        </Form.Item>
      </Col>
      <Col xs={24} md={16}>
        <Form.Item name={['diagnosis', 'text']} label={t('referral.diagnosisText')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input data-testid="diagnosis-text" maxLength={500} />
        </Form.Item>
      </Col>
    </Row>
  );
}

/**
 * The grassroots-first gate, explained where the doctor fills in the form: which indications qualify, and the
 * emergency and override paths; after a 422 it shows the server's own list (the latest published catalogue).
 */
export function GatePanel({ refusal }: { refusal: GateDetails | null }) {
  const { t, lang } = useI18n();
  const form = Form.useFormInstance();
  const icd10 = Form.useWatch(['diagnosis', 'icd10'], form) as string | undefined;
  const urgency = Form.useWatch('urgency', form);
  const indications = Form.useWatch('indications', form) as string[] | undefined;
  const overrideOn = Form.useWatch('overrideOn', form) as boolean | undefined;
  const overrideJustification = Form.useWatch('overrideJustification', form) as string | undefined;
  const match = useConditionMatch(icd10);
  const condition = match.condition;
  const gated = condition !== null && condition.grassrootsFirst;
  // After a refusal the server's list is the authority (the catalogue may have changed since the look-up).
  const options = refusal ? refusal.indications : gated ? condition.upwardIndications : [];
  const predicted = predictGate(refusal ? ({ ...(condition ?? {}), grassrootsFirst: true, upwardIndications: refusal.indications } as Condition) : condition, {
    urgency,
    indications,
    overrideOn,
    overrideJustification,
  });

  let summary: React.ReactNode;
  if (match.loading) summary = <Spin size="small" />;
  else if (!icd10 || match.invalid) summary = <Typography.Text type="secondary">{t('gate.enterIcd')}</Typography.Text>;
  else if (!gated && !refusal) summary = <Alert type="success" showIcon title={t('gate.notInCatalogue')} data-testid="gate-not-in-catalogue" />;
  else
    summary = (
      <div data-testid="gate-rules">
        <Typography.Paragraph style={{ marginBottom: 4 }}>
          {t('gate.inCatalogue', {
            name: condition ? (lang === 'zh' ? condition.nameZh : condition.nameEn) : refusal?.conditionCode ?? '',
            version: match.version ? t('gate.version', { version: match.version }) : '',
          })}
        </Typography.Paragraph>
        <ol style={{ marginTop: 0 }}>
          <li>{t('gate.ruleIndication')}</li>
          <li>{t('gate.ruleEmergency')}</li>
          <li>{t('gate.ruleOverride')}</li>
        </ol>
      </div>
    );

  return (
    <div data-testid="gate-panel" style={{ background: '#fafafa', border: '1px solid #f0f0f0', borderRadius: 8, padding: 16, marginBottom: 16 }}>
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {t('gate.title')}
      </Typography.Title>
      {refusal && (
        <Alert
          type="error"
          showIcon
          data-testid="gate-refusal"
          style={{ marginBottom: 12 }}
          title={t('gate.refused')}
          description={t('gate.refusedHint', {
            code: condition && condition.code === refusal.conditionCode ? (lang === 'zh' ? condition.nameZh : condition.nameEn) : refusal.conditionCode,
          })}
        />
      )}
      {summary}
      {options.length > 0 && (
        <Form.Item name="indications" label={t('referral.indications')} style={{ marginBottom: 8 }}>
          <Checkbox.Group style={{ display: 'flex', flexDirection: 'column', gap: 6 }}>
            {options.map((i) => (
              <Checkbox key={i.code} value={i.code} data-testid={`indication-${i.code}`}>
                {i.emergency && <Tag color="red">{t('gate.emergencyTag')}</Tag>}
                {i.text}
              </Checkbox>
            ))}
          </Checkbox.Group>
        </Form.Item>
      )}
      {(gated || refusal) && (
        <>
          <Form.Item name="overrideOn" valuePropName="checked" style={{ marginBottom: 8 }}>
            <Checkbox data-testid="override-toggle">{t('referral.overrideToggle')}</Checkbox>
          </Form.Item>
          {overrideOn && (
            <Form.Item
              name="overrideJustification"
              label={t('referral.overrideJustification')}
              rules={[{ validator: (_, v: string | undefined) => ([...(v ?? '').trim()].length >= 10 ? Promise.resolve() : Promise.reject(new Error(t('referral.overrideJustification')))) }]}
            >
              <Input.TextArea rows={2} data-testid="override-justification" maxLength={4000} />
            </Form.Item>
          )}
          <div data-testid="gate-prediction" data-outcome={predicted ?? 'refused'}>
            {predicted ? (
              <Tag color="green">{t('gate.predicted', { outcome: t(`gateOutcome.${predicted}`) })}</Tag>
            ) : (
              <Tag color="red">{t('gate.predictedFail')}</Tag>
            )}
          </div>
        </>
      )}
    </div>
  );
}

export function UrgencyField() {
  const { t } = useI18n();
  return (
    <Form.Item name="urgency" label={t('referral.urgency')} rules={[{ required: true }]}>
      <Radio.Group optionType="button" buttonStyle="solid" data-testid="urgency">
        <Radio.Button value="routine" data-testid="urgency-routine">
          {t('urgency.routine')}
        </Radio.Button>
        <Radio.Button value="urgent" data-testid="urgency-urgent">
          {t('urgency.urgent')}
        </Radio.Button>
        <Radio.Button value="emergency" data-testid="urgency-emergency">
          {t('urgency.emergency')}
        </Radio.Button>
      </Radio.Group>
    </Form.Item>
  );
}

export function DepartmentField({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <Form.Item name="toDepartment" label={label ?? t('referral.toDepartment')}>
      <AutoComplete data-testid="to-department" options={DEPARTMENTS.map((d) => ({ value: d }))} showSearch={{ filterOption: (input, o) => String(o?.value ?? '').includes(input) }} />
    </Form.Item>
  );
}

export function ClinicalSection({ direction }: { direction: 'up' | 'down' }) {
  const { t } = useI18n();
  return (
    <Row gutter={16}>
      <Col xs={24}>
        <Form.Item name="reason" label={t('referral.reason')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
          <Input.TextArea rows={3} data-testid="reason" maxLength={4000} />
        </Form.Item>
      </Col>
      {direction === 'up' && (
        <>
          <Col xs={24} md={8}>
            <Form.Item name="history" label={t('referral.history')}>
              <Input.TextArea rows={2} data-testid="history" maxLength={4000} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="allergies" label={t('referral.allergies')}>
              <Input.TextArea rows={2} data-testid="allergies" maxLength={4000} />
            </Form.Item>
          </Col>
          <Col xs={24} md={8}>
            <Form.Item name="treatmentSoFar" label={t('referral.treatmentSoFar')}>
              <Input.TextArea rows={2} data-testid="treatment-so-far" maxLength={4000} />
            </Form.Item>
          </Col>
        </>
      )}
    </Row>
  );
}

export function ConsentSection() {
  const { t } = useI18n();
  return (
    <Space wrap align="start" size="large" style={{ display: 'flex' }}>
      <Form.Item
        name={['consent', 'obtained']}
        valuePropName="checked"
        rules={[{ validator: (_, v: boolean) => (v === true ? Promise.resolve() : Promise.reject(new Error(t('referral.consentRequired')))) }]}
      >
        <Checkbox data-testid="consent-checkbox">{t('referral.consentObtained')}</Checkbox>
      </Form.Item>
      <Form.Item name={['consent', 'by']} label={t('referral.consentBy')}>
        <Radio.Group data-testid="consent-by">
          <Radio value="patient">{t('consent.patient')}</Radio>
          <Radio value="guardian">{t('consent.guardian')}</Radio>
        </Radio.Group>
      </Form.Item>
    </Space>
  );
}

/** The downward handover: final diagnosis, treatment, the medication plan (≤ 84 days an item), follow-up. */
export function HandoverSection() {
  const { t } = useI18n();
  const required = [{ required: true, whitespace: true, message: t('common.required') }];
  return (
    <>
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item name={['handover', 'diagnosis']} label={t('handover.diagnosis')} rules={required}>
            <Input.TextArea rows={2} data-testid="handover-diagnosis" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name={['handover', 'treatmentSummary']} label={t('handover.treatmentSummary')} rules={required}>
            <Input.TextArea rows={2} data-testid="handover-treatment" />
          </Form.Item>
        </Col>
      </Row>
      <Typography.Text strong>{t('handover.medicationPlan')}</Typography.Text>
      <Typography.Text type="secondary" style={{ marginLeft: 8, fontSize: 12 }}>
        {t('handover.daysMax')}
      </Typography.Text>
      <Form.List name={['handover', 'medicationPlan']}>
        {(fields, { add, remove }) => (
          <div style={{ marginTop: 8 }}>
            {fields.map((field, index) => (
              <Space key={field.key} align="baseline" wrap data-testid="medication-row">
                <Form.Item name={[field.name, 'drug']} rules={required}>
                  <Input placeholder={t('handover.drug')} data-testid={`medication-drug-${index}`} />
                </Form.Item>
                <Form.Item name={[field.name, 'dose']} rules={required}>
                  <Input placeholder={t('handover.dose')} style={{ width: 110 }} data-testid={`medication-dose-${index}`} />
                </Form.Item>
                <Form.Item name={[field.name, 'frequency']} rules={required}>
                  <Input placeholder={t('handover.frequency')} style={{ width: 110 }} data-testid={`medication-frequency-${index}`} />
                </Form.Item>
                <Form.Item name={[field.name, 'days']} rules={[{ required: true, type: 'integer', min: 1, max: 84, message: t('handover.daysMax') }]}>
                  <InputNumber placeholder={t('handover.days')} min={1} max={84} data-testid={`medication-days-${index}`} />
                </Form.Item>
                <Button icon={<DeleteOutlined />} onClick={() => remove(field.name)} aria-label={t('common.delete')} />
              </Space>
            ))}
            <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ drug: '', dose: '', frequency: '', days: 28 })} data-testid="medication-add" style={{ marginBottom: 16 }}>
              {t('handover.addDrug')}
            </Button>
          </div>
        )}
      </Form.List>
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Form.Item name={['handover', 'followUpPlan']} label={t('handover.followUpPlan')} rules={required}>
            <Input.TextArea rows={2} data-testid="handover-follow-up" />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item name={['handover', 'rehabilitationAdvice']} label={t('handover.rehabilitationAdvice')}>
            <Input.TextArea rows={2} data-testid="handover-rehabilitation" />
          </Form.Item>
        </Col>
      </Row>
    </>
  );
}
