import { expect, test } from "vitest";
import { signUp, uniqueEmail, useBrowser } from "./browser";

const { newContext } = useBrowser();

test("sign up → create → edit twice → three versions → diff → restore v1 → search → fill variables and copy", async () => {
  const context = await newContext();
  const page = await context.newPage();
  await signUp(page, uniqueEmail("library"));
  await page.getByText("Your library is empty.").waitFor();

  // Create version 1.
  await page.getByRole("link", { name: "New prompt" }).first().click();
  await page.waitForURL("**/prompts/new");
  await page.getByLabel("Title").fill("Release notes writer");
  await page.getByLabel("Prompt", { exact: true }).fill("Write release notes for {{product}} aimed at {{audience}}.");
  await page.getByRole("button", { name: "Create prompt" }).click();
  await page.waitForURL(/\/prompts\/[0-9a-f-]{36}$/);
  await page.getByText("Saved as version 1.").waitFor();

  // Two edits → versions 2 and 3.
  await page.getByLabel("Prompt", { exact: true }).fill("Write concise release notes for {{product}} aimed at {{audience}}.");
  await page.getByLabel("Version message").fill("Make it concise");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved as version 2.").waitFor();
  await page.getByLabel("Prompt", { exact: true }).fill("Write concise release notes for {{product}} aimed at {{audience}}.\nGroup changes under Added, Fixed and Removed.");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByText("Saved as version 3.").waitFor();

  // History shows three versions; diff v1 → v3.
  await page.getByRole("tab", { name: "History" }).click();
  await page.getByTestId("version-item").nth(2).waitFor();
  expect(await page.getByTestId("version-item").count()).toBe(3);
  await page.getByLabel("Select version 1").check();
  await page.getByLabel("Select version 3").check();
  await page.getByRole("button", { name: "Compare" }).click();
  const diff = page.getByTestId("version-diff");
  await diff.waitFor();
  expect(await diff.locator('[data-change="removed"]').first().textContent()).toContain("Write release notes for {{product}}");
  expect(await diff.locator('[data-change="added"]').allTextContents()).toContain("+Group changes under Added, Fixed and Removed.");

  // Restore version 1 → version 4 with v1's text.
  await page.getByRole("button", { name: "Restore version 1" }).click();
  await page.getByText("Version 1 restored as version 4.").waitFor();
  expect(await page.getByLabel("Prompt", { exact: true }).inputValue()).toBe("Write release notes for {{product}} aimed at {{audience}}.");
  await page.getByTestId("version-item").nth(3).waitFor();
  expect(await page.getByTestId("version-item").first().textContent()).toContain("Restored version 1");

  // Find it by search in the library.
  await page.getByRole("link", { name: "Library" }).first().click();
  await page.waitForURL("**/library");
  await page.getByLabel("Search prompts").fill("release");
  await page.waitForURL(/q=release/);
  const card = page.getByTestId("prompt-card").filter({ hasText: "Release notes writer" });
  await card.waitFor();
  // The list may still be swapping in the search's results (a moment with no cards): wait for it to settle.
  await expect.poll(() => page.getByTestId("prompt-card").count(), { timeout: 10_000 }).toBe(1);

  // Open it, fill its variables and copy the rendered prompt.
  await card.getByRole("link", { name: "Release notes writer" }).click();
  await page.waitForURL(/\/prompts\/[0-9a-f-]{36}$/);
  await page.getByLabel("product").fill("PromptVault 1.0");
  await page.getByLabel("audience").fill("self-hosters");
  await page.getByRole("button", { name: "Copy prompt" }).click();
  await page.getByRole("button", { name: "Copied" }).waitFor();
  const clipboard = await page.evaluate(() => navigator.clipboard.readText());
  expect(clipboard).toBe("Write release notes for PromptVault 1.0 aimed at self-hosters.");
  await context.close();
});
