import { ConditionCatalogue1795462827825 } from './1795462827825-ConditionCatalogue.js';
import { Init1795461790717 } from './1795461790717-Init.js';
import { ReferralWorkflow1795462376665 } from './1795462376665-ReferralWorkflow.js';
import { WorklistSearchIndexes1795462926765 } from './1795462926765-WorklistSearchIndexes.js';
import { Notifications1795463021784 } from './1795463021784-Notifications.js';
import { StatsIndexes1795465198371 } from './1795465198371-StatsIndexes.js';
import { StatsIndexesReturns1795466251910 } from './1795466251910-StatsIndexesReturns.js';
import { OutboxNotify1795466414899 } from './1795466414899-OutboxNotify.js';
import { NotificationWriteTimes1796353189285 } from './1796353189285-NotificationWriteTimes.js';
import { OutboxFannedOut1796411000000 } from './1796411000000-OutboxFannedOut.js';
import { TransitionRequestKey1796412000000 } from './1796412000000-TransitionRequestKey.js';
import { OutboxDispatchJob1796500000000 } from './1796500000000-OutboxDispatchJob.js';
import { DeadlinesByReferralState1796600000000 } from './1796600000000-DeadlinesByReferralState.js';

/** Every migration in order; listed explicitly because ESM cannot glob-load classes portably (one per line: append). */
export const MIGRATIONS: Function[] = [
  Init1795461790717,
  ReferralWorkflow1795462376665,
  ConditionCatalogue1795462827825,
  WorklistSearchIndexes1795462926765,
  Notifications1795463021784,
  StatsIndexes1795465198371,
  StatsIndexesReturns1795466251910,
  OutboxNotify1795466414899,
  NotificationWriteTimes1796353189285,
  OutboxFannedOut1796411000000,
  TransitionRequestKey1796412000000,
  OutboxDispatchJob1796500000000,
  DeadlinesByReferralState1796600000000,
];
