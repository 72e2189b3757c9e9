import { expect, test } from '@playwright/test';
import { ready, signIn } from './helpers';

// Runs in both projects (hydrated and no-JS), so names carry the project.
test('an admin adds a user: invalid input is refused per field, valid input creates', async ({
  page,
  javaScriptEnabled,
}, info) => {
  const username = `new.${info.project.name}`;
  await page.goto('/login?next=/users');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/users$/);
  await ready(page, javaScriptEnabled);
  await page.getByRole('link', { name: 'Add user' }).click();
  await expect(page).toHaveURL(/\/users\/new$/);
  await expect(page.getByRole('heading', { name: 'Add user' })).toBeVisible();
  await ready(page, javaScriptEnabled);

  await page.getByLabel('Username').fill('Bad Name');
  await page.getByLabel('First name').fill('J');
  await page.getByLabel('Last name').fill('D0e');
  await page.getByLabel('Email').fill('nope@nowhere');
  await page.getByLabel('Password').fill('short');
  if (javaScriptEnabled) {
    // As you type: each field says what is wrong with it.
    await expect(page.getByText('Username may contain only lowercase letters')).toBeVisible();
    await expect(page.getByText('Must not contain digits.')).toBeVisible();
    await expect(page.getByText('Password must be at least 12 characters.')).toBeVisible();
  }
  await page.getByRole('button', { name: 'Create user' }).click();
  // The server refuses too (with JavaScript off, its messages come back in the page).
  await expect(page.getByText(/Username may contain only lowercase letters/).first()).toBeVisible();
  await expect(page.getByText(/Enter a valid email address/).first()).toBeVisible();

  await page.getByLabel('Username').fill(username);
  await page.getByLabel('First name').fill('Newton');
  await page.getByLabel('Last name').fill('Example');
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByLabel('Phone (optional)').fill('+49 151 2345678');
  await page.getByLabel('Engineering').check();
  await page.getByLabel('Security').check();
  if (javaScriptEnabled) {
    await page.getByRole('button', { name: 'Generate password' }).click();
    await expect(page.getByTestId('generated-password')).toContainText('Generated password');
    expect((await page.getByLabel('Password').inputValue()).length).toBe(20);
  } else {
    await page.getByLabel('Password').fill('a long and unusual passphrase');
  }
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page).toHaveURL(new RegExp(`/users\\?q=${username.replace('.', '\\.')}`));
  const row = page.getByRole('row').nth(1);
  await expect(row).toContainText(username);
  await expect(row).toContainText('General user');
  await expect(row).toContainText('+491512345678');
  await expect(row).toContainText('Engineering, Security');
});
