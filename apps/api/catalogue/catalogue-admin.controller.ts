import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CatalogueService } from '../../../libs/catalogue/catalogue.service.js';
import type { Actor } from '../../../libs/domain/shared/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { IdempotencyInterceptor } from '../common/idempotency.interceptor.js';
import { ListQueryDto } from '../common/list-query.dto.js';
import { AuditPageDto, ConditionDto, CreateConditionDto, ImportResultDto, PublishDto, PublishResultDto, UpdateConditionDto } from './catalogue.dto.js';

/** Editing the catalogue: admins change the draft, then publish it as the next version. Creating writes take an Idempotency-Key. */
@ApiTags('catalogue')
@ApiBearerAuth()
@Roles('admin')
@Controller('catalogue')
export class CatalogueAdminController {
  constructor(private readonly catalogue: CatalogueService) {}

  @Post('conditions')
  @UseInterceptors(IdempotencyInterceptor)
  @ApiOperation({ summary: 'Add a condition to the draft (missing indication codes are assigned)' })
  @ApiCreatedResponse({ type: ConditionDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateConditionDto) {
    return this.catalogue.create(actor, body);
  }

  @Patch('conditions/:code')
  @ApiOperation({ summary: 'Change fields of a draft condition' })
  @ApiOkResponse({ type: ConditionDto })
  update(@CurrentActor() actor: Actor, @Param('code') code: string, @Body() body: UpdateConditionDto) {
    return this.catalogue.update(actor, code, body);
  }

  @Delete('conditions/:code')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a condition from the draft' })
  @ApiNoContentResponse()
  remove(@CurrentActor() actor: Actor, @Param('code') code: string) {
    return this.catalogue.remove(actor, code);
  }

  @Post('publish')
  @UseInterceptors(IdempotencyInterceptor)
  @ApiOperation({ summary: 'Publish the draft as the next version (400 when nothing changed or ranges overlap)' })
  @ApiCreatedResponse({ type: PublishResultDto })
  publish(@CurrentActor() actor: Actor, @Body() body: PublishDto) {
    return this.catalogue.publish(actor, body.note ?? '');
  }

  @Post('import')
  @HttpCode(200)
  @UseInterceptors(IdempotencyInterceptor)
  @ApiOperation({ summary: 'Upsert conditions into the draft by code (read shape or conditions.json shape); all or nothing' })
  @ApiBody({
    description: 'a JSON array of conditions, in the read shape or the conditions.json seed shape',
    schema: { type: 'array', items: { oneOf: [{ $ref: '#/components/schemas/CreateConditionDto' }, { type: 'object', description: 'a conditions.json entry' }] } },
  })
  @ApiOkResponse({ type: ImportResultDto })
  import(@CurrentActor() actor: Actor, @Body() body: unknown) {
    return this.catalogue.importConditions(actor, body);
  }

  @Get('audit')
  @ApiOperation({ summary: 'Every edit and publish of the catalogue, newest first' })
  @ApiOkResponse({ type: AuditPageDto })
  audit(@Query() query: ListQueryDto) {
    return this.catalogue.auditLog(query.page());
  }
}
