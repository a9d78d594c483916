import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../../libs/domain/shared/actor.js';
import { WebhooksService } from '../../../libs/notifications/webhooks.service.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { ListQueryDto } from '../common/list-query.dto.js';
import { UuidParamPipe } from '../common/uuid-param.pipe.js';
import { CreateWebhookDto, DeliveryPageDto, WebhookDto, WebhookPageDto } from './notifications.dto.js';

/**
 * Webhook subscriptions (admin). Deliveries are signed POSTs: `X-Referral-Signature: sha256=<hex HMAC-SHA256 of
 * "<X-Referral-Timestamp>.<raw body>">`.
 */
@ApiTags('webhooks')
@ApiBearerAuth()
@Roles('admin')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiCreatedResponse({ type: WebhookDto })
  create(@CurrentActor() actor: Actor, @Body() body: CreateWebhookDto) {
    return this.webhooks.create(actor, body);
  }

  @Get()
  @ApiOkResponse({ type: WebhookPageDto })
  list(@Query() query: ListQueryDto) {
    return this.webhooks.list(query.page());
  }

  /** Newest first, each with every attempt. */
  @Get(':id/deliveries')
  @ApiOkResponse({ type: DeliveryPageDto })
  deliveries(@Param('id', UuidParamPipe) id: string, @Query() query: ListQueryDto) {
    return this.webhooks.deliveries(id, query.page());
  }
}
