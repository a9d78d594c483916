import type { BenchSection } from '../bench-context.js';
import { foundationSection } from './foundation.js';
import { notificationsSection } from './notifications.js';
import { referralsSection } from './referrals.js';
import { catalogueSection } from './catalogue.js';
import { statsSection } from './stats.js';
import { webSection } from './web.js';

/** Every benchmark section, in the order `npm run bench` runs them. */
export const SECTIONS: BenchSection[] = [
  foundationSection,
  referralsSection,
  catalogueSection,
  notificationsSection,
  statsSection,
  webSection,
];
