import { expect, test } from '@playwright/test';
import { createUser, mailTo, ready, signIn, signInAs, visitor } from './helpers';

// Runs in both projects (hydrated and no-JS), so names carry the project.
test('an admin sets a password with a forced change; the user must change it first', async ({
  page,
  browser,
  javaScriptEnabled,
}, info) => {
  const username = `forced.${info.project.name}`;
  const email = `${username}@example.com`;
  await page.goto('/login');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/users$/);
  await createUser(page, {
    username,
    first_name: 'Forde',
    last_name: 'Change',
    email,
    password: 'the original long passphrase',
  });

  await page.goto(`/users/${username}`);
  await ready(page, javaScriptEnabled);
  await page.getByRole('link', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { name: `Change the password of ${username}` })).toBeVisible();
  await ready(page, javaScriptEnabled);
  let temporary = 'a temporary long passphrase';
  if (javaScriptEnabled) {
    await page.getByRole('button', { name: 'Generate new password' }).click();
    await expect(page.getByLabel('New password')).toHaveValue(/^\S{20}$/);
    temporary = await page.getByLabel('New password').inputValue();
  } else {
    await page.getByLabel('New password').fill(temporary);
  }
  await expect(page.getByLabel('Ask for a password change at the next sign-in')).toBeChecked();
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByText('Password changed; the user was signed out everywhere.')).toBeVisible();
  await expect
    .poll(async () => (await mailTo(email)).map((m) => m.subject), { timeout: 15_000 })
    .toContain('Your Usher password was changed');
  const notice = (await mailTo(email)).find((m) => m.subject === 'Your Usher password was changed')!;
  expect(notice.text).not.toContain(temporary);

  // The user signs in with it and is held on the change page.
  const user = await visitor(browser, javaScriptEnabled);
  await signInAs(user, javaScriptEnabled, username, temporary);
  await expect(user).toHaveURL(/\/account\/password$/);
  await expect(user.getByText('Your administrator asked you to choose a new password')).toBeVisible();
  await user.goto('/account');
  await expect(user).toHaveURL(/\/account\/password$/);
  await ready(user, javaScriptEnabled);
  await user.getByLabel('Current password').fill('not the password');
  await user.getByLabel('New password').fill('my own chosen passphrase');
  await user.getByRole('button', { name: 'Change password' }).click();
  await expect(user.getByText(/This is not your current password\./).first()).toBeVisible();
  await user.getByLabel('Current password').fill(temporary);
  await user.getByLabel('New password').fill('my own chosen passphrase');
  await user.getByRole('button', { name: 'Change password' }).click();
  await expect(user).toHaveURL(/\/account\?password_changed=1$/);
  await expect(user.getByText('Your password is changed.')).toBeVisible();
  await user.goto('/account');
  await expect(user).toHaveURL(/\/account$/);
  await user.context().close();
});

test('passwords are masked with Show, and a strength meter reads them as you type', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "Show and the meter are the page's script (without it the field stays masked)");
  await page.goto('/login?next=/users/new');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/users\/new$/);
  await ready(page, javaScriptEnabled);
  const field = page.getByLabel('Password', { exact: true });
  await expect(field).toHaveAttribute('type', 'password');
  // A common password: the server's list says so as you type.
  await field.fill('1qaz2wsx3edc');
  await expect(page.getByTestId('strength-label')).toHaveText('Strength: Very weak');
  await expect(page.getByTestId('strength-note')).toContainText('one of the most common');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(field).toHaveAttribute('type', 'text');
  await expect(page.getByRole('button', { name: 'Hide' })).toHaveAttribute('aria-pressed', 'true');
  await field.fill('violin staple correct horse battery');
  await expect(page.getByTestId('strength-label')).toHaveText(/^Strength: (Strong|Very strong)$/);
  await expect(page.getByTestId('strength-note')).toHaveCount(0);
});
