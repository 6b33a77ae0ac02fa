import { expect, test } from "vitest";
import { PASSWORD, signUp, uniqueEmail, useBrowser } from "./browser";

const { newContext } = useBrowser();

test("share a prompt; a signed-out visitor opens it, fills its variables, copies it, signs in and saves a copy", async () => {
  // The owner writes a template and shares it.
  const ownerContext = await newContext();
  const owner = await ownerContext.newPage();
  const ownerEmail = uniqueEmail("owner");
  await signUp(owner, ownerEmail);
  await owner.goto("/prompts/new");
  await owner.getByLabel("Title").fill("Standup summary");
  await owner.getByLabel("Prompt", { exact: true }).fill("Summarise yesterday's work on {{project}} for {{audience}} in three bullets.");
  await owner.getByRole("button", { name: "Create prompt" }).click();
  await owner.getByText("Saved as version 1.").waitFor();
  await owner.getByRole("button", { name: "Share" }).click();
  await owner.getByRole("checkbox", { name: "Keep the page out of search engines" }).check();
  await owner.getByRole("button", { name: "Create link" }).click();
  const link = await owner.getByLabel("Share link").inputValue();
  expect(link).toMatch(/\/s\/[A-Za-z0-9_-]{24}$/);

  // Another person already has an account.
  const viewerEmail = uniqueEmail("viewer");
  const setup = await newContext();
  await signUp(await setup.newPage(), viewerEmail);
  await setup.close();

  // A fresh, signed-out browser opens the link.
  const visitorContext = await newContext();
  const visitor = await visitorContext.newPage();
  const response = await visitor.goto(link);
  expect(response?.status()).toBe(200);
  await visitor.getByRole("heading", { name: "Standup summary" }).waitFor();
  const html = await visitor.content();
  expect(html).not.toContain(ownerEmail);
  expect(html).toContain('content="noindex, nofollow"');
  expect(await visitor.locator('meta[property="og:image"]').getAttribute("content")).toMatch(/\/s\/[A-Za-z0-9_-]+\/image$/);

  // Fill the variables; the prompt updates; copy it.
  await visitor.getByLabel("project *").fill("PromptVault");
  await visitor.getByLabel("audience *").fill("the team");
  expect(await visitor.locator("#prompt").textContent()).toBe("Summarise yesterday's work on PromptVault for the team in three bullets.");
  await visitor.getByRole("button", { name: "Copy prompt" }).click();
  await visitor.getByRole("button", { name: "Copied" }).waitFor();
  expect(await visitor.evaluate(() => navigator.clipboard.readText())).toBe("Summarise yesterday's work on PromptVault for the team in three bullets.");

  // Save to my library: signed out → sign in → back to finish.
  await visitor.getByRole("link", { name: "Save to my library" }).click();
  await visitor.waitForURL(/\/sign-in\?next=/);
  await visitor.getByLabel("Email").fill(viewerEmail);
  await visitor.getByLabel("Password").fill(PASSWORD);
  await visitor.getByRole("button", { name: "Sign in" }).click();
  await visitor.waitForURL(/\/s\/[A-Za-z0-9_-]+\/save$/);
  await visitor.getByRole("button", { name: "Save a copy to my library" }).click();
  await visitor.waitForURL(/\/prompts\/[0-9a-f-]{36}$/);
  expect(await visitor.getByLabel("Title").inputValue()).toBe("Standup summary");
  expect(await visitor.getByTestId("version-status").textContent()).toContain("from Shared link");

  // The owner revokes the link: it now answers 410 with a page that says so.
  await owner.goto("/shares");
  await owner.getByTestId("my-shares").getByRole("button", { name: "Revoke" }).click();
  await owner.getByTestId("my-shares").getByText("Revoked").waitFor();
  const gone = await (await newContext()).newPage();
  const goneResponse = await gone.goto(link);
  expect(goneResponse?.status()).toBe(410);
  await gone.getByRole("heading", { name: "This shared prompt is no longer shared." }).waitFor();
  await Promise.all([ownerContext.close(), visitorContext.close()]);
});
