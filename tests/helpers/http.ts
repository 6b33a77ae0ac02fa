/**
 * Calls a Next.js route handler the way Next does: a real Request and a `params` promise. The handler runs
 * in-process against the test database, with its own auth, validation and error mapping.
 */
type Handler = (req: Request, ctx: { params: Promise<any> }) => Promise<Response>;

export type CallOptions = {
  cookie?: string;
  body?: unknown;
  rawBody?: string;
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
};

export async function call(handler: Handler, method: string, path: string, options: CallOptions = {}) {
  const url = new URL(path, "http://localhost:3000");
  for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const headers = new Headers(options.headers);
  headers.set("host", "localhost:3000");
  if (options.cookie) headers.set("cookie", options.cookie);
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers.set("content-type", "application/json");
  }
  const res = await handler(new Request(url, { method, headers, body }), { params: Promise.resolve(options.params ?? {}) });
  const text = await res.text();
  let json: any = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}
