import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";

/**
 * Debian's Chromium, headless, with the background-networking features off (this machine has no internet
 * and Chromium would otherwise keep trying to reach Google's hosts).
 */
export function useBrowser() {
  let browser: Browser;
  const baseURL = inject("baseURL");
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A fresh, signed-out browser profile with clipboard access. */
  async function newContext(): Promise<BrowserContext> {
    const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
    return context;
  }

  return { baseURL, newContext };
}

/** Creates an account; a new account starts in onboarding, which `skipSetup` skips to an empty library. */
export async function signUp(page: Page, email: string, options: { password?: string; skipSetup?: boolean } = {}): Promise<void> {
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(options.password ?? PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL("**/onboarding");
  if (options.skipSetup ?? true) {
    await page.getByRole("button", { name: "Skip setup" }).click();
    await page.waitForURL("**/library");
  }
}

export const PASSWORD = "correct horse battery";

export const uniqueEmail = (prefix: string) => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
