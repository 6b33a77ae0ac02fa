import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { describe, expect, it } from "vitest";
import { config } from "../../src/proxy";

const runs = (url: string) => unstable_doesMiddlewareMatch({ config, url });

describe("proxy matcher", () => {
  it("runs for app pages, APIs and the share page's save step (Clerk needs it where a session is read)", () => {
    for (const url of ["/", "/library", "/prompts/abc", "/import", "/api/prompts", "/api/imports/x/start", "/s/AbC123_-x/save", "/sign-in"]) expect(runs(url), url).toBe(true);
  });

  it("skips Next's assets, static files, token-authenticated uploads and the public share page and its image", () => {
    for (const url of ["/_next/static/chunks/a.js", "/share.js", "/favicon.ico", "/api/uploads/123", "/s/AbC123_-x", "/s/AbC123_-x/image"]) expect(runs(url), url).toBe(false);
  });
});
