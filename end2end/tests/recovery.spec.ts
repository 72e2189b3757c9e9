import { expect, test } from '@playwright/test';
import { createUser, mailTo, ready, signIn, signInAs, visitor } from './helpers';

const LINK = /https?:\/\/\S+\/reset-password\?token=[A-Za-z0-9_-]+/;

// Runs in both projects (hydrated and no-JS), so names carry the project.
test('forgot password: the mailed link sets a new password once and ends the old sessions', async ({
  page,
  browser,
  javaScriptEnabled,
}, info) => {
  const username = `forgetful.${info.project.name}`;
  const email = `${username}@example.com`;
  await page.goto('/login');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/users$/);
  await createUser(page, {
    username,
    first_name: 'Fran',
    last_name: 'Getful',
    email,
    password: 'the first long passphrase',
  });

  // A session that the reset must end.
  const old = await visitor(browser, javaScriptEnabled);
  await signInAs(old, javaScriptEnabled, username, 'the first long passphrase');
  await expect(old).toHaveURL(/\/account$/);

  const guest = await visitor(browser, javaScriptEnabled);
  await guest.goto('/login');
  await ready(guest, javaScriptEnabled);
  await guest.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(guest.getByRole('heading', { name: 'Forgot your password?' })).toBeVisible();
  await ready(guest, javaScriptEnabled);
  await guest.getByLabel('Username or email').fill(email);
  await guest.getByRole('button', { name: 'Send the link' }).click();
  await expect(guest.getByText(/If an active account matches, a link/)).toBeVisible();

  await expect
    .poll(async () => (await mailTo(email)).filter((m) => m.subject === 'Choose a new Usher password').length, {
      timeout: 15_000,
    })
    .toBe(1);
  const mail = (await mailTo(email)).find((m) => m.subject === 'Choose a new Usher password')!;
  const link = mail.text.match(LINK)![0];

  await guest.goto(link);
  await expect(guest.getByTestId('reset-username')).toHaveText(username);
  await ready(guest, javaScriptEnabled);
  await guest.getByLabel('New password').fill(username);
  await guest.getByRole('button', { name: 'Set password' }).click();
  await expect(guest.getByText(/must not be the same as the username/).first()).toBeVisible();
  await guest.getByLabel('New password').fill('the second long passphrase');
  await guest.getByRole('button', { name: 'Set password' }).click();
  await expect(guest).toHaveURL(/\/login\?reset=1$/);
  await expect(guest.getByText('Your password is changed. Sign in with it.')).toBeVisible();

  // The old session is over; the old password no longer works; the new one does.
  await old.goto('/account');
  await expect(old).toHaveURL(/\/login/);
  await signInAs(guest, javaScriptEnabled, username, 'the first long passphrase');
  await expect(guest.getByText('The username or password is incorrect.')).toBeVisible();
  await signInAs(guest, javaScriptEnabled, username, 'the second long passphrase');
  await expect(guest).toHaveURL(/\/account$/);
  // The link worked once.
  await guest.goto(link);
  await expect(guest.getByText(/This password link has expired or has already been used/)).toBeVisible();
  await old.context().close();
  await guest.context().close();
});
