// What the scenarios share: signing in through the UI, antd widgets, screenshots, valid resident IDs, and a
// few API calls for setup that is not the point of a scenario.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './engine.mjs';

export const PASSWORDS = { admin: 'admin12345' };
export const passwordOf = (username) => PASSWORDS[username] ?? 'demo12345';

const SHOTS = join(REPO, 'docs/screenshots');
mkdirSync(SHOTS, { recursive: true });

export class Expectation extends Error {}
export function check(condition, message) {
  if (!condition) throw new Expectation(message);
}

/** A GB 11643 resident ID: region, birth date YYYYMMDD and a 3-digit sequence (odd = male), plus the check character. */
export function residentId(region, birth, seq) {
  const first17 = `${region}${birth}${seq}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

let serial = 0;
/** A patient no other scenario of this run uses (the engine allows one open upward referral per patient). */
export function newPatient(name, { male = true } = {}) {
  serial += 1;
  const seq = String(100 + serial * 2 + (male ? 1 : 0)).padStart(3, '0');
  const birth = `19${50 + serial}0${(serial % 9) + 1}15`;
  return { name, idNumber: residentId('500101', birth, seq), birthDate: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6)}`, gender: male ? 'male' : 'female' };
}

export class Session {
  constructor(ctx, context, page, username) {
    this.ctx = ctx;
    this.context = context;
    this.page = page;
    this.username = username;
  }

  async shot(name) {
    await this.page.waitForTimeout(300); // let antd's transitions settle
    await this.page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
  }

  by(testId) {
    return this.page.getByTestId(testId);
  }

  async goto(path) {
    await this.page.goto(this.ctx.base + path);
  }

  /**
   * Picks an option of an antd Select: by the test id on its label, or, for a searchable one, by typing its text
   * (the option list is virtualised, so an option far down is not in the page until searched for).
   */
  async select(testId, option) {
    await this.by(testId).click();
    if (option.testId) return this.page.getByTestId(option.testId).click();
    await this.page.keyboard.type(option.text);
    await this.page.locator('.ant-select-item-option-active', { hasText: option.text }).waitFor();
    await this.page.keyboard.press('Enter');
  }

  async expectStatus(status) {
    await this.page.locator(`[data-testid="referral-status"][data-status="${status}"]`).waitFor({ timeout: 15_000 });
  }

  /** Clicks an action button, fills its dialog with `fill`, confirms, and waits for the new status. */
  async act(action, status, fill) {
    await this.by(`action-${action}`).click();
    await this.by(`action-modal-${action}`).waitFor();
    if (fill) await fill(this);
    // This dialog's button: the previous action's dialog may still be fading out.
    await this.page.getByRole('dialog').filter({ has: this.by(`action-modal-${action}`) }).getByTestId('action-confirm').click();
    await this.expectStatus(status);
    await this.page.locator('.ant-modal:visible').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
  }

  /** The worklist row of a patient (worklists show masked identifiers, so rows are found by name). */
  row(patientName) {
    return this.page.getByTestId('worklist-row').filter({ hasText: patientName });
  }

  async close() {
    await this.context.close();
  }
}

/** A fresh browser context (its own storage), signed in through the sign-in page. */
export async function signIn(ctx, username) {
  const context = await ctx.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  ctx.pageErrors.push(errors);
  await page.goto(ctx.base + '/');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(passwordOf(username));
  await page.getByTestId('login-submit').click();
  await page.getByTestId('current-user').waitFor();
  return new Session(ctx, context, page, username);
}

/** JSON API calls for setup (signed in as `username`). */
export async function apiAs(ctx, username) {
  const login = await fetch(`${ctx.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: passwordOf(username) }),
  });
  check(login.ok, `login as ${username}: ${login.status}`);
  const { accessToken, user } = await login.json();
  const call = async (method, path, body) => {
    const res = await fetch(`${ctx.base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return { user, token: accessToken, get: (p) => call('GET', p), post: (p, b) => call('POST', p, b ?? {}) };
}
