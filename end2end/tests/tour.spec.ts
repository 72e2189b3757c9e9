import AxeBuilder from '@axe-core/playwright';
import { expect, Page, test } from '@playwright/test';
import { ADMIN, ready, signIn } from './helpers';

// Runs last, hydrated, once every other spec has made its data: each page of
// the console is opened directly (server-rendered, then hydrated) in the
// states those specs left, and must
// - log no browser error and throw no page error (a hydration fault shows
//   up here),
// - have no serious or critical axe-core violation,
// - fit a 1366×768 laptop and a 390×844 phone without sideways scrolling
//   (screenshots of both are attached to the report).

const LAPTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

/** The first link on `list` whose address matches `pattern`, if any. */
async function firstLink(page: Page, list: string, pattern: RegExp): Promise<string | undefined> {
  await page.goto(list);
  const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
  return hrefs.find((h) => pattern.test(h));
}

async function pagesToVisit(page: Page): Promise<string[]> {
  const pages = [
    '/users',
    '/users?per_page=100&sort=created&dir=desc',
    '/users?status=active',
    '/users/new',
    '/users/invite',
    '/users/import',
    `/users/${ADMIN.username}`,
    `/users/${ADMIN.username}?tab=groups`,
    `/users/${ADMIN.username}?tab=certificates`,
    `/users/${ADMIN.username}?tab=activity`,
    `/users/${ADMIN.username}?edit=1`,
    '/groups',
    '/roles',
    '/requests',
    '/requests?status=approved',
    '/requests?status=rejected',
    '/certificates',
    '/audit',
    '/audit?action=user.',
    '/settings',
    '/settings/mail',
    '/settings/certificates',
    '/account',
    '/account/password',
    '/jobs/new?action=deactivate&all=1&status=inactive',
  ];
  // Pages that need a record made by the other specs.
  for (const [list, pattern] of [
    ['/requests?status=review', /^\/requests\/[^?]+$/],
    ['/requests?status=approved', /^\/requests\/[^?]+$/],
    ['/users?status=active&q=reg.', /^\/users\/reg\./],
  ] as [string, RegExp][]) {
    const found = await firstLink(page, list, pattern);
    if (found) pages.push(found, `${found}${found.includes('?') ? '&' : '?'}confirm=deactivate`);
  }
  const other = await firstLink(page, '/users?status=active&sort=created&dir=desc', /^\/users\/(?!first\.admin|new|invite|import)[^?/]+$/);
  if (other) pages.push(`${other}?confirm=delete`, `${other}?password=1`, `${other}?tab=certificates`);
  return pages;
}

test('every console page: no browser error, no serious accessibility fault, fits a laptop and a phone', async ({
  page,
}, info) => {
  test.setTimeout(600_000);
  await page.goto('/login');
  await signIn(page, true);
  await expect(page).toHaveURL(/\/users$/);
  const visits = await pagesToVisit(page);
  expect(visits.length).toBeGreaterThan(25);

  const faults: string[] = [];
  let here = '';
  page.on('console', (m) => {
    if (m.type() === 'error') faults.push(`${here}: console: ${m.text()}`);
  });
  page.on('pageerror', (e) => faults.push(`${here}: page error: ${e.message}`));

  for (const path of visits) {
    here = path;
    for (const [name, size] of [['laptop', LAPTOP], ['phone', PHONE]] as const) {
      await page.setViewportSize(size);
      const res = await page.goto(path);
      expect(res?.status(), path).toBeLessThan(400);
      await ready(page, true);
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) faults.push(`${path}: ${overflow} px wider than the ${name} screen`);
      if (name === 'laptop' && path.startsWith('/users?')) {
        // The users table's default columns fit a laptop: nothing to scroll to.
        const hidden = await page.getByRole('table', { name: 'Users' }).evaluate((t) => {
          const frame = t.parentElement!;
          return frame.scrollWidth - frame.clientWidth;
        });
        if (hidden > 0) faults.push(`${path}: the users table scrolls ${hidden} px sideways on a laptop`);
      }
      await info.attach(`${name} ${path}`, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
      if (name === 'laptop') {
        const axe = await new AxeBuilder({ page }).analyze();
        for (const v of axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
          faults.push(`${path}: axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')})`);
        }
      }
    }
  }
  expect(faults).toEqual([]);
});

test('below 1024 px the navigation folds behind a Menu button, which opens it', async ({ page }) => {
  await page.setViewportSize(PHONE);
  await page.goto('/login');
  await signIn(page, true);
  await expect(page).toHaveURL(/\/users$/);
  await ready(page, true);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav).toBeHidden();
  await page.getByTestId('menu-button').click();
  await expect(nav).toBeVisible();
  await nav.getByRole('link', { name: 'Groups' }).click();
  await expect(page).toHaveURL(/\/groups$/);
  // It folds again once a page is chosen.
  await expect(nav).toBeHidden();
  // Every entry is a finger's size.
  await page.getByTestId('menu-button').click();
  for (const box of await nav.getByRole('link').evaluateAll((links) => links.map((a) => a.getBoundingClientRect().height))) {
    expect(box).toBeGreaterThanOrEqual(44);
  }
  // Form fields use 16 px text on a phone (no zoom on focus in iOS).
  await page.goto('/users/new');
  const size = await page.getByLabel('Username').evaluate((i) => getComputedStyle(i).fontSize);
  expect(size).toBe('16px');
});
