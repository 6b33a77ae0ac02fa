import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { uniqueEmail, useBrowser, PASSWORD } from "./browser";

const { newContext } = useBrowser();
const chatgptExport = readFileSync("/work/shared/formats/samples/chatgpt/soulprint_chatgpt_minimal.json");

test("a new account goes through onboarding — roles, tools, a small import, starters — and lands in a full library", async () => {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto("/sign-up");
  await page.getByLabel("Name (optional)").fill("Ada");
  await page.getByLabel("Email").fill(uniqueEmail("onboarding"));
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL("**/onboarding");
  await page.getByRole("heading", { name: "Welcome, Ada! What do you use AI for?" }).waitFor();

  // Step 1: roles.
  await page.getByRole("button", { name: "Software engineering" }).click();
  await page.getByRole("button", { name: "Writing & editing" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  // Step 2: tools and models.
  await page.getByRole("heading", { name: "Which tools and models do you use?" }).waitFor();
  await page.getByRole("button", { name: "ChatGPT", exact: true }).click();
  await page.getByRole("button", { name: "Claude Sonnet" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByRole("heading", { name: "Bring your prompt history" }).waitFor();

  // Progress is saved: leaving and coming back resumes at the import step with the answers kept.
  await page.goto("/library");
  await page.waitForURL("**/onboarding");
  await page.getByRole("heading", { name: "Bring your prompt history" }).waitFor();
  await page.getByRole("button", { name: "Back" }).click();
  expect(await page.getByRole("button", { name: "ChatGPT", exact: true }).getAttribute("aria-pressed")).toBe("true");
  await page.getByRole("button", { name: "Continue" }).click();

  // Step 3: a small import through the same dropzone as the import page.
  await page.getByTestId("import-file-input").setInputFiles({ name: "conversations.json", mimeType: "application/json", buffer: chatgptExport });
  await page.getByRole("button", { name: "Import 1 file" }).click();
  await page.getByTestId("import-summary").waitFor({ timeout: 60_000 });
  expect(await page.getByTestId("import-summary").getByRole("heading").textContent()).toBe("3 new prompts in your library");
  await page.getByRole("button", { name: "Continue" }).click();

  // Step 4: starter templates chosen by the roles, all pre-selected.
  await page.getByTestId("starter-list").waitFor();
  const starters = await page.getByTestId("starter-list").locator("li").allTextContents();
  expect(starters.some((s) => s.includes("Review a change like a senior engineer"))).toBe(true);
  expect(starters.some((s) => s.includes("Edit for clarity without changing my voice"))).toBe(true);
  expect(starters.some((s) => s.includes("Reply to a customer"))).toBe(false);
  await page.getByRole("button", { name: "Finish and open my library" }).click();
  await page.waitForURL("**/library");

  // The library holds the imported prompts and the starters.
  await page.getByTestId("prompt-card").first().waitFor();
  const count = await page.getByTestId("prompt-card").count();
  expect(count).toBe(3 + starters.length);
  await page.getByLabel("Source").selectOption("starter");
  await page.waitForURL(/source=starter/);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="prompt-card"]').length === n, starters.length);

  // Revisiting from settings keeps what was added.
  await page.goto("/settings");
  await page.getByRole("link", { name: "Revisit the setup" }).click();
  await page.waitForURL(/\/onboarding\?step=roles/);
  expect(await page.getByRole("button", { name: "Software engineering" }).getAttribute("aria-pressed")).toBe("true");
  await context.close();
});
