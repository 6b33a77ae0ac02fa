import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { buildZip } from "../helpers/zip";
import { signUp, uniqueEmail, useBrowser } from "./browser";
import { E2E_FREE_PROMPT_LIMIT } from "./setup/server";

const { newContext } = useBrowser();

// A real ChatGPT export's shape: conversations.json next to user.json, chat.html and an image.
const conversations = readFileSync("/work/shared/formats/samples/chatgpt/soulprint_chatgpt_minimal.json", "utf8");
const exportZip = buildZip([
  { name: "conversations.json", data: conversations },
  { name: "user.json", data: JSON.stringify({ id: "user-1", email: "someone@example.com" }) },
  { name: "chat.html", data: "<html><body>viewer</body></html>" },
  { name: "file-abc-photo.png", data: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), store: true },
]);

test("drop a ChatGPT export zip → progress → summary → the prompts are in the library with their source", async () => {
  const context = await newContext();
  const page = await context.newPage();
  await signUp(page, uniqueEmail("import"));
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await page.waitForURL("**/import");

  // A real drop event carrying the file, as a browser fires it when a person drags the zip in.
  const dataTransfer = await page.evaluateHandle((bytes) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], "chatgpt-export-2026-11-24.zip", { type: "application/zip" }));
    return transfer;
  }, Array.from(exportZip));
  await page.dispatchEvent('[data-testid="import-dropzone"]', "drop", { dataTransfer });
  await page.getByTestId("import-files").getByText("chatgpt-export-2026-11-24.zip").waitFor();

  await page.getByRole("button", { name: "Import 1 file" }).click();
  // Progress is shown while uploading and processing (it may be brief for a small file)…
  await page.waitForSelector('[data-testid="import-progress"], [data-testid="import-summary"]');
  // …then the summary.
  const summary = page.getByTestId("import-summary");
  await summary.waitFor({ timeout: 60_000 });
  expect(await summary.getByRole("heading").textContent()).toBe("3 new prompts in your library");
  const row = page.getByTestId("import-file-row");
  expect(await row.textContent()).toContain("ChatGPT");
  expect((await row.locator("td").allTextContents()).slice(2)).toEqual(["2", "3", "3", "0", "0"]);

  // Into the library, filtered to this import.
  await summary.getByRole("link", { name: "See them in the library" }).click();
  await page.waitForURL(/\/library\?import=/);
  await page.getByTestId("prompt-card").nth(2).waitFor();
  await expect.poll(() => page.getByTestId("prompt-card").count(), { timeout: 10_000 }).toBe(3);
  const sources = await page.getByTestId("prompt-card").locator("span.rounded").allTextContents();
  expect(sources.every((s) => s.startsWith("ChatGPT"))).toBe(true);

  // Importing the same export again adds nothing.
  await page.goto("/import");
  const again = await page.evaluateHandle((bytes) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], "chatgpt-export-2026-11-24.zip", { type: "application/zip" }));
    return transfer;
  }, Array.from(exportZip));
  await page.dispatchEvent('[data-testid="import-dropzone"]', "drop", { dataTransfer: again });
  await page.getByRole("button", { name: "Import 1 file" }).click();
  await page.getByTestId("import-summary").waitFor({ timeout: 60_000 });
  expect(await page.getByTestId("import-summary").getByRole("heading").textContent()).toBe("0 new prompts in your library");
  await context.close();
});

test("an import past the Free plan's prompt limit brings in what fits and says how to get the rest", async () => {
  const context = await newContext();
  const page = await context.newPage();
  await signUp(page, uniqueEmail("import-limit"));
  // All but one of the prompts the e2e server's Free plan allows.
  for (let i = 1; i < E2E_FREE_PROMPT_LIMIT; i++) {
    expect((await page.request.post("/api/prompts", { data: { title: `Mine ${i}`, body: `My own prompt number ${i}.` } })).status()).toBe(201);
  }
  await page.goto("/import");
  const transfer = await page.evaluateHandle((text) => {
    const t = new DataTransfer();
    t.items.add(new File([text], "conversations.json", { type: "application/json" }));
    return t;
  }, conversations);
  await page.dispatchEvent('[data-testid="import-dropzone"]', "drop", { dataTransfer: transfer });
  await page.getByRole("button", { name: "Import 1 file" }).click();
  const summary = page.getByTestId("import-summary");
  await summary.waitFor({ timeout: 60_000 });
  expect(await summary.getByRole("heading").textContent()).toBe("1 new prompt in your library");
  const banner = page.getByTestId("import-over-limit");
  expect(await banner.textContent()).toContain("2 prompts were not imported: your library reached your plan's prompt limit.");
  expect(await banner.getByRole("link", { name: "Upgrade your plan" }).getAttribute("href")).toBe("/plan");
  await context.close();
});
