import { Browser, expect, Page, test } from '@playwright/test';
import { ready } from './helpers';
import { openRegistration, openRequest, registerAndConfirm } from './registration-helpers';

// The HTTPS listener, where certificate sign-in happens.
const HTTPS = process.env.USHER_HTTPS_URL ?? 'https://127.0.0.1:3443';

type Mail = { id: string; subject: string; to: { address: string }[]; attachments?: { generatedFileName: string; contentType: string }[] };

/** The PKCS#12 file of the newest certificate mail to `address`. */
async function mailedPkcs12(address: string, skip: number): Promise<Buffer> {
  const base = process.env.USHER_MAILDEV_URL!;
  let mail: Mail | undefined;
  await expect
    .poll(
      async () => {
        const all = (await (await fetch(`${base}/api/email`)).json()) as Mail[];
        const mails = all.filter(
          (m) => m.subject === 'Your Usher certificate' && m.to.some((t) => t.address === address),
        );
        mail = mails.length > skip ? mails[mails.length - 1] : undefined;
        return mail?.attachments?.length ?? 0;
      },
      { timeout: 15_000 },
    )
    .toBe(2);
  const file = mail!.attachments!.find((a) => a.generatedFileName.endsWith('.p12'))!;
  const res = await fetch(`${base}/api/email/${mail!.id}/attachment/${file.generatedFileName}`);
  expect(res.ok).toBeTruthy();
  return Buffer.from(await res.arrayBuffer());
}

/** A browser holding `pfx`, on the HTTPS sign-in page: "Sign in with certificate". */
async function signInWithCertificate(browser: Browser, pfx: Buffer, passphrase: string): Promise<Page> {
  const context = await browser.newContext({
    clientCertificates: [{ origin: HTTPS, pfx, passphrase }],
    ignoreHTTPSErrors: true,
  });
  const page = await context.newPage();
  await page.goto(`${HTTPS}/login`);
  await ready(page, true);
  await page.getByTestId('certificate-sign-in').click();
  return page;
}

async function setApprovalMode(page: Page, mode: RegExp) {
  await page.goto('/settings/certificates');
  await ready(page, true);
  await page.getByLabel(mode).check();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
}

test('approve in certificate mode → sign in with the mailed certificate → Completed; regenerate retires the old one', async ({
  page,
  browser,
}) => {
  const username = 'cert.person';
  const email = `${username}@example.com`;
  await openRegistration(page, true);
  await setApprovalMode(page, /Issues a certificate/);
  try {
    await registerAndConfirm(browser, true, username, email);
    await openRequest(page, true, username);
    await page.getByRole('button', { name: 'Approve request' }).click();
    const password = (await page.getByTestId('p12-password').textContent())!.trim();
    expect(password).toMatch(/^[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){4}$/);
    await page.goto(`/users/${username}`);
    await expect(page.getByText('Certificate sent').first()).toBeVisible();

    // The person imports the mailed file and signs in with it.
    const first = await mailedPkcs12(email, 0);
    const person = await signInWithCertificate(browser, first, password);
    await expect(person).toHaveURL(/\/account$/);
    await expect(person.getByTestId('signed-in-as')).toHaveText('Reg Istrant');
    await expect(person.getByTestId('certificate-row')).toHaveCount(1);
    await page.goto(`/users/${username}`);
    await expect(page.getByText('Active · Completed').first()).toBeVisible();

    // Regenerate: a new certificate and password; the old one is revoked.
    await page.goto(`/users/${username}?tab=certificates`);
    await ready(page, true);
    // It asks first, naming the user and what cannot be undone.
    await page.getByRole('link', { name: 'Regenerate certificate…' }).click();
    await expect(page.getByRole('alertdialog')).toContainText(`Regenerate the certificate of ${username}?`);
    await expect(page.getByRole('alertdialog')).toContainText('cannot be restored');
    await page.getByRole('button', { name: 'Revoke and regenerate' }).click();
    await expect(page.getByRole('alertdialog')).toHaveCount(0);
    const second = (await page.getByTestId('p12-password').textContent())!.trim();
    expect(second).not.toBe(password);
    await expect(page.getByTestId('certificate-row')).toHaveCount(2);
    await expect(page.getByTestId('certificate-row').filter({ hasText: 'Revoked' })).toHaveCount(1);

    const old = await signInWithCertificate(browser, first, password);
    await expect(old).toHaveURL(/\/login\?certificate=revoked$/);
    await expect(old.getByTestId('certificate-refusal')).toContainText('has been revoked');
    const renewed = await signInWithCertificate(browser, await mailedPkcs12(email, 1), second);
    await expect(renewed).toHaveURL(/\/account$/);

    // The certificates page lists both, filtered by state.
    await page.goto('/certificates?state=revoked&username=cert.');
    await expect(page.getByTestId('certificate-row')).toHaveCount(1);
  } finally {
    await setApprovalMode(page, /Mails a link/);
  }
});

test('without a certificate the HTTPS sign-in page says what to do', async ({ browser }) => {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(`${HTTPS}/login`);
  await ready(page, true);
  await page.getByTestId('certificate-sign-in').click();
  await expect(page).toHaveURL(/\/login\?certificate=none$/);
  await expect(page.getByTestId('certificate-refusal')).toContainText('did not present a certificate');
});
