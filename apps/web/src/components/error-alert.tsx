import { Alert, type FormInstance } from 'antd';
import { ApiError } from '../api/client.js';
import { useI18n } from '../i18n/i18n.js';

/** An API error as the user should read it: the contract code in their language, the fields, the request id. */
export function ErrorAlert({ error, testId = 'api-error', onClose }: { error: unknown; testId?: string; onClose?: () => void }) {
  const { t, errorMessage } = useI18n();
  if (!error) return null;
  const api = error instanceof ApiError ? error : undefined;
  const fields = api?.fields ?? [];
  return (
    <Alert
      type="error"
      showIcon
      closable={onClose ? { onClose } : undefined}
      data-testid={testId}
      data-code={api?.code}
      style={{ marginBottom: 16 }}
      title={errorMessage(error)}
      description={
        fields.length > 0 || api?.correlationId ? (
          <div>
            {fields.length > 0 && (
              <ul style={{ margin: 0, paddingLeft: 20 }}>
                {fields.map((f, i) => (
                  <li key={i}>
                    <code>{f.field}</code>: {f.message}
                  </li>
                ))}
              </ul>
            )}
            {api?.correlationId && (
              <div style={{ fontSize: 12, color: '#888' }}>
                {t('common.correlationId')}: {api.correlationId}
              </div>
            )}
          </div>
        ) : undefined
      }
    />
  );
}

/** Puts a 400's `details.fields` next to the form fields they name (`patient.idNumber` → ['patient', 'idNumber']). */
export function applyFieldErrors(form: FormInstance, error: unknown): void {
  if (!(error instanceof ApiError)) return;
  const known = new Set(Object.keys(form.getFieldsValue(true) ?? {}));
  const entries = error.fields
    .map((f) => ({ name: f.field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), errors: [f.message] }))
    .filter((e) => known.has(String(e.name[0])));
  if (entries.length > 0) form.setFields(entries as never);
}
