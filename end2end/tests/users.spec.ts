import { expect, test } from '@playwright/test';
import { ADMIN, createUser, ready, signIn } from './helpers';

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
  // The new user's page opens, and says so.
  await expect(page).toHaveURL(new RegExp(`/users/${username.replace('.', '\\.')}\\?done=created$`));
  await expect(page.getByTestId('notice')).toHaveText('User created.');
  await expect(page.getByRole('heading', { name: 'Newton Example' })).toBeVisible();
  await expect(page.getByText('General user', { exact: true })).toBeVisible();
  await expect(page.getByText('+491512345678')).toBeVisible();
  await expect(page.getByText(`${username} (cannot be changed)`)).toBeVisible();
  await ready(page, javaScriptEnabled);
  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page.getByText('Usernames cannot be changed.')).toBeVisible();
  await page.getByLabel('Last name').fill('Edited');
  await page.getByLabel('Email').fill(`${username}@example.org`);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { name: 'Newton Edited' })).toBeVisible();
  await expect(page.getByText(`${username}@example.org`)).toBeVisible();
  // Groups tab: remove one membership, add another.
  await page.getByRole('link', { name: 'Groups', exact: true }).last().click();
  await expect(page.getByTestId('memberships')).toContainText('Engineering');
  await ready(page, javaScriptEnabled);
  await page.getByRole('link', { name: 'Remove from Engineering' }).click();
  await expect(page.getByText(`Remove ${username} from Engineering?`)).toBeVisible();
  await page.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(page.getByTestId('memberships')).not.toContainText('Engineering');
  await expect(page.getByTestId('memberships')).toContainText('Security');
  // Acknowledged, with Undo.
  await expect(page.getByTestId('acknowledged')).toContainText(`${username} was removed from Engineering.`);
  await ready(page, javaScriptEnabled);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByTestId('acknowledged')).toContainText(`${username} was added to Engineering.`);
  await expect(page.getByTestId('memberships')).toContainText('Engineering');
  // Part of a name is not a group: said at the field, which is marked.
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Add to group').fill('Desi');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.getByText('No group is named “Desi”. Did you mean Design?')).toBeVisible();
  await expect(page.getByLabel('Add to group')).toHaveAttribute('aria-invalid', 'true');
  if (javaScriptEnabled) await expect(page.getByLabel('Add to group')).toHaveValue('Desi');
  await expect(page.getByText('Please correct the highlighted fields')).toHaveCount(0);
  // Type-ahead: the group is picked by typing its name.
  await page.getByLabel('Add to group').fill('Design');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.getByTestId('memberships')).toContainText('Design');
  await page.getByRole('link', { name: 'User info' }).click();
  // Deactivating asks first, then says what it did.
  await page.getByRole('link', { name: 'Deactivate' }).click();
  await expect(page.getByRole('alertdialog')).toContainText(`Deactivate ${username}?`);
  await expect(page.getByRole('alertdialog')).toContainText('signed out everywhere');
  await page.getByRole('button', { name: `Deactivate ${username}` }).click();
  await expect(page.getByRole('button', { name: 'Activate' })).toBeVisible();
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
  await expect(page.getByText(/deactivated: signed out everywhere/)).toBeVisible();
  await expect(page.locator('h1 + p')).toContainText('Inactive');
  await page.getByRole('button', { name: 'Activate' }).click();
  await expect(page.getByRole('link', { name: 'Deactivate' })).toBeVisible();
  await expect(page.getByText(/activated: they can sign in again/)).toBeVisible();
  await page.getByRole('link', { name: 'Activity' }).click();
  const activity = page.getByTestId('activity');
  // Each event reads as a sentence, with what changed.
  await expect(activity.locator(':scope > li')).toHaveCount(7);
  await expect(activity.locator(':scope > li').first()).toContainText(`first.admin activated user ${username}`);
  await expect(activity.locator(':scope > li').nth(1)).toContainText('status: active → inactive');
  await expect(activity.locator(':scope > li').last()).toContainText(`first.admin added user ${username}`);

  await page.getByRole('link', { name: 'Delete' }).click();
  await expect(page.getByRole('alertdialog')).toContainText(`Delete ${username}?`);
  await page.getByRole('button', { name: `Delete ${username}` }).click();
  await expect(page).toHaveURL(new RegExp(`/users\\?deleted=${username.replace('.', '\\.')}$`));
  await expect(page.getByTestId('notice')).toHaveText(`${username} was deleted.`);
  const gone = await page.request.get(`/users/${username}`);
  expect(gone.status()).toBe(404);
  await page.goto(`/users/${username}`);
  await expect(page.getByRole('heading', { name: 'No such user' })).toBeVisible();

  // The audit log has it all, newest first, filtered by target.
  await page.goto('/audit');
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Target').fill(username);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(new RegExp(`target=${username.replace('.', '\\.')}`));
  const events = page.getByRole('row');
  await expect(events).toHaveCount(9);
  await expect(events.nth(1)).toContainText(`first.admin deleted user ${username}`);
  await expect(events.nth(8)).toContainText(`first.admin added user ${username}`);
  // The action picker narrows to one kind of event.
  await page.getByLabel('Action').selectOption({ label: 'Deactivated …' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/action=user\.deactivate/);
  await expect(page.getByRole('row')).toHaveCount(2);
  await expect(page.getByRole('row').nth(1)).toContainText(`deactivated user ${username}`);
});

