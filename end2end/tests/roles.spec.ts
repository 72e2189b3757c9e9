import { expect, test } from '@playwright/test';
import { ADMIN, fillSignIn, ready, signIn } from './helpers';

test('a custom read-only role sees no write buttons and gets 403 from the server', async ({
  page,
  javaScriptEnabled,
}, info) => {
  const role = `Viewer ${info.project.name}`;
  const username = `viewer.${info.project.name}`;
  const password = 'a long viewer passphrase';

  await page.goto('/login?next=/roles');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/roles$/);
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Role name').fill(role);
  await page.getByLabel('Description').fill('Reads the directory');
  await page.getByLabel('See users').check();
  await page.getByRole('button', { name: 'Create role' }).click();
  await expect(page.getByRole('cell', { name: new RegExp(role) }).first()).toBeVisible();
  await expect(page.getByRole('link', { name: `Edit ${role}` })).toBeVisible();
  // The form starts afresh for the next role, and says what happened.
  await expect(page.getByLabel('Role name')).toHaveValue('');
  await expect(page.getByLabel('See users').first()).not.toBeChecked();
  if (javaScriptEnabled) await expect(page.getByRole('status').filter({ hasText: 'Role created.' })).toBeVisible();

  await page.goto('/users/new');
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('First name').fill('Vera');
  await page.getByLabel('Last name').fill('Viewer');
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByLabel('Role').selectOption({ label: role });
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page).toHaveURL(/\/users\/[^/?]+\?done=created$/);
  await expect(page.locator('dd', { hasText: role })).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await fillSignIn(page, javaScriptEnabled, username, password);
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByTestId('showing')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Add user' })).toHaveCount(0);
  // No mass actions either: no checkboxes, no actions menu.
  await expect(page.getByLabel('Mass action', { exact: true })).toHaveCount(0);
  await expect(page.getByRole('main').getByRole('checkbox')).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Roles' })).toHaveCount(0);
  await page.goto(`/users/${ADMIN.username}`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Deactivate' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Delete' })).toHaveCount(0);

  // Calling the server anyway is refused.
  const create = await page.request.post('/api/users/create', {
    form: { username: 'sneaky.user', first_name: 'Sn', last_name: 'Ky', email: 's@example.com', phone: '', role: '', origin: 'internal', status: 'active', password: 'a long sneaky passphrase' },
    headers: { Accept: 'application/json' },
  });
  expect(create.status()).toBe(403);
  const bulk = await page.request.post('/api/users/bulk/start', {
    form: { request: 'action=deactivate&all=1' },
    headers: { Accept: 'application/json' },
  });
  expect(bulk.status()).toBe(403);
  const roles = await page.request.get('/roles');
  expect(roles.status()).toBe(403);
});

test('a custom role is edited, then deleted after a confirmation', async ({
  page,
  javaScriptEnabled,
}, info) => {
  const role = `Temp ${info.project.name}`;
  const renamed = `${role} v2`;
  await page.goto('/login?next=/roles');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/roles$/);
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Role name').fill(role);
  await page.getByLabel('See users').check();
  await page.getByRole('button', { name: 'Create role' }).click();
  await page.getByRole('link', { name: `Edit ${role}` }).click();
  const edit = page.getByRole('region', { name: `Edit ${role}` });
  await expect(edit).toBeVisible();
  await ready(page, javaScriptEnabled);
  await expect(edit.getByLabel('See users')).toBeChecked();
  await edit.getByLabel('Name', { exact: true }).fill(renamed);
  await edit.getByLabel('Export users').check();
  // Exporting users needs seeing them: ticked with it, kept by the server.
  if (javaScriptEnabled) await expect(edit.getByLabel('See users')).toBeChecked();
  await edit.getByLabel('See users').uncheck();
  await edit.getByRole('button', { name: 'Save role' }).click();
  await expect(page).toHaveURL(/\/roles$/);
  const row = page.getByRole('row', { name: new RegExp(renamed) });
  // Permissions read as what they allow, not as codes.
  await expect(row).toContainText('See users, Export users');

  await row.getByRole('link', { name: 'Delete' }).click();
  await expect(page.getByText(`Delete the role ${renamed}?`)).toBeVisible();
  await page.getByRole('button', { name: `Delete ${renamed}` }).click();
  await expect(page.getByRole('row', { name: new RegExp(renamed) })).toHaveCount(0);
});
