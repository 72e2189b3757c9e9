import { expect, test } from '@playwright/test';
import { mailTo, ready, signIn } from './helpers';

// Runs in both projects (hydrated and no-JS), so names carry the project.
test('mail settings: saved with checks, a test mail through SMTP, the outbox listed', async ({
  page,
  javaScriptEnabled,
}, info) => {
  const base = process.env.USHER_BASE_URL!;
  const smtpPort = process.env.USHER_E2E_SMTP_PORT ?? '1925';
  await page.goto('/login?next=/settings/mail');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/settings\/mail$/);
  await expect(page.getByRole('heading', { name: 'Mail', exact: true })).toBeVisible();
  await expect(page.getByTestId('transport')).toContainText(`SMTP 127.0.0.1:${smtpPort}`);
  await ready(page, javaScriptEnabled);

  // A bad public address is refused, naming what to enter.
  await page.getByLabel('SMTP host (empty: file outbox)').fill('127.0.0.1');
  await page.getByLabel('Port').fill(smtpPort);
  await page.getByLabel('Security').selectOption('none');
  await page.getByLabel('From name').fill('Usher E2E');
  await page.getByLabel('From address').fill('usher@localhost');
  await page.getByLabel('Public address of Usher').fill('usher.example.com');
  await page.getByRole('button', { name: 'Save mail settings' }).click();
  await expect(page.getByText(/Enter the address people open Usher at/).first()).toBeVisible();

  await page.getByLabel('SMTP host (empty: file outbox)').fill('127.0.0.1');
  await page.getByLabel('Port').fill(smtpPort);
  await page.getByLabel('Security').selectOption('none');
  await page.getByLabel('From name').fill('Usher E2E');
  await page.getByLabel('From address').fill('usher@localhost');
  await page.getByLabel('Public address of Usher').fill(base);
  await page.getByRole('button', { name: 'Save mail settings' }).click();
  await expect(page.getByText('Saved. Mail goes out with these settings from now on.')).toBeVisible();
  await expect(page.getByText('These settings were saved on this page.')).toBeVisible();

  const to = `mailtest.${info.project.name}@example.com`;
  await ready(page, javaScriptEnabled);
  await page.getByLabel('To', { exact: true }).fill(to);
  await page.getByRole('button', { name: 'Send test email' }).click();
  await expect(page.getByTestId('test-answer')).toContainText(`Sent through 127.0.0.1:${smtpPort}: 250`);
  await expect
    .poll(async () => (await mailTo(to)).map((m) => m.subject), { timeout: 15_000 })
    .toContain('Usher test email');
  const [mail] = await mailTo(to);
  expect(mail.text).toContain(`Links in Usher's mail will start with ${base}.`);

  // The outbox lists what went out.
  await page.goto('/settings/mail');
  await expect(page.getByTestId('outbox-counts')).toContainText('sent:');
});
