import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, registerDecorator } from 'class-validator';
import { GATE_OUTCOMES } from '../../../libs/domain/referral/gate.js';
import { REFERRAL_STATUSES } from '../../../libs/domain/referral/referral-status.js';
import { CSV_LANGS, STATS_TABLES, type CsvLang, type StatsTable } from '../../../libs/domain/stats/csv-tables.js';
import { parseRfc3339 } from '../../../libs/domain/stats/period.js';
import { ListQueryDto } from '../common/list-query.dto.js';

/** An RFC 3339 date-time that exists on the calendar (`Z` or `±hh:mm`). */
function IsRfc3339(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isRfc3339',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be an RFC 3339 date-time such as 2026-01-01T00:00:00+08:00` },
      validator: { validate: (value: unknown) => typeof value === 'string' && parseRfc3339(value) !== null },
    });
}

const PeriodBound = (description: string) =>
  applyDecorators(ApiPropertyOptional({ format: 'date-time', description }), IsOptional(), IsString(), IsRfc3339());

const InstitutionFilter = () =>
  applyDecorators(
    ApiPropertyOptional({
      format: 'uuid',
      description: 'admins: any institution, or none for all; others: only their own (another → 403)',
    }),
    IsOptional(),
    IsUUID('all', { message: 'institutionId must be a UUID' }),
  );

/** `?from=&to=&institutionId=` of every statistics endpoint. */
export class StatsQueryDto {
  @PeriodBound('inclusive; counts referrals created at or after it') from?: string;
  @PeriodBound('exclusive; counts referrals created before it') to?: string;
  @InstitutionFilter() institutionId?: string;
}

/** The breakdowns are lists: the same filter plus `?limit&cursor`. */
export class StatsListQueryDto extends ListQueryDto {
  @PeriodBound('inclusive; counts referrals created at or after it') from?: string;
  @PeriodBound('exclusive; counts referrals created before it') to?: string;
  @InstitutionFilter() institutionId?: string;
}

export class StatsExportQueryDto extends StatsQueryDto {
  @ApiProperty({ enum: STATS_TABLES }) @IsIn(STATS_TABLES, { message: `table must be one of ${STATS_TABLES.join(', ')}` }) table: StatsTable;
  @ApiPropertyOptional({ enum: CSV_LANGS, default: 'en', description: 'zh: Chinese column headers and labels' })
  @IsOptional()
  @IsIn(CSV_LANGS, { message: 'lang must be zh or en' })
  lang?: CsvLang;
}

// ---- responses (OpenAPI) ----

const countsOf = (keys: readonly string[], description: string) => ({
  type: 'object' as const,
  description,
  required: [...keys],
  properties: Object.fromEntries(keys.map((k) => [k, { type: 'integer' as const, minimum: 0 }])),
  additionalProperties: false,
});

export class DirectionCountsDto {
  @ApiProperty() total: number;
  @ApiProperty(countsOf(REFERRAL_STATUSES, 'every status, 0 when none (by current status)')) byStatus: Record<string, number>;
}

export class ReasonCountDto {
  @ApiProperty({ example: 'information_incomplete' }) code: string;
  @ApiProperty({ description: 'return transitions with this code', minimum: 1 }) count: number;
}

const GateOutcomesProperty = () => ApiProperty(countsOf(GATE_OUTCOMES, 'upward referrals by their (latest) gate outcome'));
const Rate = (description: string) => ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 1, description });

export class SummaryDto {
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) from: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) to: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'null: every institution (admins)' }) institutionId: string | null;
  @ApiProperty() up: DirectionCountsDto;
  @ApiProperty() down: DirectionCountsDto;
  @Rate('ever accepted ÷ answered (accepted or returned at least once); null when nothing was answered') acceptanceRate: number | null;
  @Rate('ever returned ÷ answered; null when nothing was answered') returnRate: number | null;
  @ApiProperty({ type: [ReasonCountDto], description: 'codes with a count above 0, most frequent first' }) returnReasons: ReasonCountDto[];
  @ApiProperty({ type: Number, nullable: true, description: 'from the last (re)submission before the acceptance; to a tenth of a minute' })
  medianMinutesToAccept: number | null;
  @ApiProperty({ description: 'breached deadlines (respond, arrive, follow_up)' }) deadlineBreaches: number;
  @GateOutcomesProperty() gateOutcomes: Record<string, number>;
}

