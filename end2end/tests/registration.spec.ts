import { Browser, expect, Page, test } from '@playwright/test';
import { mailTo, ready, signIn, visitor } from './helpers';

/** The first link to `path` in the mail with `subject` sent to `address`. */
async function mailedLink(address: string, subject: string, path: string): Promise<string> {
  const pattern = new RegExp(`https?://\\S+${path}\\?token=[A-Za-z0-9_-]+`);
  let link = '';
  await expect
    .poll(
      async () => {
        const mail = (await mailTo(address)).find((m) => m.subject === subject);
        link = mail?.text.match(pattern)?.[0] ?? '';
        return link;
      },
      { timeout: 15_000 },
    )
    .not.toBe('');
  return link;
}

async function openRegistration(page: Page, javaScriptEnabled: boolean) {
  await page.goto('/login?next=/settings');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/settings$/);
  await ready(page, javaScriptEnabled);
  await page.getByLabel(/Let people request an account/).check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status')).toContainText('Saved.');
}

/** A visitor registers from the sign-in page and confirms from the mail. */
async function registerAndConfirm(
  browser: Browser,
  javaScriptEnabled: boolean,
  username: string,
  email: string,
): Promise<Page> {
  const guest = await visitor(browser, javaScriptEnabled);
  await guest.goto('/login');
  await guest.getByRole('link', { name: 'Request an account' }).click();
  await expect(guest.getByRole('heading', { name: 'Request an account' })).toBeVisible();
  await ready(guest, javaScriptEnabled);
  await guest.getByLabel('Username').fill(username);
  await guest.getByLabel('First name').fill('Reg');
  await guest.getByLabel('Last name').fill('Istrant');
  await guest.getByLabel('Email').fill(email);
  await guest.getByLabel(/Message to the administrators/).fill('I run the front desk.');
  await guest.getByRole('button', { name: 'Request account' }).click();
  await expect(guest.getByRole('status')).toContainText('Check your inbox');

  const confirm = await mailedLink(email, 'Confirm your email address for Usher', '/register/confirm');
  await guest.goto(confirm);
  await expect(guest.getByText(email)).toBeVisible();
  await ready(guest, javaScriptEnabled);
  await guest.getByRole('button', { name: 'Confirm my email address' }).click();
  await expect(guest.getByRole('status')).toContainText('your address is confirmed');
  return guest;
}

/** Opens the admin's view of `username`'s request from `/requests`. */
async function openRequest(page: Page, javaScriptEnabled: boolean, username: string) {
  await page.goto('/users');
  await ready(page, javaScriptEnabled);
  await expect(page.getByTestId('requests-badge')).toBeVisible();
  await page.getByRole('link', { name: /Access requests/ }).click();
  await expect(page.getByRole('heading', { name: 'Access requests' })).toBeVisible();
  await page.getByRole('link', { name: username, exact: true }).click();
  await expect(page.getByTestId('request-state')).toHaveText('Waiting for review');
  await expect(page.getByText('I run the front desk.')).toBeVisible();
  await ready(page, javaScriptEnabled);
}

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
