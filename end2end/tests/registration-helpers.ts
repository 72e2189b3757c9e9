import { Browser, expect, Page } from '@playwright/test';
import { mailTo, ready, signIn, visitor } from './helpers';

/** The first link to `path` in the mail with `subject` sent to `address`. */
export async function mailedLink(address: string, subject: string, path: string): Promise<string> {
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

export async function openRegistration(page: Page, javaScriptEnabled: boolean) {
  await page.goto('/login?next=/settings');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/settings$/);
  await ready(page, javaScriptEnabled);
  await page.getByLabel(/Let people request an account/).check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status')).toContainText('Saved.');
}

/** A visitor registers from the sign-in page and confirms from the mail. */
export async function registerAndConfirm(
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
export async function openRequest(page: Page, javaScriptEnabled: boolean, username: string) {
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
