import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor } from '../../../libs/domain/shared/actor.js';
import { StatsService } from '../../../libs/stats/stats.service.js';
import { CurrentActor } from '../auth/auth.decorators.js';
import {
  ConditionRowPageDto,
  InstitutionRowPageDto,
  MonthRowPageDto,
  StatsExportQueryDto,
  StatsListQueryDto,
  StatsQueryDto,
  SummaryDto,
} from './stats.dto.js';

const filterOf = ({ from, to, institutionId }: { from?: string; to?: string; institutionId?: string }) => ({ from, to, institutionId });

/**
 * 转诊统计 for the medical community. Admins: any institution or all; everyone else: referrals where their own
 * institution is a party (another institutionId → 403). Drafts never count.
 */
@ApiTags('statistics')
@ApiBearerAuth()
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get('summary')
  @ApiOkResponse({ type: SummaryDto })
  summary(@CurrentActor() actor: Actor, @Query() query: StatsQueryDto) {
    return this.stats.summary(actor, filterOf(query));
  }

  @Get('by-institution')
  @ApiOkResponse({ type: InstitutionRowPageDto })
  byInstitution(@CurrentActor() actor: Actor, @Query() query: StatsListQueryDto) {
    return this.stats.byInstitution(actor, filterOf(query), query.page());
  }

  @Get('by-condition')
  @ApiOkResponse({ type: ConditionRowPageDto })
  byCondition(@CurrentActor() actor: Actor, @Query() query: StatsListQueryDto) {
    return this.stats.byCondition(actor, filterOf(query), query.page());
  }

  @Get('by-month')
  @ApiOkResponse({ type: MonthRowPageDto })
  byMonth(@CurrentActor() actor: Actor, @Query() query: StatsListQueryDto) {
    return this.stats.byMonth(actor, filterOf(query), query.page());
  }

  /** The same tables as CSV for Excel: UTF-8 with a BOM, CRLF, every row; `lang=zh` for Chinese headers. */
  @Get('export.csv')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'text/csv; charset=utf-8, UTF-8 BOM, one header row', schema: { type: 'string' } })
  async exportCsv(@CurrentActor() actor: Actor, @Query() query: StatsExportQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const { filename, body } = await this.stats.exportCsv(actor, filterOf(query), query.table, query.lang ?? 'en');
    void reply.header('Content-Type', 'text/csv; charset=utf-8').header('Content-Disposition', `attachment; filename="${filename}"`);
    return body;
  }
}
