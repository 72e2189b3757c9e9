import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { ready, signIn } from './helpers';

/** The username column of a CSV export (header first). */
function usernames(csv: string): string[] {
  const lines = csv.replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  expect(lines[0]).toBe('username,first_name,last_name,email,phone,role,groups,status,origin,created,last_login');
  return lines.slice(1).map((l) => l.split(',')[0]);
}

test('export a filtered view: the CSV holds exactly the table rows', async ({ page, javaScriptEnabled }) => {
  await page.goto(`/login?next=${encodeURIComponent('/users?status=active&per_page=100')}`);
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/users\?status=active&per_page=100$/);
  await ready(page, javaScriptEnabled);
  const shown = await page.locator('tbody tr td:nth-child(2) a').allTextContents();
  expect(shown.length).toBeGreaterThan(1);

  await page.getByText('Export', { exact: true }).click();
  const fetched = javaScriptEnabled
    ? page.waitForResponse((r) => r.url().includes('/export/users.csv'))
    : undefined;
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  expect(download.suggestedFilename()).toMatch(/^usher-users-\d{4}-\d{2}-\d{2}\.csv$/);
  const exported = usernames(readFileSync((await download.path())!, 'utf8'));
  expect([...exported].sort()).toEqual([...shown].sort());
  if (javaScriptEnabled) {
    // The page fetched the file itself and counted its rows against the
    // total the server announced ahead of them.
    expect((await fetched!).headers()['x-usher-total-rows']).toBe(String(shown.length));
    const progress = page.getByTestId('export-progress');
    await expect(progress).toContainText(`Exported ${shown.length} users.`);
    const bar = progress.locator('progress');
    await expect(bar).toHaveAttribute('max', String(shown.length));
    await expect(bar).toHaveAttribute('value', String(shown.length));
    // The menu closed, so it does not cover the bar.
    await expect(page.getByTestId('export-csv')).toBeHidden();
  }
});

test('export selected: the ticked rows only', async ({ page, javaScriptEnabled }) => {
  await page.goto(`/login?next=${encodeURIComponent('/users?per_page=25')}`);
  await signIn(page, javaScriptEnabled);
  await ready(page, javaScriptEnabled);
  const rows = page.locator('tbody tr');
  const picked: string[] = [];
  for (const i of [1, 3]) {
    await rows.nth(i).locator('input[name="id"]').check();
    picked.push((await rows.nth(i).locator('td:nth-child(2) a').textContent())!.trim());
  }
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-selected').click()]);
  const exported = usernames(readFileSync((await download.path())!, 'utf8'));
  expect([...exported].sort()).toEqual([...picked].sort());
});
