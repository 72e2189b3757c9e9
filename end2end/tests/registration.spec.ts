import { expect, test } from '@playwright/test';
import { mailTo, ready, visitor } from './helpers';
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
  // Opened straight from its address (a reload), the waiting request
  // hydrates without a fault, and approving it updates the page.
  const faults: string[] = [];
  page.on('pageerror', (e) => faults.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') faults.push(m.text());
  });
  await page.reload();
  await ready(page, javaScriptEnabled);
  await expect(page.getByTestId('request-state')).toHaveText('Waiting for review');
  await page.getByRole('button', { name: 'Approve request' }).click();
  await expect(page.getByTestId('decision')).toContainText('Approved by first.admin');
  await expect(page.getByTestId('request-state')).toHaveText('Approved');
  expect(faults).toEqual([]);

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

test('what a visitor types before the page has loaded is kept', async ({ page, browser, javaScriptEnabled }, info) => {
  test.skip(!javaScriptEnabled, 'without JavaScript the form is plain HTML and nothing is replaced');
  const username = `early.${info.project.name}`;
  await openRegistration(page, javaScriptEnabled);
  const guest = await visitor(browser, javaScriptEnabled);
  // The page's script arrives late, as on a slow phone connection.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await guest.route(/\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  await guest.goto('/register');
  await guest.getByLabel('Username').fill(username);
  await guest.getByLabel('First name').fill('Early');
  await guest.getByLabel('Last name').fill('Typist');
  await guest.getByLabel('Email').fill(`${username}@example.com`);
  await guest.getByLabel(/Message to the administrators/).fill('Typed before the script ran.');
  await expect(guest.locator('body[data-hydrated="true"]')).toHaveCount(0);
  release();
  await ready(guest, true);
  await expect(guest.getByLabel('Username')).toHaveValue(username);
  await expect(guest.getByLabel('Email')).toHaveValue(`${username}@example.com`);
  await expect(guest.getByLabel(/Message to the administrators/)).toHaveValue('Typed before the script ran.');
  await guest.getByRole('button', { name: 'Request account' }).click();
  await expect(guest.getByRole('status')).toContainText('Check your inbox');
});
