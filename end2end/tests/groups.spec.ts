import { expect, test } from '@playwright/test';
import { ready, signIn } from './helpers';

test('groups: create, see members through the users table, delete with confirmation', async ({
  page,
  javaScriptEnabled,
}, info) => {
  const name = `Ops ${info.project.name}`;
  await page.goto('/login?next=/groups');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/groups$/);
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Group name').fill(name);
  await page.getByLabel('Description').fill('On call');
  await page.getByRole('button', { name: 'Create group' }).click();
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText('first.admin');
  await expect(row.getByRole('link', { name: '0' })).toBeVisible();
  // The form starts afresh for the next group, and says what happened.
  await expect(page.getByLabel('Group name')).toHaveValue('');
  await expect(page.getByLabel('Description')).toHaveValue('');
  if (javaScriptEnabled) await expect(page.getByRole('status').filter({ hasText: 'Group created.' })).toBeVisible();

  await page.getByLabel('Group name').fill(name.toUpperCase());
  await page.getByRole('button', { name: 'Create group' }).click();
  await expect(page.getByRole('alert')).toContainText('A group with this name already exists.');

  // Rename and describe.
  const renamed = `${name} renamed`;
  await row.getByRole('link', { name: `Edit ${name}` }).click();
  const edit = page.getByRole('region', { name: `Edit ${name}` });
  await expect(edit).toBeVisible();
  await ready(page, javaScriptEnabled);
  await edit.getByLabel('Name', { exact: true }).fill(renamed);
  await edit.getByLabel('About this group').fill('Night shift');
  await edit.getByRole('button', { name: 'Save group' }).click();
  await expect(page).toHaveURL(/\/groups$/);
  const renamedRow = page.getByRole('row', { name: new RegExp(renamed) });
  await expect(renamedRow).toContainText('Night shift');

  await renamedRow.getByRole('link', { name: 'Delete' }).click();
  await expect(page.getByRole('alertdialog')).toContainText(`Delete the group ${renamed}?`);
  await expect(page.getByRole('alertdialog')).toContainText('It has no members.');
  await page.getByRole('button', { name: `Delete ${renamed}` }).click();
  await expect(page.getByRole('row', { name: new RegExp(renamed) })).toHaveCount(0);
});
