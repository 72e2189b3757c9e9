import { expect, test } from '@playwright/test';
import { ADMIN, fillSignIn, ready, signIn } from './helpers';

const ADMIN_ROLE = '00000000-0000-4000-8000-000000000001';

// Delegated administration as a help desk sees it: an Admin's account is out
// of reach (the page says why and offers nothing), the role choice offers only
// roles within the help desk's own permissions, and the server refuses the rest.
test('a help desk sees Admins out of reach and can give only its own permissions', async ({
  page,
  javaScriptEnabled,
}, info) => {
  const role = `Help desk ${info.project.name}`;
  const username = `help.desk.${info.project.name}`;
  const password = 'a long help desk passphrase';

  await page.goto('/login?next=/roles');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/roles$/);
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Role name').fill(role);
  await page.getByLabel('Description').fill('Edits users');
  // Only "Add and change users": seeing users comes with it.
  await page.getByLabel('Add and change users').check();
  await page.getByRole('button', { name: 'Create role' }).click();
  await expect(page.getByRole('cell', { name: new RegExp(role) }).first()).toBeVisible();

  await page.goto('/users/new');
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('First name').fill('Hal');
  await page.getByLabel('Last name').fill('Desk');
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByLabel('Role').selectOption({ label: role });
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page).toHaveURL(/\/users\/[^/?]+\?done=created$/);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await fillSignIn(page, javaScriptEnabled, username, password);
  await expect(page).toHaveURL(/\/users$/);
  // Navigation and routes agree: Users is there, and so is Add user.
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Add user' })).toBeVisible();
  // No import for this role: neither the button nor the page.
  await expect(page.getByRole('link', { name: 'Import' })).toHaveCount(0);
  const importPage = await page.request.get('/users/import');
  expect(importPage.status()).toBe(403);

  // The Admin's page: the reason, and no action.
  await page.goto(`/users/${ADMIN.username}`);
  await expect(page.getByTestId('guard')).toContainText('has permissions you do not hold');
  await expect(page.getByRole('link', { name: 'Deactivate' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Change password' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Edit', exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Send password recovery email' })).toHaveCount(0);

  // "Add user" offers the help desk's own role and General user, not Admin.
  await page.goto('/users/new');
  await ready(page, javaScriptEnabled);
  const options = await page.locator('#field-role option').allTextContents();
  expect(options).toContain(role);
  expect(options).toContain('General user');
  expect(options).not.toContain('Admin');

  // Asking the server anyway: 403, naming the rule; the Admin is unchanged.
  const attempt = await page.request.post('/api/users/update', {
    headers: { Accept: 'application/json', Origin: process.env.USHER_BASE_URL! },
    form: {
      username: ADMIN.username,
      first_name: 'Taken',
      last_name: 'Over',
      email: `${username}@evil.example`,
      phone: '',
      role: ADMIN_ROLE,
      origin: 'internal',
    },
  });
  expect(attempt.status()).toBe(403);
  expect(await attempt.text()).toContain('permissions you do not hold');
});
