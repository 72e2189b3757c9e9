import { expect, Page, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { ready, signIn } from './helpers';

/** A file whose "Team" column is not matched by name, with one bad row. */
function people(p: string): string {
  return [
    'Login;Given name;Family name;E-Mail;Team;Notes',
    `${p}.imp1;Ada;One;${p}.imp1@example.com;Imported ${p};first`,
    `${p}.imp2;Bea;Two;not-an-email;;second`,
    `${p}.imp3;Cy;Three;${p}.imp3@example.com;Imported ${p};"=HYPERLINK(""x"")"`,
  ].join('\r\n') + '\r\n';
}

async function upload(page: Page, name: string, body: Buffer | string) {
  await page.getByTestId('import-file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(body) });
  await page.getByRole('button', { name: 'Upload and map columns' }).click();
}

async function mapAndPreview(page: Page, javaScriptEnabled: boolean, createGroups: boolean) {
  await expect(page).toHaveURL(/\/users\/import\/[0-9a-f-]{36}$/);
  await ready(page, javaScriptEnabled);
  await expect(page.getByTestId('map-E-Mail')).toHaveValue('3:email');
  await expect(page.getByTestId('map-Team')).toHaveValue('4:');
  await page.getByTestId('map-Team').selectOption({ label: 'Groups (separated by |)' });
  if (createGroups) await page.getByTestId('create-groups').check();
  await page.getByTestId('import-preview').click();
  await expect(page.getByTestId('preview-counts')).toBeVisible();
}

test('import: upload, fix the mapping, preview, apply, error report, re-import unchanged', async ({ page, javaScriptEnabled }) => {
  const p = javaScriptEnabled ? 'h' : 'n';
  await page.goto(`/login?next=${encodeURIComponent('/users')}`);
  await signIn(page, javaScriptEnabled);
  await ready(page, javaScriptEnabled);
  await page.getByRole('link', { name: 'Import', exact: true }).click();
  await expect(page).toHaveURL(/\/users\/import$/);
  await ready(page, javaScriptEnabled);

  // The template has every column.
  const [template] = await Promise.all([page.waitForEvent('download'), page.getByTestId('import-template').click()]);
  expect(readFileSync((await template.path())!, 'utf8')).toMatch(/^username,first_name,last_name,email,phone,role,groups,/);

  // A Latin-1 file is refused whole, with the reason.
  await upload(page, 'latin1.csv', Buffer.from('username,email\nj\xf6rg,j@example.com\n', 'latin1'));
  await expect(page.getByTestId('import-error')).toContainText('not UTF-8');
  await ready(page, javaScriptEnabled);

  // Good and bad rows; the unknown column is mapped by hand.
  await upload(page, `people-${p}.csv`, people(p));
  await mapAndPreview(page, javaScriptEnabled, true);
  await expect(page.getByTestId('count-create')).toHaveText('Create: 2');
  await expect(page.getByTestId('count-error')).toHaveText('Error: 1');
  await page.getByTestId('count-error').click();
  await expect(page.getByTestId('preview-row')).toHaveCount(1);
  await expect(page.getByTestId('preview-row')).toContainText('E-Mail: Enter a valid email address');
  await ready(page, javaScriptEnabled);

  // Apply the valid rows: the bar runs to the end, then the counts.
  await page.getByTestId('import-apply').click();
  await expect(page.getByTestId('import-result')).toContainText('Created 2, updated 0, unchanged 0, failed 1.', { timeout: 30_000 });
  await expect(page.getByTestId('import-progress')).toHaveAttribute('value', '3');
  const [report] = await Promise.all([page.waitForEvent('download'), page.getByTestId('error-report').click()]);
  expect(report.suggestedFilename()).toBe(`people-${p}-errors.csv`);
  const lines = readFileSync((await report.path())!, 'utf8').trim().split(/\r?\n/);
  expect(lines[0]).toBe('Login,Given name,Family name,E-Mail,Team,Notes,error');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toMatch(new RegExp(`^${p}\\.imp2,Bea,Two,not-an-email,,second,"?E-Mail: Enter a valid email address`));

  // The imported users are in the directory, the formula kept as text.
  await page.goto(`/users/${p}.imp3`);
  await expect(page.getByText(`${p}.imp3@example.com`).first()).toBeVisible();

  // The same file again changes nothing.
  await page.goto('/users/import');
  await ready(page, javaScriptEnabled);
  await upload(page, `people-${p}.csv`, people(p));
  await mapAndPreview(page, javaScriptEnabled, false);
  await expect(page.getByTestId('count-unchanged')).toHaveText('Unchanged: 2');
  await expect(page.getByTestId('count-create')).toHaveText('Create: 0');
  await expect(page.getByTestId('count-update')).toHaveText('Update: 0');
});

test('import: a new active user with no way to sign in is a warning, and can be invited instead', async ({
  page,
  javaScriptEnabled,
}) => {
  const p = javaScriptEnabled ? 'h' : 'n';
  const username = `${p}.nopass`;
  await page.goto(`/login?next=${encodeURIComponent('/users/import')}`);
  await signIn(page, javaScriptEnabled);
  await ready(page, javaScriptEnabled);
  await upload(page, `nopass-${p}.csv`, `username,first_name,last_name,email,status\n${username},No,Pass,${username}@example.com,active\n`);
  await expect(page).toHaveURL(/\/users\/import\/[0-9a-f-]{36}$/);
  await ready(page, javaScriptEnabled);
  await page.getByTestId('import-preview').click();
  await expect(page.getByTestId('cannot-sign-in')).toContainText('1 new user could not sign in');
  await expect(page.getByTestId('row-warnings')).toContainText('cannot sign in: add a password, send_invitation or issue_certificate');
  await ready(page, javaScriptEnabled);
  await page.getByRole('button', { name: 'Invite them instead' }).click();
  await expect(page.getByTestId('cannot-sign-in')).toHaveCount(0);
  await expect(page.getByTestId('count-create')).toHaveText('Create: 1');
  await expect(page.getByTestId('row-warnings')).toHaveText('');
  await ready(page, javaScriptEnabled);
  await page.getByTestId('import-apply').click();
  await expect(page.getByTestId('import-result')).toBeVisible({ timeout: 30_000 });
  await page.goto(`/users?q=${username}`);
  await expect(page.getByRole('row', { name: new RegExp(username.replace('.', '\\.')) })).toContainText('Invited');
});
