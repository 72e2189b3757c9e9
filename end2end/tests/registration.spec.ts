import { expect, test } from '@playwright/test';
import { mailTo, ready } from './helpers';
import { mailedLink, openRegistration, openRequest, registerAndConfirm } from './registration-helpers';

test('register → confirm by mail → an admin approves → the person signs in', async ({
  page,
  browser,
  javaScriptEnabled,
}, info) => {
  const username = `reg.${info.project.name}`;
  const email = `${username}@example.com`;
  await openRegistration(page, javaScriptEnabled);
  const guest = await registerAndConfirm(browser, javaScriptEnabled, username, email);

  await openRequest(page, javaScriptEnabled, username);
  await page.getByRole('button', { name: 'Approve request' }).click();
  await expect(page.getByTestId('decision')).toContainText('Approved by first.admin');

  const link = await mailedLink(email, 'Your Usher account is approved', '/invite');
  await guest.goto(link);
  await ready(guest, javaScriptEnabled);
  await expect(guest.getByTestId('invite-username')).toHaveText(username);
  await guest.getByLabel('Password').fill('a registered person chose this');
  await guest.getByRole('button', { name: 'Join' }).click();
  await expect(guest).toHaveURL(/\/account$/);
  await expect(guest.getByTestId('signed-in-as')).toHaveText('Reg Istrant');

  // The admin sees the account as Active · Completed.
  await page.goto(`/users/${username}`);
  await expect(page.getByText('Active · Completed').first()).toBeVisible();
});

test('an admin rejects a request with a reason, which is mailed and kept', async ({
  page,
  browser,
  javaScriptEnabled,
}, info) => {
  const username = `rej.${info.project.name}`;
  const email = `${username}@example.com`;
  await openRegistration(page, javaScriptEnabled);
  await registerAndConfirm(browser, javaScriptEnabled, username, email);

  await openRequest(page, javaScriptEnabled, username);
  await page.getByRole('button', { name: 'Reject request' }).click();
  // The reason is required (by the browser; the server says so too).
  await expect(page.getByTestId('request-state')).toHaveText('Waiting for review');
  await page.getByLabel('Reason (mailed to the person)').fill('Only staff may have accounts.');
  await page.getByRole('button', { name: 'Reject request' }).click();
  await expect(page.getByTestId('decision')).toContainText('Reason: Only staff may have accounts.');

  await expect
    .poll(async () => (await mailTo(email)).find((m) => m.subject === 'Your Usher account request')?.text ?? '', {
      timeout: 15_000,
    })
    .toContain('Only staff may have accounts.');
  await page.goto('/requests?status=rejected');
  await expect(page.getByRole('link', { name: username, exact: true })).toBeVisible();
  await page.goto(`/users?status=rejected`);
  await expect(page.getByRole('link', { name: username, exact: true })).toBeVisible();
});
