import { CatalogueAuditEntity } from './catalogue-audit.entity.js';
import { CatalogueConditionEntity } from './catalogue-condition.entity.js';
import { CatalogueDraftConditionEntity } from './catalogue-draft-condition.entity.js';
import { CatalogueVersionEntity } from './catalogue-version.entity.js';
import { DeadlineEventEntity } from './deadline-event.entity.js';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';
import { InstitutionEntity } from './institution.entity.js';
import { LoginFailureEntity } from './login-failure.entity.js';
import { OutboxEventEntity } from './outbox-event.entity.js';
import { ReasonCodeEntity } from './reason-code.entity.js';
import { ReferralDeadlineEntity } from './referral-deadline.entity.js';
import { ReferralTransitionEntity } from './referral-transition.entity.js';
import { ReferralEntity } from './referral.entity.js';
import { SettingEntity } from './setting.entity.js';
import { UserEntity } from './user.entity.js';
import { NotificationEntity } from './notification.entity.js';
import { WebhookAttemptEntity } from './webhook-attempt.entity.js';
import { WebhookSubscriptionEntity } from './webhook-subscription.entity.js';

// Indexes the statistics own on these tables (declared there, created by their migration).
import '../../stats/stats-indexes.js';

export * from './institution.entity.js';
export * from './user.entity.js';

/** Every entity the engine maps; the app, the CLI and the tests use this one list (one per line: append). */
export const ENTITIES: Function[] = [
  InstitutionEntity,
  UserEntity,
  LoginFailureEntity,
  ReferralEntity,
  ReferralTransitionEntity,
  ReferralDeadlineEntity,
  DeadlineEventEntity,
  OutboxEventEntity,
  ReasonCodeEntity,
  IdempotencyKeyEntity,
  SettingEntity,
  CatalogueVersionEntity,
  CatalogueConditionEntity,
  CatalogueDraftConditionEntity,
  CatalogueAuditEntity,
  WebhookSubscriptionEntity,
  NotificationEntity,
  WebhookAttemptEntity,
];
