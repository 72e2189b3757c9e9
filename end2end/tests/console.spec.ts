import { expect, test } from '@playwright/test';
import { ADMIN, printedSetupLink, ready, signIn } from './helpers';

// Runs twice: hydrated, and with JavaScript disabled (plain HTML forms).
// The test script seeds 42 General users before start; with the admin that
// makes 43 accounts.
const TOTAL = 43;

test('an anonymous visit to /users signs in and comes back', async ({ page, javaScriptEnabled }) => {
  await page.goto('/users?page=2');
  await expect(page).toHaveURL(/\/login\?next=/);
  await expect(page.getByRole('heading', { name: 'Sign in to Usher' })).toBeVisible();
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/users\?page=2$/);
  await expect(page.getByTestId('showing')).toHaveText(`Showing 11–20 of ${TOTAL}`);
});

test('a wrong password shows an error', async ({ page, javaScriptEnabled }) => {
  await page.goto('/login');
  await signIn(page, javaScriptEnabled, 'not the right password');
  await expect(page.getByRole('alert')).toHaveText('The username or password is incorrect.');
  await expect(page).toHaveURL(/\/login/);
});

test('the users table pages through seeded users, then sign out', async ({ page, javaScriptEnabled }) => {
  await page.goto('/login');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/users$/);
  await ready(page, javaScriptEnabled);

  const table = page.getByRole('table');
  const header = (name: string) => table.getByRole('columnheader', { name: new RegExp(`^${name}( [▲▼])?$`) });
  // The default columns: what fits a laptop.
  for (const name of ['Username', 'Name', 'Email', 'Role', 'Status', 'Last login', 'Created']) {
    await expect(header(name)).toBeVisible();
  }
  for (const name of ['Phone', 'Groups', '2FA']) {
    await expect(header(name)).toHaveCount(0);
  }
  if (javaScriptEnabled) {
    // "Columns" adds one, and this admin's browser remembers it.
    await page.getByText('Columns', { exact: true }).click();
    await page.getByRole('menuitemcheckbox', { name: 'Phone' }).click();
    await expect(header('Phone')).toBeVisible();
    await page.reload();
    await ready(page, javaScriptEnabled);
    await expect(header('Phone')).toBeVisible();
    await page.getByText('Columns', { exact: true }).click();
    await page.getByRole('menuitemcheckbox', { name: 'Phone' }).click();
    await expect(header('Phone')).toHaveCount(0);
    await page.getByText('Columns', { exact: true }).click();
  }
  await expect(page.getByTestId('showing')).toHaveText(`Showing 1–10 of ${TOTAL}`);
  await expect(table.getByRole('row')).toHaveCount(11);

  if (javaScriptEnabled) {
    // After hydration, paging fetches data only: the document stays the same.
    await page.evaluate(() => ((window as any).__sameDocument = true));
  }
  const firstCell = table.getByRole('row').nth(1).getByRole('cell').nth(1);
  const firstOnPage1 = await firstCell.innerText();
  await page.getByRole('link', { name: 'Next page' }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByTestId('showing')).toHaveText(`Showing 11–20 of ${TOTAL}`);
  await expect(firstCell).not.toHaveText(firstOnPage1);

  await page.getByLabel('Rows per page').selectOption('25');
  if (!javaScriptEnabled) {
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
  }
  await expect(page).toHaveURL(/per_page=25/);
  await expect(page.getByTestId('showing')).toHaveText(`Showing 1–25 of ${TOTAL}`);
  await page.getByRole('link', { name: 'Next page' }).click();
  await expect(page.getByTestId('showing')).toHaveText(`Showing 26–${TOTAL} of ${TOTAL}`);
  await expect(page.getByRole('link', { name: 'Next page' })).toHaveCount(0);

  if (javaScriptEnabled) {
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  }

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/users');
  await expect(page).toHaveURL(/\/login\?next=\/users$/);
});

test('a used set-up link says so', async ({ page }) => {
  await page.goto(printedSetupLink());
  await expect(page.getByRole('alert')).toContainText('expired or has already been used');
});

test('unknown pages answer 404', async ({ page }) => {
  const res = await page.goto('/no-such-page');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: '404 — Page not found' })).toBeVisible();
});

test('search, filters and sort live in the URL', async ({ page, javaScriptEnabled }) => {
  await page.goto('/login?next=/users');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/users$/);
  await ready(page, javaScriptEnabled);

  await page.getByLabel('Search users').fill('ANNA');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(/q=ANNA/);
  await expect(page.getByTestId('showing')).toHaveText('Showing 1–1 of 1');
  await expect(page.getByRole('cell', { name: 'anna.martin', exact: true })).toBeVisible();

  await page.getByLabel('Search users').fill('nobody-like-this');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByTestId('empty')).toHaveText('No users match this search and these filters.');
  await page.getByRole('link', { name: 'Clear' }).click();
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByTestId('showing')).toHaveText(`Showing 1–10 of ${TOTAL}`);

  await page.getByRole('link', { name: 'Last login' }).click();
  await expect(page).toHaveURL(/sort=last_login&dir=desc/);
  await expect(page.getByRole('columnheader', { name: /Last login/ })).toHaveAttribute('aria-sort', 'descending');
  await page.goBack();
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByRole('columnheader', { name: /^Username/ })).toHaveAttribute('aria-sort', 'ascending');

  await page.getByText('Filters', { exact: true }).click();
  await page.getByLabel('Status').selectOption('inactive');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/status=inactive/);
  // Column 6 of the default columns: the status (after the checkbox column).
  const badges = page.getByRole('table').locator('tbody tr td:nth-child(6)');
  await expect(badges.first()).toHaveText('Inactive');
  const count = await badges.count();
  for (let i = 0; i < count; i++) await expect(badges.nth(i)).toHaveText('Inactive');
});
