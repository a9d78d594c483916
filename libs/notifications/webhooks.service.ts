import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, type Repository } from 'typeorm';
import { ENGINE_CONFIG } from '../config/config.module.js';
import type { EngineConfig } from '../config/engine-config.js';
import { notFound, validationFailed, type FieldProblem } from '../domain/errors/domain-error.js';
import { deliveryStateOf, isWebhookEvent, WEBHOOK_EVENTS, type DeliveryState, type NotificationState } from '../domain/notifications/notification-events.js';
import { webhookUrlProblem } from '../domain/notifications/webhook-policy.js';
import type { Actor } from '../domain/shared/actor.js';
import { InstitutionEntity } from '../persistence/entities/institution.entity.js';
import { WebhookSubscriptionEntity } from '../persistence/entities/webhook-subscription.entity.js';
import { CursorCodec, type Page, type PageRequest } from '../persistence/pagination.js';

export interface CreateWebhookInput {
  url: string;
  events: string[];
  secret: string;
  institutionId?: string | null;
}

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  institutionId: string | null;
  createdAt: string;
}

export interface DeliveryView {
  id: string;
  event: string;
  referralId: string | null;
  state: DeliveryState;
  createdAt: string;
  attempts: { at: string; httpStatus: number | null; error: string | null }[];
}

/** Never the secret. */
export const mapWebhook = (w: WebhookSubscriptionEntity): WebhookView => ({
  id: w.id,
  url: w.url,
  events: w.events,
  institutionId: w.institutionId,
  createdAt: w.createdAt.toISOString(),
});

/** Webhook subscriptions (admin) and their delivery log. */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectRepository(WebhookSubscriptionEntity) private readonly webhooks: Repository<WebhookSubscriptionEntity>,
    @InjectRepository(InstitutionEntity) private readonly institutions: Repository<InstitutionEntity>,
    private readonly dataSource: DataSource,
    private readonly cursors: CursorCodec,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
  ) {}

  async create(actor: Actor, input: CreateWebhookInput): Promise<WebhookView> {
    const problems: FieldProblem[] = [];
    const urlProblem = webhookUrlProblem(input.url, this.config.webhooks.allowedHosts, this.config.nodeEnv === 'production');
    if (urlProblem) problems.push({ field: 'url', message: urlProblem });
    for (const event of input.events) {
      if (!isWebhookEvent(event)) problems.push({ field: 'events', message: `unknown event "${event}"; events are ${WEBHOOK_EVENTS.join(', ')}` });
    }
    const institutionId = input.institutionId ?? null;
    if (institutionId && !(await this.institutions.existsBy({ id: institutionId }))) {
      problems.push({ field: 'institutionId', message: 'institutionId must name an existing institution' });
    }
    if (problems.length > 0) throw validationFailed(problems);
    const saved = await this.webhooks.save(
      this.webhooks.create({ url: input.url, events: [...new Set(input.events)], secret: input.secret, institutionId, createdBy: actor.id }),
    );
    return mapWebhook(saved);
  }

  /** Oldest first. */
  async list(req: PageRequest): Promise<Page<WebhookView>> {
    const scope = 'webhooks';
    const after = this.cursors.decode(scope, req.cursor) as [string, string] | undefined;
    const params: unknown[] = [];
    let where = '';
    if (after) {
      params.push(String(after[0]), String(after[1]));
      where = `WHERE (created_at, id) > ($1::timestamptz, $2::uuid)`;
    }
    params.push(req.limit + 1);
    const rows: { id: string; url: string; events: string[]; institution_id: string | null; created_at: Date; at_key: string }[] =
      await this.dataSource.query(
        `SELECT id, url, events, institution_id, created_at, created_at::text AS at_key FROM webhook_subscriptions ${where}
          ORDER BY created_at, id LIMIT $${params.length}`,
        params,
      );
    return this.cursors.page(scope, rows, req.limit, (r) => [r.at_key, r.id], (r) => ({
      id: r.id,
      url: r.url,
      events: r.events,
      institutionId: r.institution_id,
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  /** The delivery log of one subscription, newest first, with every attempt. */
  async deliveries(webhookId: string, req: PageRequest): Promise<Page<DeliveryView>> {
    if (!(await this.webhooks.existsBy({ id: webhookId }))) throw notFound('Webhook');
    const scope = `webhook-deliveries:${webhookId}`;
    const after = this.cursors.decode(scope, req.cursor) as [string, string] | undefined;
    const params: unknown[] = [webhookId];
    let where = `webhook_id = $1`;
    if (after) {
      params.push(String(after[0]), String(after[1]));
      where += ` AND (created_at, id) < ($2::timestamptz, $3::uuid)`;
    }
    params.push(req.limit + 1);
    const rows: { id: string; event: string; referral_id: string | null; state: NotificationState; created_at: Date; at_key: string }[] =
      await this.dataSource.query(
        `SELECT id, event, referral_id, state, created_at, created_at::text AS at_key FROM notifications
          WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
        params,
      );
    const ids = rows.slice(0, req.limit).map((r) => r.id);
    const attempts: { notification_id: string; at: Date; http_status: number | null; error: string | null }[] = ids.length
      ? await this.dataSource.query(
          `SELECT notification_id, at, http_status, error FROM webhook_attempts WHERE notification_id = ANY($1::uuid[]) ORDER BY id`,
          [ids],
        )
      : [];
    const byDelivery = new Map<string, DeliveryView['attempts']>();
    for (const a of attempts) {
      const list = byDelivery.get(a.notification_id) ?? [];
      list.push({ at: new Date(a.at).toISOString(), httpStatus: a.http_status, error: a.error });
      byDelivery.set(a.notification_id, list);
    }
    return this.cursors.page(scope, rows, req.limit, (r) => [r.at_key, r.id], (r) => ({
      id: r.id,
      event: r.event,
      referralId: r.referral_id,
      state: deliveryStateOf(r.state),
      createdAt: new Date(r.created_at).toISOString(),
      attempts: byDelivery.get(r.id) ?? [],
    }));
  }
}