export class DurationsDto {
  @ApiProperty({ description: 'referrals timed' }) count: number;
  @ApiProperty({ type: Number, nullable: true }) median: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '90th percentile (linear interpolation)' }) p90: number | null;
}

export class FollowUpDto {
  @ApiProperty({ description: 'follow_up deadlines met or breached (completed downward referrals whose 2 weeks are over or met)' }) due: number;
  @ApiProperty({ description: 'follow_up deadlines met' }) met: number;
  @Rate('met ÷ due') rate: number | null;
}

export class SideFiguresDto {
  @ApiProperty() total: number;
  @ApiProperty() answered: number;
  @ApiProperty() accepted: number;
  @ApiProperty() returned: number;
  @Rate('accepted ÷ answered') acceptanceRate: number | null;
  @Rate('returned ÷ answered') returnRate: number | null;
  @ApiProperty({ type: [ReasonCountDto] }) returnReasons: ReasonCountDto[];
}

/** Every breakdown row carries these figures; README "Statistics: definitions" has the formulas. */
export class FiguresDto {
  @ApiProperty() up: DirectionCountsDto;
  @ApiProperty() down: DirectionCountsDto;
  @ApiProperty({ type: Number, nullable: true, description: 'down.total ÷ up.total (下转/上转)' }) downUpRatio: number | null;
  @ApiProperty({ description: 'referrals accepted or returned at least once' }) answered: number;
  @ApiProperty() accepted: number;
  @ApiProperty() returned: number;
  @Rate('accepted ÷ answered') acceptanceRate: number | null;
  @Rate('returned ÷ answered') returnRate: number | null;
  @ApiProperty({ type: [ReasonCountDto] }) returnReasons: ReasonCountDto[];
  @ApiProperty({ description: 'minutes from the last (re)submission to the acceptance' }) minutesToAccept: DurationsDto;
  @ApiProperty({ description: 'minutes from the acceptance (emergency: the last submission) to the recorded arrival' }) minutesToArrive: DurationsDto;
  @ApiProperty() deadlineBreaches: number;
  @ApiProperty({ description: 'escalation steps run for breached deadlines' }) escalations: number;
  @GateOutcomesProperty() gateOutcomes: Record<string, number>;
  @Rate('override ÷ upward referrals judged by the gate') overrideShare: number | null;
  @ApiProperty({ description: 'upward referrals with a downward child the township has completed (up → down → taken over)' }) careLoopsClosed: number;
  @ApiProperty() followUp: FollowUpDto;
}

export class InstitutionRefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['county', 'township', 'village'] }) level: string;
}

export class InstitutionRowDto extends FiguresDto {
  @ApiProperty() institution: InstitutionRefDto;
  @ApiProperty({ description: 'referrals it sent' }) asReferrer: SideFiguresDto;
  @ApiProperty({ description: 'referrals it received' }) asReceiver: SideFiguresDto;
}

export class ConditionGroupDto {
  @ApiProperty({ example: 'hypertension', description: 'catalogue condition code, ICD-10 letter, or "unmatched"' }) key: string;
  @ApiProperty({ enum: ['catalogue', 'icd10_letter', 'unmatched'] }) kind: string;
  @ApiProperty({ example: '高血压' }) nameZh: string;
  @ApiProperty({ example: 'Hypertension' }) nameEn: string;
}

export class ConditionRowDto extends FiguresDto {
  @ApiProperty() condition: ConditionGroupDto;
}

export class MonthRowDto extends FiguresDto {
  @ApiProperty({ example: '2026-03', description: 'calendar month in China Standard Time (UTC+8)' }) month: string;
  @ApiProperty({ format: 'date-time', description: 'the month’s start, or the period’s if later' }) from: string;
  @ApiProperty({ format: 'date-time', description: 'the month’s end (exclusive), or the period’s if earlier' }) to: string;
}

export class InstitutionRowPageDto {
  @ApiProperty({ type: [InstitutionRowDto] }) items: InstitutionRowDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ConditionRowPageDto {
  @ApiProperty({ type: [ConditionRowDto] }) items: ConditionRowDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class MonthRowPageDto {
  @ApiProperty({ type: [MonthRowDto] }) items: MonthRowDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
