import { expect, test } from '@playwright/test';
import { ADMIN, mailTo, printedSetupLink, ready } from './helpers';

test('the first admin is created through the printed set-up link', async ({ page }) => {
  const link = printedSetupLink();
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Set up Usher' })).toBeVisible();
  await ready(page, true);

  // Rules are checked as you type, and each message names its field.
  await page.getByLabel('Username').fill('No Caps');
  await expect(page.getByText('Username may contain only lowercase letters')).toBeVisible();
  await page.getByLabel('Password').fill('short');
  await expect(page.getByText('Password must be at least 12 characters.')).toBeVisible();

  await page.getByLabel('Username').fill(ADMIN.username);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await expect(page.getByText('Username may contain only lowercase letters')).toHaveCount(0);
  await page.getByRole('button', { name: 'Create admin account' }).click();

  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByTestId('signed-in-as')).toHaveText(ADMIN.username);
  await expect(page.getByTestId('showing')).toHaveText('Showing 1–10 of 43');
  await page.goto(`/users?q=${ADMIN.username}`);
  await expect(page.getByRole('cell', { name: ADMIN.username, exact: true })).toBeVisible();
  await expect(page.getByRole('row').nth(1)).toContainText('Admin');

  // The welcome mail goes through the outbox to the SMTP server.
  await expect
    .poll(async () => (await mailTo(ADMIN.email)).map((m) => m.subject), { timeout: 15_000 })
    .toContain('Your Usher administrator account is ready');
  const [mail] = await mailTo(ADMIN.email);
  expect(mail.text).toContain(`${process.env.USHER_BASE_URL}/login`);
});
