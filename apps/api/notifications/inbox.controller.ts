import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../../libs/domain/shared/actor.js';
import { InboxService } from '../../../libs/notifications/inbox.service.js';
import { CurrentActor } from '../auth/auth.decorators.js';
import { UuidParamPipe } from '../common/uuid-param.pipe.js';
import { InboxItemDto, InboxPageDto, InboxQueryDto, UnreadCountDto } from './notifications.dto.js';

/** The signed-in user's in-app notifications (站内消息). */
@ApiTags('inbox')
@ApiBearerAuth()
@Controller('inbox')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  /** Newest first; `?unread=true` lists only unread entries. Superseded notifications never show. */
  @Get()
  @ApiOkResponse({ type: InboxPageDto })
  list(@CurrentActor() actor: Actor, @Query() query: InboxQueryDto) {
    return this.inbox.list(actor, { ...query.page(), unread: query.unread === 'true' });
  }

  @Get('unread-count')
  @ApiOkResponse({ type: UnreadCountDto })
  unreadCount(@CurrentActor() actor: Actor) {
    return this.inbox.unreadCount(actor);
  }

  /** Idempotent; another user's notification → 404. */
  @Post(':id/read')
  @HttpCode(200)
  @ApiOkResponse({ type: InboxItemDto })
  read(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string) {
    return this.inbox.markRead(actor, id);
  }
}
