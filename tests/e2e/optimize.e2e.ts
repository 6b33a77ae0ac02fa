import { expect, test } from "vitest";
import { signUp, uniqueEmail, useBrowser } from "./browser";

const { newContext } = useBrowser();

const BODY = "Please write an email to [customer name] about our product launch. Thanks!";

test("create a prompt → Optimize (built-in engine) → diff, changes, scores → accept as a new version → history", async () => {
  const context = await newContext();
  const page = await context.newPage();
  await signUp(page, uniqueEmail("optimize"));

  await page.goto("/prompts/new");
  await page.getByLabel("Title").fill("Launch email");
  await page.getByLabel("Prompt", { exact: true }).fill(BODY);
  await page.getByRole("button", { name: "Create prompt" }).click();
  await page.waitForURL(/\/prompts\/[0-9a-f-]{36}$/);
  await page.getByText("Saved as version 1.").waitFor();

  // The e2e server has no AI configured: the dialog says the built-in optimizer will be used.
  await page.getByRole("button", { name: "Optimize", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Optimize this prompt" });
  await dialog.waitFor();
  await dialog.getByText("Uses the built-in optimizer (no AI service configured)").waitFor();
  await dialog.getByRole("button", { name: "Optimize", exact: true }).click();

  const result = dialog.getByTestId("optimization-result");
  await result.waitFor();

  // The diff: the original line removed, the rewrite's sections added.
  const diffText = (await result.locator('[data-change="added"]').allTextContents()).join("\n");
  expect(diffText).toContain("## Role");
  expect(diffText).toContain("{{customer_name}}");
  expect((await result.locator('[data-change="removed"]').allTextContents()).join("\n")).toContain("Please write an email to [customer name]");

  // Each change with its reason.
  const changes = result.getByTestId("optimization-changes");
  expect(await changes.textContent()).toContain("Added a role");
  expect(await changes.textContent()).toContain("Turned {{customer_name}} into explicit variables");
  expect(await changes.locator("li").count()).toBeGreaterThanOrEqual(4);
  for (const item of await changes.locator("li").all()) expect((await item.locator("p").nth(1).textContent())!.length).toBeGreaterThan(20);

  // The scores: before → after, and after is higher.
  const scoreText = (await result.getByTestId("score-total").textContent())!;
  const [, before, after] = scoreText.match(/(\d+)\s*→\s*(\d+)/)!;
  expect(Number(after)).toBeGreaterThan(Number(before));
  expect(await result.getByRole("list", { name: "Scores by dimension" }).locator("li").count()).toBe(6);
  expect(await result.getByTestId("optimization-engine").textContent()).toContain("Built-in optimizer");

  // Accept → version 2.
  await result.getByRole("button", { name: "Accept as a new version" }).click();
  await result.getByText("Accepted as version 2.").waitFor();
  expect(await result.getByRole("button", { name: "Accept as a new version" }).count()).toBe(0);
  await dialog.getByRole("button", { name: "Close" }).click();
  await dialog.waitFor({ state: "detached" });
  await page.getByText("Optimization applied as version 2.").waitFor();

  // The editor holds the rewrite, and the history names the optimization.
  const body = await page.getByLabel("Prompt", { exact: true }).inputValue();
  expect(body).toContain("## Role");
  expect(body).toContain("{{customer_name}}");
  await page.getByRole("tab", { name: "History" }).click();
  await page.getByTestId("version-item").nth(1).waitFor();
  expect(await page.getByTestId("version-item").count()).toBe(2);
  expect(await page.getByTestId("version-item").first().textContent()).toContain(`Optimized with the built-in optimizer — score ${before} → ${after}`);

  // Reopening the dialog shows the decision, kept in the prompt's history.
  await page.getByRole("button", { name: "Optimize", exact: true }).click();
  await dialog.getByTestId("optimization-result").waitFor();
  await dialog.getByText("Accepted as version 2.").waitFor();
  await context.close();
});
