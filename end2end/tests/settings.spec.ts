import { expect, Page, test } from '@playwright/test';
import { ready, signIn } from './helpers';

async function savePolicy(page: Page, javaScriptEnabled: boolean, pattern: string, hint: string, min: string) {
  await page.goto('/settings');
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Username pattern (optional)').fill(pattern);
  await page.getByLabel('What the pattern asks for').fill(hint);
  await page.getByLabel('Minimum password length').fill(min);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status')).toContainText('Saved.');
}

test('the username pattern and password length are settings that both checks follow', async ({
  page,
  javaScriptEnabled,
}) => {
  await page.goto('/login?next=/settings');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/settings$/);
  await ready(page, javaScriptEnabled);

  // A broken pattern is refused, naming the field.
  await page.getByLabel('Username pattern (optional)').fill('([a-z');
  await page.getByLabel('What the pattern asks for').fill('anything');
  await page.getByRole('button', { name: 'Save settings' }).click();
  // One sentence, without the regex library's own wording glued on.
  await expect(page.getByRole('alert')).toContainText('Not a valid regular expression (unclosed character class).');
  if (javaScriptEnabled) {
    // At the field, and gone once the value is changed.
    const field = page.getByLabel('Username pattern (optional)');
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('#username-pattern-error')).toHaveText(
      'Not a valid regular expression (unclosed character class).',
    );
    await field.fill('[a-z]+');
    await expect(page.locator('#username-pattern-error')).toHaveCount(0);
    await expect(field).not.toHaveAttribute('aria-invalid', 'true');
  }

  await savePolicy(page, javaScriptEnabled, '[a-z]+\\.[a-z]+', 'first.last', '14');
  try {
    await page.goto('/users/new');
    await ready(page, javaScriptEnabled);
    await expect(page.getByTestId('password-rules')).toHaveText('At least 14 characters; not a common password.');
    await page.getByLabel('Username').fill('jane2');
    await page.getByLabel('First name').fill('Jane');
    await page.getByLabel('Last name').fill('Pattern');
    await page.getByLabel('Email').fill('jane.pattern@example.com');
    await page.getByLabel('Password').fill('thirteen char');
    if (javaScriptEnabled) {
      await expect(page.getByText('Username must look like this: first.last.')).toBeVisible();
      await expect(page.getByText('Password must be at least 14 characters.')).toBeVisible();
    }
    await page.getByRole('button', { name: 'Create user' }).click();
    // The server applies the same settings.
    await expect(page.getByText(/Username must look like this: first\.last\./).first()).toBeVisible();
    await expect(page.getByText(/Password must be at least 14 characters\./).first()).toBeVisible();
  } finally {
    await savePolicy(page, javaScriptEnabled, '', '', '12');
  }
});

test("the certificate authority's page shows the CA and offers its certificate", async ({
  page,
  javaScriptEnabled,
}) => {
  await page.goto('/login?next=/settings');
  await signIn(page, javaScriptEnabled);
  await expect(page).toHaveURL(/\/settings$/);
  await page.getByRole('link', { name: 'Certificate authority' }).click();
  await expect(page.getByRole('heading', { name: 'Certificate authority' })).toBeVisible();
  await expect(page.getByTestId('ca-subject')).toContainText('Usher CA');
  await expect(page.getByTestId('ca-fingerprint')).toHaveText(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  await expect(page.getByLabel('Validity of new certificates (days)')).toHaveValue('365');
  const href = await page.getByRole('link', { name: 'Download CA certificate (PEM)' }).getAttribute('href');
  const pem = await page.request.get(href!);
  expect(pem.status()).toBe(200);
  expect(await pem.text()).toContain('-----BEGIN CERTIFICATE-----');

  // The validity of new certificates is checked, then kept.
  await ready(page, javaScriptEnabled);
  const days = page.getByLabel('Validity of new certificates (days)');
  if (javaScriptEnabled) {
    await days.fill('0');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(page.getByText('Enter a number of days from 1 to 3650.')).toBeVisible();
  }
  await days.fill('400');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Validity of new certificates (days)')).toHaveValue('400');
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Validity of new certificates (days)').fill('365');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
});
