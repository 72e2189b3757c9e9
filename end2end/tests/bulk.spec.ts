import { expect, Page, test } from '@playwright/test';
import { ready, signIn } from './helpers';

// Runs in both admin projects (hydrated and no-JS): the confirmation, the
// job's progress page and its result work either way.

async function total(page: Page): Promise<number> {
  const showing = (await page.getByTestId('showing').textContent()) ?? '';
  const match = showing.match(/of ([\d,]+)/);
  if (!match) throw new Error(`no total in "${showing}"`);
  return Number(match[1].replace(/,/g, ''));
}

test('a mass action on all matching: exact count, progress bar, result', async ({
  page,
  javaScriptEnabled,
}, info) => {
  const group = `Bulk ${info.project.name}`;
  await page.goto('/login?next=/groups');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/groups$/);
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Group name').fill(group);
  await page.getByRole('button', { name: 'Create group' }).click();
  await expect(page.getByText(group, { exact: true })).toBeVisible();

  await page.goto('/users?status=active');
  await ready(page, javaScriptEnabled);
  const n = await total(page);
  expect(n).toBeGreaterThan(10);
  await page.getByLabel('Mass action', { exact: true }).selectOption('add_to_group');
  await page.getByLabel(`Select all ${n} matching`).check();
  await page.getByRole('button', { name: 'Apply…' }).click();

  await expect(page).toHaveURL(/\/jobs\/new\?.*all=1/);
  await expect(page.getByTestId('bulk-question')).toHaveText(`Add ${n} users to a group?`);
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Group', { exact: true }).selectOption({ label: group });
  await page.getByRole('button', { name: `Add ${n} users to a group` }).click();

  await expect(page).toHaveURL(/\/jobs\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { name: `Add ${n} users to ${group}` })).toBeVisible();
  await expect(page.getByTestId('job-progress')).toBeVisible();
  await expect(page.getByTestId('job-result')).toHaveText(`Done: ${n} changed, 0 skipped.`);
  await expect(page.getByTestId('job-counts')).toHaveText(`${n} of ${n} users · 100%`);
  await expect(page.getByTestId('job-progress')).toHaveAttribute('value', String(n));

  // The group now holds exactly those users.
  await page.getByRole('link', { name: 'Back to users' }).click();
  await expect(page).toHaveURL(/\/users\?status=active/);
  await page.goto('/groups');
  await expect(page.getByRole('row', { name: new RegExp(group) }).getByRole('link', { name: String(n) })).toBeVisible();
});

test('ticked rows, and your own account is skipped with the reason', async ({
  page,
  javaScriptEnabled,
}) => {
  await page.goto(`/login?next=${encodeURIComponent('/users?q=first.admin')}`);
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/q=first\.admin/);
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Select first.admin').check();
  await page.getByLabel('Mass action', { exact: true }).selectOption('deactivate');
  await page.getByRole('button', { name: 'Apply…' }).click();
  await expect(page.getByTestId('bulk-question')).toHaveText('Deactivate 1 user?');
  // The confirmation names the side effects and exactly who is skipped.
  await expect(page.getByTestId('bulk-effects')).toContainText('signed out everywhere');
  await expect(page.getByTestId('bulk-skipped')).toContainText('1 (your own account)');
  await ready(page, javaScriptEnabled);
  await page.getByRole('button', { name: 'Deactivate 1 user' }).click();
  await expect(page.getByTestId('job-result')).toHaveText('Done: 0 changed, 1 skipped.');
  await expect(page.getByTestId('job-reasons')).toHaveText('1: your own account');

  // Adding to a group is not refused for your own account, and says so.
  await page.goto('/users?q=first.admin');
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Select first.admin').check();
  await page.getByLabel('Mass action', { exact: true }).selectOption('add_to_group');
  await page.getByRole('button', { name: 'Apply…' }).click();
  await expect(page.getByTestId('bulk-question')).toHaveText('Add 1 user to a group?');
  await expect(page.getByTestId('bulk-skipped')).toHaveCount(0);

  // Nothing ticked: Apply waits for a selection (without JavaScript, the
  // confirmation says what is missing).
  await page.goto('/users');
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Mass action', { exact: true }).selectOption('activate');
  if (javaScriptEnabled) {
    await expect(page.getByRole('button', { name: 'Apply…' })).toBeDisabled();
  } else {
    await page.getByRole('button', { name: 'Apply…' }).click();
    await expect(page.getByText('Select at least one user, or all matching.')).toBeVisible();
  }
});

test('the selection shows: ticked rows, a count, all matching, kept across pages', async ({
  page,
  javaScriptEnabled,
}) => {
  test.skip(!javaScriptEnabled, 'the count and the kept ticks are the browser\'s');
  await page.goto(`/login?next=${encodeURIComponent('/users?per_page=10')}`);
  await signIn(page, javaScriptEnabled);
  await ready(page, javaScriptEnabled);
  const apply = page.getByRole('button', { name: 'Apply…' });
  await expect(apply).toBeDisabled();
  const boxes = page.getByRole('checkbox', { name: /^Select (?!all)/ });
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await expect(page.getByTestId('selected')).toContainText('2 selected');
  // A ticked row is shaded unlike an unticked one.
  const shade = (n: number) =>
    page.getByRole('row').nth(n).evaluate((row) => getComputedStyle(row).backgroundColor);
  expect(await shade(1)).not.toBe(await shade(3));
  await expect(apply).toBeDisabled(); // no action yet
  await page.getByLabel('Mass action', { exact: true }).selectOption('activate');
  await expect(apply).toBeEnabled();
  // Another page keeps the two ticks.
  await page.getByRole('link', { name: 'Next page' }).click();
  await expect(page.getByTestId('selected')).toContainText('2 selected');
  await page.getByRole('link', { name: 'Previous page' }).click();
  await expect(boxes.nth(0)).toBeChecked();
  // All matching: every row shows ticked, on every page.
  await page.getByLabel(/Select all .*matching/).check();
  await expect(page.getByTestId('selected')).toContainText(/All .* matching selected/);
  await expect(boxes.nth(3)).toBeChecked();
  await page.getByRole('link', { name: 'Next page' }).click();
  await expect(boxes.nth(0)).toBeChecked();
  await page.getByRole('button', { name: 'Clear selection' }).click();
  await expect(page.getByTestId('selected')).toHaveCount(0);
  await expect(boxes.nth(0)).not.toBeChecked();
});
