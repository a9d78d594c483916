import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsOptional, IsString, IsUUID, Length, ValidateIf } from 'class-validator';
import { DELIVERY_STATES, WEBHOOK_EVENTS } from '../../../libs/domain/notifications/notification-events.js';
import { ListQueryDto } from '../common/list-query.dto.js';

export class InboxQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'true: only unread entries' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'unread must be true or false' })
  unread?: 'true' | 'false';
}

export class InboxItemDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', nullable: true }) referralId: string | null;
  @ApiProperty({ enum: WEBHOOK_EVENTS }) event: string;
  @ApiProperty({ example: '新转诊待处理：王建国（110***********1234）' }) title: string;
  @ApiProperty() body: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true }) readAt: string | null;
}

export class InboxPageDto {
  @ApiProperty({ type: [InboxItemDto] }) items: InboxItemDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class UnreadCountDto {
  @ApiProperty() count: number;
}

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://his.example.org/referral-events', description: 'http(s); the host must be in WEBHOOK_ALLOWED_HOSTS' })
  @IsString()
  @Length(1, 2048)
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @IsString({ each: true })
  events: string[];

  @ApiProperty({ description: 'HMAC-SHA256 key of X-Referral-Signature; write-only', writeOnly: true })
  @IsString()
  @Length(1, 256)
  secret: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'only referrals where this institution is a party' })
  @ValidateIf((o: CreateWebhookDto) => o.institutionId !== null && o.institutionId !== undefined)
  @IsUUID('all', { message: 'institutionId must be a UUID' })
  institutionId?: string | null;
}

export class WebhookDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() url: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true }) events: string[];
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) institutionId: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class WebhookPageDto {
  @ApiProperty({ type: [WebhookDto] }) items: WebhookDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class DeliveryAttemptDto {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ nullable: true, type: Number }) httpStatus: number | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
}

export class DeliveryDto {
  @ApiProperty({ format: 'uuid', description: 'also the X-Referral-Delivery header and the body id' }) id: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS }) event: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) referralId: string | null;
  @ApiProperty({ enum: DELIVERY_STATES }) state: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: [DeliveryAttemptDto] }) attempts: DeliveryAttemptDto[];
}

export class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryDto] }) items: DeliveryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
