// The browser scenarios, run in this order against one engine. Each signs its users in through the UI, acts
// through the UI, and checks what a user would see; setup that is not the scenario's point goes through the API.
import { apiAs, check, newPatient, signIn } from './helpers.mjs';

const CITED = 'hypertension.up.14'; // 随诊：按治疗方案用药2~3个月血压不达标

/** Fills the upward form for a hypertension patient; leaves indications and submitting to the caller. */
async function fillUpwardForm(s, patient) {
  await s.by('nav-newUp').click();
  await s.by('new-referral-page').waitFor();
  await s.by('patient-name').fill(patient.name);
  await s.by('patient-id-number').fill(patient.idNumber);
  // A valid resident ID fills in the birth date and the gender.
  await s.page.waitForFunction((v) => document.querySelector('[data-testid="patient-birth-date"]')?.value === v, patient.birthDate);
  await s.by('patient-phone').fill('13812345678');
  await s.by('to-department').locator('input').fill('心内科');
  await s.page.keyboard.press('Escape');
  await s.by('condition-search').click();
  await s.page.keyboard.type('gxy');
  await s.page.getByTestId('condition-option-hypertension').click();
  check((await s.by('diagnosis-icd10').inputValue()) === 'I10', 'picking 高血压 fills its first ICD-10 code');
  check((await s.by('diagnosis-text').inputValue()) === '高血压', 'picking 高血压 fills the diagnosis text');
  await s.by('diagnosis-icd10').fill('I10.x00');
  await s.by('gate-rules').waitFor();
  await s.by('reason').fill('高血压病史5年，规律服药3个月血压仍在160/100mmHg左右，需上级医院调整方案');
  await s.by('consent-checkbox').click();
}

/** Waits until the gate panel predicts `outcome` ('refused' when the gate would refuse). */
async function expectPrediction(s, outcome) {
  await s.page.locator(`[data-testid="gate-prediction"][data-outcome="${outcome}"]`).waitFor({ timeout: 5_000 });
}

async function referralIdOf(s) {
  return s.by('referral-page').getAttribute('data-referral-id');
}

/** An upward hypertension referral made through the API (setup for scenarios about what happens next). */
async function createUpward(ctx, patient, urgency = 'routine') {
  const api = await apiAs(ctx, 'town.doctor');
  const county = (await api.get('/institutions?limit=100')).items.find((i) => i.level === 'county');
  return api.post('/referrals', {
    direction: 'up',
    urgency,
    patient: { name: patient.name, gender: patient.gender, birthDate: patient.birthDate, idNumber: patient.idNumber },
    toInstitutionId: county.id,
    toDepartment: '心内科',
    diagnosis: { icd10: 'I10.x00', text: '原发性高血压' },
    reason: '血压控制不佳',
    indications: [CITED],
    consent: { obtained: true, by: 'patient' },
  });
}

