// cargo-leptos and our test script start the server without waiting for it:
// poll until it answers (up to 120 s).
export default async function globalSetup() {
  const base = process.env.USHER_BASE_URL ?? 'http://127.0.0.1:3000';
  const deadline = Date.now() + 120_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.ok) return;
      last = `status ${res.status}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Usher did not become ready at ${base}: ${last}`);
}
