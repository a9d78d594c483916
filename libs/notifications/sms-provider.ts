import { Injectable, Logger } from '@nestjs/common';

/** One text message to a user; `text` is already masked (no full name, ID or phone). */
export interface SmsMessage {
  userId: string;
  referralId: string | null;
  text: string;
}

/** A text-message gateway. Real gateways (Aliyun, Tencent Cloud SMS…) implement this; none is configured in v1. */
export interface SmsProvider {
  send(message: SmsMessage): Promise<void>;
}

export const SMS_PROVIDER = Symbol('SMS_PROVIDER');

/** The default provider: sends nothing, writes what it would send to the log. */
@Injectable()
export class LogSmsProvider implements SmsProvider {
  private readonly logger = new Logger('Sms');

  async send(message: SmsMessage): Promise<void> {
    this.logger.log({ userId: message.userId, referralId: message.referralId, text: message.text }, 'SMS (log provider, not sent)');
  }
}

/** 王建国 → 王*国, 李明 → 李*: enough for the recipient to recognise the case, not enough to identify the patient. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1];
}
