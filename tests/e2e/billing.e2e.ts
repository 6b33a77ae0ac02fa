import { expect, test } from "vitest";
import { signUp, uniqueEmail, useBrowser } from "./browser";
import { E2E_ADMIN_EMAIL, E2E_FREE_PROMPT_LIMIT } from "./setup/server";

const { newContext } = useBrowser();
// The app's alerts, not Next's route announcer (also role="alert").
const ALERT = '[role="alert"]:not(#__next-route-announcer__)';

/**
 * The e2e server runs without Stripe and with PLAN_LIMITS giving Free E2E_FREE_PROMPT_LIMIT prompts (see
 * setup/server.ts for why that number). The user fills the library through the API, saves the last prompt
 * the limit allows in the editor, and is refused the next one; an administrator raises the plan and the
 * user, still signed in and with the refused draft still on screen, saves it.
 */
test("a Free user hits the prompt limit, sees the way up, and continues once an admin raises the plan", async () => {
  const LIMIT = E2E_FREE_PROMPT_LIMIT;

  // The administrator signs up first (ADMIN_EMAILS; also the first account if this file runs first).
  const adminContext = await newContext();
  const admin = await adminContext.newPage();
  await signUp(admin, E2E_ADMIN_EMAIL);
  await admin.getByRole("link", { name: "Admin", exact: true }).waitFor();

  const userContext = await newContext();
  const editor = await userContext.newPage();
  const email = uniqueEmail("billing");
  await signUp(editor, email);
  expect(await editor.getByRole("link", { name: "Admin", exact: true }).count()).toBe(0);
  // The admin area does not exist for them.
  const adminPage = await editor.goto("/admin");
  expect(adminPage?.status()).toBe(404);

  // All but one of the allowed prompts, through the API (the cookie of this browser context).
  for (let i = 1; i < LIMIT; i++) {
    const res = await editor.request.post("/api/prompts", { data: { title: `Prompt ${i}`, body: `Prompt number ${i} for {{topic}}.` } });
    expect(res.status()).toBe(201);
  }

  // The last one the plan allows, in the editor.
  await editor.goto("/prompts/new");
  await editor.getByLabel("Title").fill(`Prompt ${LIMIT}`);
  await editor.getByLabel("Prompt", { exact: true }).fill("The last prompt the Free plan allows.");
  await editor.getByRole("button", { name: "Create prompt" }).click();
  await editor.getByText("Saved as version 1.").waitFor();

  // One more: refused, with the reason, the way out and a link to the plans. The draft stays.
  await editor.goto("/prompts/new");
  await editor.getByLabel("Title").fill("One too many");
  await editor.getByLabel("Prompt", { exact: true }).fill("Write a haiku about {{subject}}.");
  const refusedResponse = editor.waitForResponse((r) => r.url().endsWith("/api/prompts") && r.request().method() === "POST");
  await editor.getByRole("button", { name: "Create prompt" }).click();
  expect((await refusedResponse).status()).toBe(402);
  const alert = editor.locator(ALERT);
  await alert.waitFor();
  expect(await alert.textContent()).toContain(`Your Free plan allows ${LIMIT} prompts, and you have ${LIMIT} in your library. Delete prompts you no longer need (and empty the trash), or upgrade to Pro`);
  const seePlans = alert.getByRole("link", { name: "See plans" });
  expect(await seePlans.getAttribute("href")).toBe("/plan");
  expect(editor.url()).toMatch(/\/prompts\/new$/);
  expect(await editor.getByLabel("Title").inputValue()).toBe("One too many");

  // The plans page (in a second tab, so the draft stays on screen): Free, the prompt meter full, no billing.
  const plan = await userContext.newPage();
  await plan.goto("/library");
  await plan.getByRole("link", { name: "Plan", exact: true }).click();
  await plan.waitForURL("**/plan");
  expect(await plan.getByTestId("current-plan").textContent()).toBe("You are on the Free plan.");
  const promptsMeter = plan.getByRole("progressbar", { name: "Prompts" });
  expect(await promptsMeter.getAttribute("aria-valuenow")).toBe("100");
  expect(await plan.getByLabel("Usage").textContent()).toContain(`Prompts${LIMIT} / ${LIMIT}`);
  expect(await plan.getByTestId("billing-off").textContent()).toBe("Billing is not enabled on this server: to change your plan, ask its administrator.");
  expect(await plan.getByRole("button", { name: /Upgrade to/ }).count()).toBe(0);

  // The administrator raises the plan to Pro.
  await admin.getByRole("link", { name: "Admin", exact: true }).click();
  await admin.waitForURL("**/admin");
  const row = admin.getByTestId("admin-user-row").filter({ hasText: email });
  await row.waitFor();
  expect(await row.locator("td").nth(2).textContent()).toBe(String(LIMIT));
  const planSelect = admin.getByLabel(`Plan of ${email}`);
  expect(await planSelect.inputValue()).toBe("free");
  const patched = admin.waitForResponse((r) => r.url().includes("/api/admin/users/") && r.request().method() === "PATCH");
  await planSelect.selectOption("pro");
  expect((await patched).status()).toBe(200);
  await expect.poll(() => planSelect.inputValue()).toBe("pro");
  expect(await admin.locator(ALERT).count()).toBe(0);

  // The user, still signed in and still in the same editor, saves the refused draft.
  await editor.getByRole("button", { name: "Create prompt" }).click();
  await editor.getByText("Saved as version 1.").waitFor();
  await editor.waitForURL(/\/prompts\/[0-9a-f-]{36}$/);
  expect(await editor.locator(ALERT).count()).toBe(0);

  await plan.reload();
  expect(await plan.getByTestId("current-plan").textContent()).toBe("You are on the Pro plan.");
  expect(await plan.getByLabel("Usage").textContent()).toContain(`Prompts${LIMIT + 1} / 50,000`);

  await adminContext.close();
  await userContext.close();
});
