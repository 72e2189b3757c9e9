import { Browser, expect, Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

export const ADMIN = {
  username: 'first.admin',
  email: 'first.admin@example.com',
  password: 'correct horse battery staple',
};

/** The set-up link Usher printed at start (from the server log). */
export function printedSetupLink(): string {
  const log = process.env.USHER_E2E_LOG;
  if (!log) throw new Error('USHER_E2E_LOG is not set');
  const match = readFileSync(log, 'utf8').match(/https?:\/\/\S+\/setup\?token=[A-Za-z0-9_-]+/);
  if (!match) throw new Error(`no set-up link in ${log}`);
  return match[0];
}

/** With JavaScript on, wait until the wasm has hydrated the page. */
export async function ready(page: Page, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) {
    await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  }
}

/** Fills in and sends the sign-in form on the current page. */
export async function fillSignIn(page: Page, javaScriptEnabled: boolean, login: string, password: string) {
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Username or email').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signIn(page: Page, javaScriptEnabled: boolean, password = ADMIN.password) {
  await fillSignIn(page, javaScriptEnabled, ADMIN.username, password);
}

/** Opens `/login` and signs in as someone. */
export async function signInAs(page: Page, javaScriptEnabled: boolean, login: string, password: string) {
  await page.goto('/login');
  await fillSignIn(page, javaScriptEnabled, login, password);
}

/** A fresh, signed-out browser (another person). */
export async function visitor(browser: Browser, javaScriptEnabled: boolean): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled });
  return context.newPage();
}

const GENERAL_USER_ROLE = '00000000-0000-4000-8000-000000000002';

/** Creates an active General user through the API, as the signed-in admin of `page`. */
export async function createUser(
  page: Page,
  user: { username: string; first_name: string; last_name: string; email: string; password: string },
) {
  const created = await page.request.post('/api/users/create', {
    headers: { Accept: 'application/json', Origin: process.env.USHER_BASE_URL! },
    form: { ...user, phone: '', role: GENERAL_USER_ROLE, origin: 'internal', status: 'active' },
  });
  expect(created.status()).toBeLessThan(400);
}

/** Mail that reached maildev (Usher's SMTP server in the test run). */
export async function mailTo(address: string): Promise<{ subject: string; text: string }[]> {
  const base = process.env.USHER_MAILDEV_URL;
  if (!base) throw new Error('USHER_MAILDEV_URL is not set');
  const res = await fetch(`${base}/api/email`);
  if (!res.ok) throw new Error(`maildev answered ${res.status}`);
  const all = (await res.json()) as { subject: string; text: string; to: { address: string }[] }[];
  return all.filter((m) => m.to.some((t) => t.address === address));
}