test('an admin cannot deactivate or delete themselves', async ({ page, javaScriptEnabled }) => {
  await page.goto('/login?next=/users/first.admin');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/users\/first\.admin$/);
  await expect(page.getByTestId('guard')).toHaveText('You cannot deactivate or delete your own account.');
  await expect(page.getByRole('link', { name: 'Deactivate' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Delete' })).toHaveCount(0);
});

// A tab opened straight from its address is rendered by the server and then
// hydrated: its forms must be handled in the page (the document stays the
// same), with no hydration error on the console.
test('the Groups tab and the edit form hydrate when opened directly', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'hydration happens only with JavaScript');
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto('/login?next=/users');
  await signIn(page, javaScriptEnabled);
  await expect(page.getByTestId('showing')).toBeVisible();
  await page.goto(`/users/${ADMIN.username}?tab=groups`);
  await ready(page, javaScriptEnabled);
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await page.getByLabel('Add to group').fill('Design');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.getByTestId('memberships')).toContainText('Design');
  await page.getByRole('link', { name: 'Remove from Design' }).click();
  await page.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(page.getByRole('link', { name: 'Remove from Design' })).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  await page.goto(`/users/${ADMIN.username}?edit`);
  await ready(page, javaScriptEnabled);
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await expect(page.getByLabel('Role')).toHaveValue(/.+/);
  await page.getByRole('link', { name: 'Cancel' }).click();
  await expect(page.getByRole('link', { name: 'Edit' })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  expect(problems).toEqual([]);
});

test("a deleted user's address says so and leads back; the user page shows no empty tab", async ({
  page,
  javaScriptEnabled,
}, info) => {
  const username = `gone.${info.project.name}`;
  await page.goto('/login');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/users$/);
  await createUser(page, {
    username,
    first_name: 'Gone',
    last_name: 'Soon',
    email: `${username}@example.com`,
    password: 'a long enough passphrase',
  });
  await page.goto(`/users/${username}`);
  await ready(page, javaScriptEnabled);
  await expect(page.getByRole('link', { name: 'Activity' })).toBeVisible();
  // API tokens come with their own feature; until then there is no tab for them.
  await expect(page.getByRole('link', { name: 'Tokens' })).toHaveCount(0);

  const deleted = await page.request.post('/api/users/delete', {
    headers: { Accept: 'application/json', Origin: process.env.USHER_BASE_URL! },
    form: { username },
  });
  expect(deleted.status()).toBeLessThan(400);
  await page.goto(`/users/${username}`);
  await ready(page, javaScriptEnabled);
  await expect(page.getByRole('heading', { name: 'No such user' })).toBeVisible();
  await expect(page.getByText(`There is no user named ${username}. They may have been deleted.`)).toBeVisible();
  await page.getByRole('link', { name: 'Back to users' }).click();
  await expect(page).toHaveURL(/\/users$/);
});

test('a password an admin sets shows its time on the user page at once', async ({
  page,
  javaScriptEnabled,
}, info) => {
  // Times show minutes: the new password must be set in a later minute
  // than the account was created, which can take up to a minute.
  test.setTimeout(120_000);
  const username = `newtime.${info.project.name}`;
  await page.goto('/login');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/users$/);
  await createUser(page, {
    username,
    first_name: 'Newt',
    last_name: 'Ime',
    email: `${username}@example.com`,
    password: 'the first long passphrase',
  });
  await page.goto(`/users/${username}`);
  await ready(page, javaScriptEnabled);
  const changed = page.locator('dt', { hasText: 'Password changed' }).locator('xpath=following-sibling::dd[1]');
  const before = (await changed.textContent())!.trim();
  await expect
    .poll(() => new Date().toISOString().slice(0, 16).replace('T', ' '), { timeout: 70_000, intervals: [1_000] })
    .not.toBe(before);

  await page.getByRole('link', { name: 'Change password' }).click();
  await ready(page, javaScriptEnabled);
  await page.getByLabel('New password').fill('the second long passphrase');
  await page.getByRole('button', { name: 'Set password' }).click();
  await expect(page.getByText('Password changed; the user was signed out everywhere.')).toBeVisible();
  await expect(changed).not.toHaveText(before);
  await expect(changed).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
});
