import { GATE_OUTCOMES } from '../referral/gate.js';
import { REFERRAL_STATUSES, type ReferralStatus } from '../referral/referral-status.js';
import { toCsv, type CsvValue } from './csv.js';
import type { Figures, ReasonCount, SideFigures, Summary } from './figures.js';
import type { ConditionRow, InstitutionRow, MonthRow } from './groups.js';

export const STATS_TABLES = ['summary', 'by-institution', 'by-condition', 'by-month'] as const;
export type StatsTable = (typeof STATS_TABLES)[number];
export const CSV_LANGS = ['zh', 'en'] as const;
export type CsvLang = (typeof CSV_LANGS)[number];

interface Column<R> { en: string; zh: string; value: (row: R) => CsvValue }

/** Labels for return reason codes in the CSV (`lang=zh` uses the Chinese label); unknown codes stay codes. */
export type ReasonLabels = ReadonlyMap<string, { labelZh: string; labelEn: string }>;

const STATUS_ZH: Record<ReferralStatus, string> = {
  draft: '草稿',
  submitted: '待接收',
  returned: '已退回',
  accepted: '已接收',
  arrived: '已到诊',
  completed: '已完成',
  cancelled: '已撤销',
  no_show: '未到诊',
  expired: '已过期',
};
const OUTCOME_ZH: Record<(typeof GATE_OUTCOMES)[number], string> = {
  not_in_catalogue: '目录外',
  indication_cited: '符合上转指征',
  emergency_bypass: '急诊直转',
  override: '说明理由强制上转',
};

/** Rates with four decimals: a spreadsheet reads them as numbers; finer digits are noise. */
const share = (x: number | null): CsvValue => (x === null ? null : Number(x.toFixed(4)));

function reasons(list: ReasonCount[], lang: CsvLang, labels: ReasonLabels): string {
  return list
    .map(({ code, count }) => {
      const label = labels.get(code);
      return `${label ? (lang === 'zh' ? label.labelZh : label.labelEn) : code}: ${count}`;
    })
    .join('; ');
}

function figureColumns(labels: ReasonLabels, lang: CsvLang): Column<Figures>[] {
  const perDirection = (d: 'up' | 'down', zh: string): Column<Figures>[] => [
    { en: `${d} total`, zh: `${zh}总数`, value: (f) => f[d].total },
    ...REFERRAL_STATUSES.map((s): Column<Figures> => ({ en: `${d} ${s}`, zh: `${zh}${STATUS_ZH[s]}`, value: (f) => f[d].byStatus[s] })),
  ];
  return [
    ...perDirection('up', '上转'),
    ...perDirection('down', '下转'),
    { en: 'down/up ratio', zh: '下转/上转比', value: (f) => share(f.downUpRatio) },
    { en: 'answered', zh: '已答复数', value: (f) => f.answered },
    { en: 'accepted', zh: '接收数', value: (f) => f.accepted },
    { en: 'returned', zh: '退回数', value: (f) => f.returned },
    { en: 'acceptance rate', zh: '接收率', value: (f) => share(f.acceptanceRate) },
    { en: 'return rate', zh: '退回率', value: (f) => share(f.returnRate) },
    { en: 'return reasons', zh: '退回原因', value: (f) => reasons(f.returnReasons, lang, labels) },
    { en: 'accepted with time', zh: '接收计时数', value: (f) => f.minutesToAccept.count },
    { en: 'median minutes to accept', zh: '接收用时中位数(分钟)', value: (f) => f.minutesToAccept.median },
    { en: 'p90 minutes to accept', zh: '接收用时P90(分钟)', value: (f) => f.minutesToAccept.p90 },
    { en: 'arrived with time', zh: '到诊计时数', value: (f) => f.minutesToArrive.count },
    { en: 'median minutes to arrive', zh: '到诊用时中位数(分钟)', value: (f) => f.minutesToArrive.median },
    { en: 'p90 minutes to arrive', zh: '到诊用时P90(分钟)', value: (f) => f.minutesToArrive.p90 },
    { en: 'deadline breaches', zh: '超时次数', value: (f) => f.deadlineBreaches },
    { en: 'escalations', zh: '催办升级次数', value: (f) => f.escalations },
    ...GATE_OUTCOMES.map((o): Column<Figures> => ({ en: `gate ${o}`, zh: `守门结果-${OUTCOME_ZH[o]}`, value: (f) => f.gateOutcomes[o] })),
    { en: 'override share', zh: '强制上转占比', value: (f) => share(f.overrideShare) },
    { en: 'care loops closed', zh: '闭环数(上转-下转-接续)', value: (f) => f.careLoopsClosed },
    { en: 'follow-ups due', zh: '应随访数', value: (f) => f.followUp.due },
    { en: 'follow-ups met', zh: '按时随访数', value: (f) => f.followUp.met },
    { en: 'follow-up rate', zh: '两周随访率', value: (f) => share(f.followUp.rate) },
  ];
}

