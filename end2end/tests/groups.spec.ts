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

  await page.getByLabel('Group name').fill(name.toUpperCase());
  await page.getByRole('button', { name: 'Create group' }).click();
  await expect(page.getByRole('alert')).toContainText('A group with this name already exists.');

  await row.getByRole('link', { name: 'Delete' }).click();
  await expect(page.getByText(`Delete ${name} (0 members keep their accounts)?`)).toBeVisible();
  await page.getByRole('button', { name: `Delete ${name}` }).click();
  await expect(page.getByRole('row', { name: new RegExp(name) })).toHaveCount(0);
});
