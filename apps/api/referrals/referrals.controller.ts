import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../../libs/domain/shared/actor.js';
import { ReferralCommands } from '../../../libs/referrals/referral-commands.service.js';
import { ReferralQueries } from '../../../libs/referrals/referral-queries.service.js';
import { ReferralTimeline } from '../../../libs/referrals/referral-timeline.service.js';
import { CurrentActor } from '../auth/auth.decorators.js';
import { IdempotencyInterceptor, requestContextOf } from '../common/idempotency.interceptor.js';
import { ListQueryDto } from '../common/list-query.dto.js';
import { UuidParamPipe } from '../common/uuid-param.pipe.js';
import { CreateReferralDto, PatchReferralDto, ReferralListQueryDto } from './referral.dto.js';

@ApiTags('referrals')
@ApiBearerAuth()
@Controller('referrals')
export class ReferralsController {
  constructor(
    private readonly commands: ReferralCommands,
    private readonly queries: ReferralQueries,
    private readonly timeline: ReferralTimeline,
  ) {}

  /** 上转 (township doctor → county) or 下转 (county doctor → township, with a handover). */
  @Post()
  @UseInterceptors(IdempotencyInterceptor)
  create(@CurrentActor() actor: Actor, @Body() body: CreateReferralDto, @Req() req: FastifyRequest) {
    return this.commands.create(actor, body, requestContextOf(req));
  }

  /** The caller's institution's worklist: emergencies first, then the earliest open deadline. */
  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: ReferralListQueryDto) {
    const { box, status, direction, urgency, q } = query;
    return this.queries.worklist(actor, { ...query.page(), box, status, direction, urgency, q });
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.queries.view(id, actor);
  }

  @Patch(':id')
  patch(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string, @Body() body: PatchReferralDto) {
    const { version, ...changes } = body;
    return this.commands.patch(actor, id, version, changes);
  }

  /** submit, accept, return, resubmit, cancel, arrive, no_show, complete (expire is the deadline engine's). */
  @Post(':id/actions/:action')
  @HttpCode(200)
  @UseInterceptors(IdempotencyInterceptor)
  @ApiBody({ schema: { type: 'object', required: ['version'], properties: { version: { type: 'integer' } }, additionalProperties: true } })
  @ApiOkResponse({ description: 'the updated referral' })
  act(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
    @Param('action') action: string,
    @Body() body: Record<string, unknown>,
    @Req() req: FastifyRequest,
  ) {
    return this.commands.act(actor, id, action, body, requestContextOf(req));
  }

  @Get(':id/timeline')
  history(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string, @Query() query: ListQueryDto) {
    return this.timeline.list(id, actor, query.page());
  }
}
