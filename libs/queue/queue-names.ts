/** Every queue and job name of the engine, typed in one place, with its payload. */
export const QueueName = {
  Notifications: 'notifications',
  Maintenance: 'maintenance',
  /** Webhook deliveries apart from the inbox fan-out, so a slow receiver never delays the inbox. */
  Webhooks: 'webhooks',
  /** The deadline sweeper's repeatable job. */
  Deadlines: 'deadlines',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const JobName = {
  /** Fan a batch of outbox events out to their recipients (inbox, webhooks, sms). */
  DispatchEvents: 'dispatch-events',
  /** One outbox event, as versions before batched dispatch enqueued them: still taken, no longer added. */
  DispatchEvent: 'dispatch-event',
  /** One webhook delivery attempt series. */
  DeliverWebhook: 'deliver-webhook',
  /** Periodic clean-up of expired idempotency keys and login failures. */
  Housekeeping: 'housekeeping',
  /** Periodic deadline sweep. */
  SweepDeadlines: 'sweep-deadlines',
  /** Periodic outbox relay (the worker also runs it on a timer). */
  RelayOutbox: 'relay-outbox',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

export interface JobPayloads {
  [JobName.DispatchEvents]: { events: { outboxId: string; correlationId?: string }[] };
  [JobName.DispatchEvent]: { outboxId: string; correlationId?: string };
  [JobName.DeliverWebhook]: { deliveryId: string; correlationId?: string };
  [JobName.Housekeeping]: Record<string, never>;
  [JobName.SweepDeadlines]: Record<string, never>;
  [JobName.RelayOutbox]: Record<string, never>;
}
