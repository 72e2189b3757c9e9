import { expect, test } from '@playwright/test';
import { mailTo, ready, signIn, signInAs, visitor } from './helpers';

const LINK = /https?:\/\/\S+\/invite\?token=[A-Za-z0-9_-]+/;

/** The invitation links mailed to `address`, as many as are expected. */
async function invitationLinks(address: string, count: number): Promise<string[]> {
  const links = async () =>
    (await mailTo(address))
      .filter((m) => m.subject === 'You are invited to Usher')
      .map((m) => m.text.match(LINK)?.[0] ?? '');
  await expect.poll(async () => (await links()).length, { timeout: 15_000 }).toBe(count);
  return links();
}

// Runs in both projects (hydrated and no-JS), so names carry the project.
test('an invited person joins from the mail; resending ends the earlier link', async ({
  page,
  browser,
  javaScriptEnabled,
}, info) => {
  const username = `invitee.${info.project.name}`;
  const email = `${username}@example.com`;
  await page.goto('/login?next=/users');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/users$/);
  await ready(page, javaScriptEnabled);
  await page.getByRole('link', { name: 'Add user' }).click();
  await expect(page.getByRole('heading', { name: 'Add user' })).toBeVisible();
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('First name').fill('Ivy');
  await page.getByLabel('Last name').fill('Vite');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Send an invitation instead').check();
  await expect(page.getByLabel('Username')).toHaveValue(username);
  await page.getByRole('button', { name: 'Create user' }).click();
  // The new user's page: invited.
  await expect(page.getByTestId('notice')).toHaveText('User created.');
  await expect(page.locator('h1 + p')).toContainText('Invited');
  const [first] = await invitationLinks(email, 1);
  expect(first.startsWith(`${process.env.USHER_BASE_URL}/invite?token=`)).toBe(true);

  // "Resend invitation" on the user's page mails a new link and ends the first.
  await page.goto(`/users/${username}`);
  await ready(page, javaScriptEnabled);
  await expect(page.getByText(/Invited .*; waiting for them to join\./)).toBeVisible();
  await page.getByRole('button', { name: 'Resend invitation' }).click();
  await expect(page.getByText(`Invitation sent to ${email}.`)).toBeVisible();
  const links = await invitationLinks(email, 2);
  const second = links.find((l) => l !== first)!;
  expect(second).toBeTruthy();

  const guest = await visitor(browser, javaScriptEnabled);
  await guest.goto(first);
  await expect(guest.getByText('This invitation link has expired or a newer one was sent.')).toBeVisible();
  await ready(guest, javaScriptEnabled);
  await guest.getByRole('button', { name: 'Ask for a new link' }).click();
  await expect(guest.getByText(/a new link is on its way to the invited address/)).toBeVisible();

  // The new link: names prefilled, the password checked, then signed in.
  await guest.goto(second);
  await expect(guest.getByRole('heading', { name: 'Welcome to Usher' })).toBeVisible();
  await expect(guest.getByTestId('invite-username')).toHaveText(username);
  await expect(guest.getByLabel('First name')).toHaveValue('Ivy');
  await ready(guest, javaScriptEnabled);
  await guest.getByLabel('Password').fill('short');
  if (javaScriptEnabled) {
    await expect(guest.getByText('Password must be at least 12 characters.')).toBeVisible();
  }
  await guest.getByRole('button', { name: 'Join' }).click();
  await expect(guest.getByText(/Password must be at least 12 characters\./).first()).toBeVisible();
  await guest.getByLabel('Last name').fill('Vite-Joined');
  await guest.getByLabel('Password').fill('an invited person chose this');
  await guest.getByRole('button', { name: 'Join' }).click();
  await expect(guest).toHaveURL(/\/account$/);
  await expect(guest.getByTestId('signed-in-as')).toHaveText('Ivy Vite-Joined');

  // The link works once; the account signs in with the chosen password.
  await guest.goto(second);
  await expect(guest.getByText(/This invitation has already been used/)).toBeVisible();
  await guest.context().clearCookies();
  await signInAs(guest, javaScriptEnabled, email, 'an invited person chose this');
  await expect(guest).toHaveURL(/\/account$/);

  await page.goto(`/users?q=${username}`);
  // Active and signed in once: "Completed".
  await expect(page.getByRole('row').nth(1)).toContainText('Active · Completed');
  await guest.context().close();
});

test('invite users by pasting addresses: good ones invited, the rest reported', async ({
  page,
  javaScriptEnabled,
}, info) => {
  const tag = info.project.name;
  const fresh = [`paste.one.${tag}@example.com`, `paste.two.${tag}@example.com`];
  await page.goto('/login?next=/users');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/users$/);
  await ready(page, javaScriptEnabled);
  await page.getByRole('link', { name: 'Invite users' }).click();
  await expect(page.getByRole('heading', { name: 'Invite users' })).toBeVisible();
  await ready(page, javaScriptEnabled);
  const paste = `${fresh[0]}; ${fresh[1]}, first.admin@example.com\nnot-an-address ${fresh[0]}`;
  await page.getByLabel('Email addresses').fill(paste);
  if (javaScriptEnabled) {
    await page.getByRole('button', { name: 'Check addresses' }).click();
    await expect(page.getByTestId('invite-headline')).toHaveText('2 would be invited.');
    await expect(page.getByTestId('invite-new')).toContainText(`${fresh[0]} as paste.one.${tag}`);
    await expect(page.getByTestId('invite-existing')).toContainText('first.admin@example.com');
    await expect(page.getByTestId('invite-invalid')).toContainText('not-an-address');
  }
  await page.getByLabel('Engineering').check();
  await page.getByRole('button', { name: 'Send invitations' }).click();
  await expect(page.getByTestId('invite-headline')).toHaveText('Invited 2 of the addresses.');
  await expect(page.getByTestId('invite-existing')).toContainText('first.admin@example.com');
  await expect(page.getByTestId('invite-invalid')).toContainText('not-an-address');
  for (const address of fresh) {
    await invitationLinks(address, 1);
  }
  await page.goto(`/users?q=paste.one.${tag}`);
  await expect(page.getByRole('row').nth(1)).toContainText('Invited');
  await expect(page.getByRole('row').nth(1).getByText('Invited', { exact: true })).toHaveAttribute(
    'title',
    /waiting for them to choose a password/,
  );
  // The group chosen when inviting (Groups is not among the default columns).
  await page.goto(`/users/paste.one.${tag}?tab=groups`);
  await expect(page.getByTestId('memberships')).toContainText('Engineering');

  // The mass action "Send invitation" mails them again.
  await page.goto(`/users?status=invited&q=paste.`);
  await ready(page, javaScriptEnabled);
  const showing = (await page.getByTestId('showing').textContent()) ?? '';
  const n = Number(showing.match(/of ([\d,]+)/)![1].replace(/,/g, ''));
  expect(n).toBeGreaterThanOrEqual(2);
  await page.getByLabel('Mass action', { exact: true }).selectOption('send_invitation');
  await page.getByLabel(`Select all ${n} matching`).check();
  await page.getByRole('button', { name: 'Apply…' }).click();
  await expect(page.getByTestId('bulk-question')).toHaveText(`Send the invitation to ${n} users?`);
  await ready(page, javaScriptEnabled);
  await page.getByRole('button', { name: `Send the invitation to ${n} users` }).click();
  await expect(page.getByTestId('job-result')).toHaveText(`Done: ${n} changed, 0 skipped.`);
  await invitationLinks(fresh[0], 2);
});
