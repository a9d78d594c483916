import { maskIdNumber } from '../referral/masking.js';
import type { Patient } from '../referral/patient.js';
import type { WebhookEvent } from './notification-events.js';

export type Locale = 'zh' | 'en';
export interface RenderedNotification { title: string; body: string }

/** What a notification text may mention: never a full identifier (the patient is masked here, once). */
export interface TemplateContext {
  number: string;
  direction: 'up' | 'down';
  urgency: 'routine' | 'urgent' | 'emergency';
  patient: Pick<Patient, 'name' | 'idNumber'>;
  fromName: string;
  toName: string;
  /** The action that caused the event (`resubmit` reads differently from `submit`). */
  action?: string | null;
  /** A return reason's label, in the rendering locale when known. */
  reasonLabel?: string | null;
  /** For escalations: who is being told. */
  notify?: 'coordinator' | 'admin';
}

type Template = (c: TemplateContext, p: string) => RenderedNotification;

const URGENCY_ZH = { routine: '普通', urgent: '紧急', emergency: '急诊' } as const;
const DIRECTION_ZH = { up: '上转', down: '下转' } as const;

/** 王建国（110***********1234）: the name, and the resident ID masked as the contract shows. */
export function patientLabel(p: Pick<Patient, 'name' | 'idNumber'>, locale: Locale): string {
  if (!p.idNumber) return p.name;
  return locale === 'zh' ? `${p.name}（${maskIdNumber(p.idNumber)}）` : `${p.name} (${maskIdNumber(p.idNumber)})`;
}

const ZH: Partial<Record<WebhookEvent, Template>> = {
  'referral.submitted': (c, p) => ({
    title: `${c.action === 'resubmit' ? '转诊重新提交' : '新转诊待处理'}：${p}`,
    body: `${c.fromName}${c.action === 'resubmit' ? '补充资料后重新提交了' : '发来'}${DIRECTION_ZH[c.direction]}单 ${c.number}（${URGENCY_ZH[c.urgency]}），患者 ${p}，请及时接收或退回。`,
  }),
  'referral.accepted': (c, p) => ({ title: `转诊已接收：${p}`, body: `${c.toName}已接收转诊单 ${c.number}，患者 ${p}，请通知患者按时前往。` }),
  'referral.returned': (c, p) => ({
    title: `转诊被退回：${p}`,
    body: `${c.toName}退回了转诊单 ${c.number}${c.reasonLabel ? `（原因：${c.reasonLabel}）` : ''}，患者 ${p}，请补充后重新提交或取消。`,
  }),
  'referral.cancelled': (c, p) => ({ title: `转诊已取消：${p}`, body: `${c.fromName}取消了转诊单 ${c.number}，患者 ${p}，无需继续处理。` }),
  'referral.arrived': (c, p) => ({ title: `患者已到达：${p}`, body: `患者 ${p} 已到达${c.toName}（转诊单 ${c.number}）。` }),
  'referral.no_show': (c, p) => ({ title: `患者未按时到达：${p}`, body: `转诊单 ${c.number} 的患者 ${p} 未在时限内到达${c.toName}，已记为未到诊。` }),
  'referral.completed': (c, p) => ({
    title: `转诊已完成：${p}`,
    body: c.direction === 'down' ? `${c.toName}已接手下转患者 ${p}（转诊单 ${c.number}）。` : `${c.toName}已完成转诊单 ${c.number} 的诊疗，患者 ${p}。`,
  }),
  'referral.expired': (c, p) => ({ title: `转诊已过期：${p}`, body: `转诊单 ${c.number}（患者 ${p}）长时间未被处理，已自动过期。` }),
  'referral.deadline_breached': (c, p) =>
    c.notify === 'admin'
      ? { title: `转诊响应超时（升级）：${p}`, body: `${c.toName}未在时限内响应${c.fromName}的转诊单 ${c.number}（${URGENCY_ZH[c.urgency]}），患者 ${p}。` }
      : { title: `转诊响应超时：${p}`, body: `转诊单 ${c.number}（${URGENCY_ZH[c.urgency]}）已超过响应时限仍未处理，患者 ${p}，请尽快接收或退回。` },
};

const EN: Record<WebhookEvent, Template> = {
  'referral.submitted': (c, p) => ({
    title: `${c.action === 'resubmit' ? 'Referral resubmitted' : 'New referral to handle'}: ${p}`,
    body: `${c.fromName} ${c.action === 'resubmit' ? 'resubmitted' : 'sent'} ${c.direction === 'up' ? 'upward' : 'downward'} referral ${c.number} (${c.urgency}) for ${p}. Please accept or return it.`,
  }),
  'referral.accepted': (c, p) => ({ title: `Referral accepted: ${p}`, body: `${c.toName} accepted referral ${c.number} for ${p}.` }),
  'referral.returned': (c, p) => ({
    title: `Referral returned: ${p}`,
    body: `${c.toName} returned referral ${c.number} for ${p}${c.reasonLabel ? ` (reason: ${c.reasonLabel})` : ''}. Complete it and resubmit, or cancel it.`,
  }),
  'referral.cancelled': (c, p) => ({ title: `Referral cancelled: ${p}`, body: `${c.fromName} cancelled referral ${c.number} for ${p}; no action needed.` }),
  'referral.arrived': (c, p) => ({ title: `Patient arrived: ${p}`, body: `${p} arrived at ${c.toName} (referral ${c.number}).` }),
  'referral.no_show': (c, p) => ({ title: `Patient did not arrive: ${p}`, body: `${p} did not arrive at ${c.toName} in time (referral ${c.number}).` }),
  'referral.completed': (c, p) => ({ title: `Referral completed: ${p}`, body: `${c.toName} completed referral ${c.number} for ${p}.` }),
  'referral.expired': (c, p) => ({ title: `Referral expired: ${p}`, body: `Referral ${c.number} for ${p} was not handled in time and expired.` }),
  'referral.deadline_breached': (c, p) => ({
    title: `${c.notify === 'admin' ? 'Escalated: response' : 'Response'} deadline missed: ${p}`,
    body: `Referral ${c.number} (${c.urgency}) from ${c.fromName} to ${c.toName} for ${p} has not been answered in time.`,
  }),
};

const TEMPLATES: Record<Locale, Partial<Record<WebhookEvent, Template>>> = { zh: ZH, en: EN };

/** The inbox title and body of an event, in Chinese unless asked otherwise, falling back to English. */
export function renderNotification(event: WebhookEvent, context: TemplateContext, locale: Locale = 'zh'): RenderedNotification {
  const template = TEMPLATES[locale][event];
  if (template) return template(context, patientLabel(context.patient, locale));
  return EN[event](context, patientLabel(context.patient, 'en'));
}