export const SCENARIOS = [
  {
    name: 'care loop: refer up, accept, arrive, complete, refer down, take over',
    async run(ctx) {
      const patient = newPatient('王建国');
      // Township doctor: a new upward referral that cites an indication.
      const town = await signIn(ctx, 'town.doctor');
      await fillUpwardForm(town, patient);
      await expectPrediction(town, 'refused'); // without an indication the gate panel predicts a refusal
      await town.by(`indication-${CITED}`).click();
      await expectPrediction(town, 'indication_cited'); // citing an indication satisfies the gate
      await town.by(`indication-${CITED}`).scrollIntoViewIfNeeded();
      await town.shot('new-referral');
      await town.by('submit-referral').click();
      await town.expectStatus('submitted');
      check((await town.by('detail-gate').getAttribute('data-outcome')) === 'indication_cited', 'the referral records the gate outcome');
      const id = await referralIdOf(town);

      // County coordinator: the incoming worklist shows it with a countdown and a to-do mark.
      const coordinator = await signIn(ctx, 'county.coordinator');
      const row = coordinator.row(patient.name);
      await row.waitFor();
      check((await row.getByTestId('deadline').getAttribute('data-kind')) === 'respond', 'an open respond deadline is counted down');
      await row.getByTestId('needs-action').waitFor();
      await coordinator.shot('worklist-incoming');
      await row.click();
      await coordinator.act('accept', 'accepted', async (s) => {
        check((await s.by('accept-department').textContent()).includes('心内科'), 'the department the referrer asked for is proposed');
      });
      check((await coordinator.by('detail-appointment').textContent()).includes('心内科'), 'the appointment names the department');
      await coordinator.act('arrive', 'arrived');
      await coordinator.act('complete', 'completed', async (s) => {
        await s.by('complete-diagnosis').fill('原发性高血压 3级 很高危');
        await s.by('complete-summary').fill('调整为氨氯地平联合缬沙坦，血压控制在135/85mmHg');
      });

      // The referring doctor is told: unread notifications about the patient (delivered by the queue within
      // seconds; a later event about the same referral may supersede an earlier one that is still unread).
      await town.by('inbox-bell').click();
      await town.page.getByTestId('inbox-item').filter({ hasText: patient.name }).first().waitFor({ timeout: 30_000 });
      await town.page.waitForFunction(() => Number(document.querySelector('[data-testid="inbox-unread"]')?.getAttribute('data-count')) > 0);
      await town.shot('inbox');

      // County doctor: a downward referral with the handover, from the completed upward one.
      const county = await signIn(ctx, 'county.doctor');
      await county.goto(`/referrals/${id}`);
      await county.by('start-downward').click();
      await county.by('new-downward-page').waitFor();
      check((await county.by('handover-treatment').inputValue()).includes('氨氯地平'), 'the handover starts from the outcome');
      await county.by('medication-drug-0').fill('氨氯地平片');
      await county.by('medication-dose-0').fill('5mg');
      await county.by('medication-frequency-0').fill('每日一次');
      await county.by('medication-add').click();
      await county.by('medication-drug-1').fill('缬沙坦胶囊');
      await county.by('medication-dose-1').fill('80mg');
      await county.by('medication-frequency-1').fill('每日一次');
      await county.by('handover-follow-up').fill('两周内由家庭医生随访血压，每月复查一次');
      await county.by('reason').fill('血压控制平稳，转回基层继续管理');
      await county.by('consent-checkbox').click();
      await county.shot('downward-form');
      await county.by('submit-referral').click();
      await county.expectStatus('submitted');
      await county.by('handover').waitFor();

      // Township doctor: the incoming downward referral, its medication plan, and the takeover.
      await town.goto('/?box=incoming');
      await town.row(patient.name).click();
      await town.by('handover').waitFor();
      const plan = await town.by('medication-plan').textContent();
      check(plan.includes('氨氯地平片') && plan.includes('缬沙坦胶囊'), 'the township sees the medication plan');
      await town.shot('downward-handover');
      await town.act('accept', 'accepted', (s) => s.select('accept-department', { text: '全科' }));
      await town.act('arrive', 'arrived');
      await town.act('complete', 'completed', async (s) => {
        await s.by('complete-family-doctor').fill('张医生');
        await s.by('complete-summary').fill('已签约家庭医生，纳入高血压慢病管理');
      });
      check((await town.by('detail-outcome').textContent()).includes('张医生'), 'the family doctor is recorded');
      await town.page.locator('[data-testid="timeline-transition"][data-to="completed"]').waitFor(); // the timeline reloads after each action
      const transitions = await town.page.locator('[data-testid="timeline-transition"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-to')));
      check(JSON.stringify(transitions) === JSON.stringify(['submitted', 'accepted', 'arrived', 'completed']), `timeline of the downward referral: ${transitions}`);

      // The upward referral's page links to its downward child; its timeline is the whole story.
      await county.goto(`/referrals/${id}`);
      await county.by('child-link').waitFor();
      await county.by('timeline').scrollIntoViewIfNeeded();
      await county.shot('referral-timeline');
    },
  },
  {
    name: 'gate refusal explained, then an audited override',
    async run(ctx) {
      const patient = newPatient('李秀英', { male: false });
      const town = await signIn(ctx, 'town.doctor');
      await town.by('nav-newUp').click();
      // The resident ID is checked in the browser too (checksum), before anything is sent.
      const bad = patient.idNumber.slice(0, 17) + (patient.idNumber[17] === '1' ? '2' : '1');
      await town.by('patient-id-number').fill(bad);
      await town.by('patient-name').click();
      await town.page.getByText('身份证号无效').waitFor();
      await fillUpwardForm(town, patient);
      await town.by('submit-referral').click();
      // The server's 422 GATE_NOT_SATISFIED, shown where the doctor can fix it; nothing was created.
      await town.by('gate-refusal').waitFor();
      check(await town.by('new-referral-page').isVisible(), 'a refused referral stays on the form');
      check((await town.by('gate-panel').locator('[data-testid^="indication-"]').count()) >= 10, 'the refusal lists the qualifying indications');
      await town.by('gate-refusal').scrollIntoViewIfNeeded();
      await town.shot('gate-refusal');
      await town.by('override-toggle').click();
      await town.by('override-justification').fill('患者合并视物模糊，家属强烈要求上级医院眼底及肾功能检查');
      await expectPrediction(town, 'override'); // a justification of 10+ characters passes as an override
      await town.by('submit-referral').click();
      await town.expectStatus('submitted');
      check((await town.by('detail-gate').getAttribute('data-outcome')) === 'override', 'the override is recorded as the gate outcome');
    },
  },
  {
    name: 'return with a reason, edit and resubmit',
    async run(ctx) {
      const patient = newPatient('赵德明');
      const created = await createUpward(ctx, patient, 'urgent');

      const coordinator = await signIn(ctx, 'county.coordinator');
      await coordinator.goto(`/referrals/${created.id}`);
      await coordinator.act('return', 'returned', async (s) => {
        await s.select('return-reason', { testId: 'reason-option-information_incomplete' });
        await s.by('return-comment-input').fill('请补充近3个月的血压记录和用药情况');
      });

      const town = await signIn(ctx, 'town.doctor');
      const row = town.row(patient.name);
      await row.waitFor();
      check((await row.getByTestId('worklist-return-reason').textContent()).includes('转诊资料不完整'), 'the worklist shows the return reason');
      await town.shot('worklist-outgoing');
      await row.click();
      await town.by('return-reason-alert').waitFor();
      check((await town.by('return-comment').textContent()).includes('血压记录'), 'the coordinator’s comment is shown');
      await town.shot('returned-referral');
      const before = Number(await town.by('referral-page').getAttribute('data-version'));
      await town.by('action-resubmit').click();
      await town.by('edit-drawer').waitFor();
      await town.by('treatment-so-far').fill('近3个月：氨氯地平5mg qd，血压150-165/95-105mmHg');
      await town.by('resubmit-confirm').click();
      await town.expectStatus('submitted');
      const after = Number(await town.by('referral-page').getAttribute('data-version'));
      check(after === before + 2, `PATCH then resubmit: version ${before} → ${after}`);

      await coordinator.goto('/');
      await coordinator.row(patient.name).getByTestId('needs-action').waitFor();
    },
  },
  {
    name: 'catalogue: edit the draft, review the diff, publish, see it in the form',
    async run(ctx) {
      const admin = await signIn(ctx, 'admin');
      await admin.by('catalogue-page').waitFor();
      await admin.by('catalogue-search').locator('input').fill('gxy');
      await admin.page.keyboard.press('Enter');
      await admin.page.locator('[data-testid="condition-row"][data-code="hypertension"]').waitFor();
      await admin.by('condition-edit-hypertension').click();
      await admin.by('condition-editor').waitFor();
      const rows = await admin.by('indication-row').count();
      await admin.by('indication-add').click();
      await admin.by(`indication-text-${rows}`).fill('随诊：家庭自测血压连续两周≥160/100mmHg');
      await admin.by('condition-save').click();
      await admin.by('condition-editor').waitFor({ state: 'detached' });

      await admin.by('catalogue-tab-changes').click();
      const change = admin.page.locator('[data-testid="change-row"][data-code="hypertension"]');
      await change.waitFor();
      check((await change.getAttribute('data-change')) === 'modified' && (await change.textContent()).includes('upwardIndications'), 'the diff names the changed field');
      await admin.by('publish-note').fill('高血压：补充家庭自测血压上转指征');
      await admin.shot('catalogue-changes');
      await admin.by('publish').click();
      await admin.by('publish-confirm').click();
      await admin.by('no-changes').waitFor();
      await admin.by('catalogue-tab-versions').click();
      const v2 = admin.page.locator('[data-testid="version-row"][data-version="2"]');
      await v2.waitFor();
      check((await v2.textContent()).includes('家庭自测血压'), 'version 2 carries its note');
      await admin.shot('catalogue-versions');

      // The township doctor's form explains the new indication at once.
      const town = await signIn(ctx, 'town.doctor');
      await town.by('nav-newUp').click();
      await town.by('diagnosis-icd10').fill('I10');
      await town.by('gate-panel').getByText('家庭自测血压连续两周').waitFor();
    },
  },
  {
    name: 'sign-in errors, statistics, English switch, sign-out',
    async run(ctx) {
      const context = await ctx.browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      await page.goto(ctx.base + '/');
      await page.getByTestId('login-page').waitFor();
      await page.screenshot({ path: new URL('../../docs/screenshots/login.png', import.meta.url).pathname });
      await page.getByTestId('login-username').fill('town.doctor');
      await page.getByTestId('login-password').fill('wrong-password');
      await page.getByTestId('login-submit').click();
      const error = page.getByTestId('login-error');
      await error.waitFor();
      check((await error.getAttribute('data-code')) === 'UNAUTHENTICATED' && (await error.textContent()).includes('用户名或密码错误'), 'a wrong password is explained in Chinese');
      await context.close();

      // Unknown API routes keep the contract's JSON 404; console routes get the app.
      const api404 = await fetch(`${ctx.base}/api/v1/no-such-thing`);
      check(api404.status === 404 && (await api404.json()).code === 'NOT_FOUND', 'unknown /api/v1 routes answer the contract 404');
      const deep = await fetch(`${ctx.base}/referrals/anything`);
      check(deep.status === 200 && (await deep.text()).includes('<div id="root">'), 'client routes get index.html');

      await createUpward(ctx, newPatient('孙丽华', { male: false }));
      const admin = await signIn(ctx, 'admin');
      await admin.by('nav-stats').click();
      await admin.by('stats-dashboard').waitFor();
      await admin.by('chart-up-status').waitFor();
      const up = Number((await admin.by('stat-up-total').textContent()).replace(/\D/g, ''));
      check(up >= 1, `the dashboard counts the upward referrals made so far (${up})`);
      await admin.shot('stats');

      // The other admin pages load their data (an uncaught error in any page fails the scenario).
      for (const [nav, ready] of [['nav-institutions', 'institution-new'], ['nav-users', 'user-new'], ['nav-reasonCodes', 'reason-new']]) {
        await admin.by(nav).click();
        await admin.by(ready).waitFor();
        await admin.page.locator('.ant-table-row').first().waitFor();
      }
      await admin.by('nav-settings').click();
      const respond = admin.page.locator('[data-testid="settings-emergency-respond"] input, input[data-testid="settings-emergency-respond"]').first();
      await admin.page.waitForFunction((el) => el.value === '15', await respond.elementHandle());
      await admin.by('nav-stats').click();
      await admin.by('stats-dashboard').waitFor();

      await admin.by('lang-switch').click();
      check((await admin.by('nav-stats').textContent()) === 'Statistics', 'the menu switches to English');
      await admin.page.getByText('Upward referrals').first().waitFor();
      const coordinator = await signIn(ctx, 'county.coordinator');
      await coordinator.by('lang-switch').click();
      await coordinator.page.getByText('Incoming').first().waitFor();
      await coordinator.by('worklist-row').first().waitFor();
      await coordinator.shot('worklist-english');
      await coordinator.by('lang-switch').click();

      await admin.by('sign-out').click();
      await admin.by('login-page').waitFor();
      await admin.goto('/admin/catalogue');
      await admin.by('login-page').waitFor();
    },
  },
];
