/**
 * The person at the browser on Cognito's managed login page, played by headless Chromium through
 * playwright-core (a devDependency; the browser is the system's `chromium` package, never downloaded:
 * `apt-get install chromium`, or MCP_LAMBDA_LIVE_CHROMIUM=<path>). Used two ways:
 *
 * - {@link openManagedLogin}: for the checks, opens an authorize URL, signs in when the page asks (one
 *   browser context, so later authorize requests ride the managed login session), and returns the URL
 *   Cognito sent the browser back to — caught before it leaves, so nothing needs to listen there;
 * - {@link signInAndFollow}: for the real Claude Code (its BROWSER, see browser-cli.ts), signs in and lets
 *   the browser reach Claude Code's loopback callback.
 */
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
const STEP_MS = 30_000;

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

export interface ManagedLogin {
  browse(url: string, redirectUri: string): Promise<string>;
  close(): Promise<void>;
}

export function chromiumPath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.MCP_LAMBDA_LIVE_CHROMIUM ?? DEFAULT_CHROMIUM;
}

async function launch(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
}

/** Whether the page is Cognito's error page (a refused authorize request). */
const isErrorPage = (url: URL) => url.pathname === '/error' || url.searchParams.has('error');

/**
 * Fills managed login's sign-in form: the email (username) field, then the password — on the same page, or
 * after "Next" when the page asks for the username alone first.
 */
export async function fillSignIn(page: Page, credentials: Credentials): Promise<void> {
  const username = page
    .locator('input[name="username"], input[name="email"], input[type="email"], input[autocomplete="username"]')
    .first();
  await username.waitFor({ state: 'visible', timeout: STEP_MS });
  await username.fill(credentials.email);
  const password = page.locator('input[type="password"]').first();
  if (!(await password.isVisible())) {
    await page.locator('button[type="submit"], input[type="submit"]').first().click();
    await password.waitFor({ state: 'visible', timeout: STEP_MS });
  }
  await password.fill(credentials.password);
  await page.locator('button[type="submit"], input[type="submit"]').first().click();
}

/**
 * For the checks: each authorize URL opens in a new page of one context. The navigation to the redirect
 * URI is answered by the driver itself (`page.route`), so the returned URL is where Cognito sent the code.
 * `credentialsFor` picks the user of the pool the URL belongs to (by origin).
 */
export async function openManagedLogin(
  credentialsFor: (url: URL) => Credentials,
  options: { executablePath?: string; screenshots?: string } = {},
): Promise<ManagedLogin> {
  const browser = await launch(options.executablePath ?? chromiumPath());
  const context: BrowserContext = await browser.newContext();
  let pages = 0;
  return {
    async browse(url, redirectUri) {
      const page = await context.newPage();
      pages += 1;
      try {
        await page.route(
          (target) => target.toString().startsWith(redirectUri),
          (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'signed in' }),
        );
        const done = (target: URL) => target.toString().startsWith(redirectUri) || isErrorPage(target);
        const response = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: STEP_MS });
        // Cognito may refuse an authorize request with an error page of its own (a 400) rather than a
        // redirect: say so the way a redirect would, so the check records it.
        if (response !== null && response.status() >= 400 && !done(new URL(page.url()))) {
          const refused = new URL(page.url());
          refused.search = new URLSearchParams({ error: `http_${response.status()}` }).toString();
          return refused.toString();
        }
        if (!done(new URL(page.url()))) {
          await fillSignIn(page, credentialsFor(new URL(url)));
          await page.waitForURL(done, { timeout: STEP_MS });
        }
        return page.url();
      } catch (error) {
        if (options.screenshots)
          await page.screenshot({ path: `${options.screenshots}/browse-${pages}.png` }).catch(() => undefined);
        throw new Error(
          `the managed login page did not send the browser back (now at ${page.url().split('?')[0]}): ${(error as Error).message}`,
          { cause: error },
        );
      } finally {
        await page.close();
      }
    },
    close: () => browser.close(),
  };
}

/** For Claude Code's BROWSER: signs in, then waits until the browser has loaded the loopback callback. */
export async function signInAndFollow(url: string, credentials: Credentials, executablePath = chromiumPath()): Promise<string> {
  const browser = await launch(executablePath);
  try {
    const page = await browser.newPage();
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: STEP_MS });
    const atCallback = (target: URL) => target.hostname === 'localhost' || target.hostname === '127.0.0.1' || isErrorPage(target);
    if (!atCallback(new URL(page.url()))) {
      await fillSignIn(page, credentials);
      await page.waitForURL(atCallback, { timeout: STEP_MS, waitUntil: 'load' });
    }
    return page.url();
  } finally {
    await browser.close();
  }
}