function sideColumns(side: 'asReferrer' | 'asReceiver', labels: ReasonLabels, lang: CsvLang): Column<InstitutionRow>[] {
  const [en, zh] = side === 'asReferrer' ? ['as referrer', '作为转出方'] : ['as receiver', '作为接收方'];
  const pick = (get: (s: SideFigures) => CsvValue) => (row: InstitutionRow) => get(row[side]);
  return [
    { en: `${en}: total`, zh: `${zh}总数`, value: pick((s) => s.total) },
    { en: `${en}: answered`, zh: `${zh}已答复数`, value: pick((s) => s.answered) },
    { en: `${en}: accepted`, zh: `${zh}接收数`, value: pick((s) => s.accepted) },
    { en: `${en}: returned`, zh: `${zh}退回数`, value: pick((s) => s.returned) },
    { en: `${en}: acceptance rate`, zh: `${zh}接收率`, value: pick((s) => share(s.acceptanceRate)) },
    { en: `${en}: return rate`, zh: `${zh}退回率`, value: pick((s) => share(s.returnRate)) },
    { en: `${en}: return reasons`, zh: `${zh}退回原因`, value: pick((s) => reasons(s.returnReasons, lang, labels)) },
  ];
}

const LEVEL_ZH: Record<string, string> = { county: '县级', township: '乡镇', village: '村级' };

function render<R>(columns: Column<R>[], rows: readonly R[], lang: CsvLang): string {
  return toCsv(
    columns.map((c) => c[lang]),
    rows.map((r) => columns.map((c) => c.value(r))),
  );
}

const asFigures = <R extends Figures>(columns: Column<Figures>[]): Column<R>[] => columns as Column<R>[];

export function summaryCsv(summary: Summary, figures: Figures, lang: CsvLang, labels: ReasonLabels): string {
  const head: Column<Figures>[] = [
    { en: 'from', zh: '起始时间', value: () => summary.from },
    { en: 'to', zh: '截止时间', value: () => summary.to },
    { en: 'institution id', zh: '机构ID', value: () => summary.institutionId ?? (lang === 'zh' ? '全部' : 'all') },
  ];
  return render([...head, ...figureColumns(labels, lang)], [figures], lang);
}

export function institutionsCsv(rows: readonly InstitutionRow[], lang: CsvLang, labels: ReasonLabels): string {
  const head: Column<InstitutionRow>[] = [
    { en: 'institution code', zh: '机构编码', value: (r) => r.institution.code },
    { en: 'institution', zh: '机构名称', value: (r) => r.institution.name },
    { en: 'level', zh: '级别', value: (r) => (lang === 'zh' ? (LEVEL_ZH[r.institution.level] ?? r.institution.level) : r.institution.level) },
    { en: 'institution id', zh: '机构ID', value: (r) => r.institution.id },
  ];
  return render(
    [...head, ...asFigures<InstitutionRow>(figureColumns(labels, lang)), ...sideColumns('asReferrer', labels, lang), ...sideColumns('asReceiver', labels, lang)],
    rows,
    lang,
  );
}

export function conditionsCsv(rows: readonly ConditionRow[], lang: CsvLang, labels: ReasonLabels): string {
  const kindZh = { catalogue: '目录病种', icd10_letter: 'ICD-10 字母类', unmatched: '未匹配' } as const;
  const head: Column<ConditionRow>[] = [
    { en: 'condition', zh: '病种编码', value: (r) => r.condition.key },
    { en: 'group kind', zh: '分组方式', value: (r) => (lang === 'zh' ? kindZh[r.condition.kind] : r.condition.kind) },
    { en: 'name', zh: '病种名称', value: (r) => (lang === 'zh' ? r.condition.nameZh : r.condition.nameEn) },
  ];
  return render([...head, ...asFigures<ConditionRow>(figureColumns(labels, lang))], rows, lang);
}

export function monthsCsv(rows: readonly MonthRow[], lang: CsvLang, labels: ReasonLabels): string {
  const head: Column<MonthRow>[] = [
    { en: 'month (UTC+8)', zh: '月份(北京时间)', value: (r) => r.month },
    { en: 'from', zh: '起始时间', value: (r) => r.from },
    { en: 'to', zh: '截止时间', value: (r) => r.to },
  ];
  return render([...head, ...asFigures<MonthRow>(figureColumns(labels, lang))], rows, lang);
}
