import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { LocalServer } from "./local-server";

/**
 * A local stand-in for Stripe's REST API, so the real `stripe` SDK (and BillingService around it) is tested
 * against the protocol rather than against a mock of our own code. Like Stripe it takes form-encoded bodies
 * (nested params as `line_items[0][price]`), authenticates with `Authorization: Bearer sk_…`, and answers
 * JSON objects or `{ error: { type, message, code } }`. It speaks what the app uses:
 *
 *   POST /v1/customers                 → a `customer`
 *   POST /v1/checkout/sessions         → a `checkout.session` with a hosted `url`
 *   POST /v1/billing_portal/sessions   → a `billing_portal.session` with a `url`
 *
 * Idempotency as Stripe keeps it: a POST repeating an `Idempotency-Key` with the same parameters gets the first
 * answer again (header `idempotent-replayed: true`) and creates nothing; with other parameters, a 400
 * `idempotency_error`.
 *
 * Every request is recorded with its parsed form body (a flat record keyed as Stripe encodes it). `failNext`
 * scripts a Stripe error for the next request to a path.
 */
export type StripeRequest = {
  method: string;
  path: string;
  /** The form body, flat: `{ "line_items[0][price]": "price_…", "mode": "subscription", … }`. */
  form: Record<string, string>;
  authorization: string | undefined;
  headers: Record<string, string | string[] | undefined>;
};

export type StripeErrorScript = { status: number; type: string; message: string; code?: string };

const stripeId = (prefix: string) => `${prefix}_test_${randomBytes(12).toString("base64url")}`;

export class FakeStripe extends LocalServer {
  readonly requests: StripeRequest[] = [];
  readonly customers = new Map<string, Record<string, unknown>>();
  private readonly failures = new Map<string, StripeErrorScript[]>();
  private readonly idempotent = new Map<string, { path: string; raw: string; status: number; body: unknown }>();
  private answering: { key: string; path: string; raw: string } | null = null;

  /** What to put in STRIPE_API_URL. */
  get url(): string {
    return this.origin;
  }

  reset(): void {
    this.requests.length = 0;
    this.customers.clear();
    this.failures.clear();
    this.idempotent.clear();
  }

  /** The next request to `path` gets this Stripe error instead of an object. */
  failNext(path: string, error: StripeErrorScript): this {
    this.failures.set(path, [...(this.failures.get(path) ?? []), error]);
    return this;
  }

  requestsTo(path: string): StripeRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const path = (req.url ?? "/").split("?")[0]!;
    const form = Object.fromEntries(new URLSearchParams(raw).entries());
    const authorization = typeof req.headers.authorization === "string" ? req.headers.authorization : undefined;
    this.requests.push({ method: req.method ?? "", path, form, authorization, headers: { ...req.headers } });

    if (!authorization?.startsWith("Bearer sk_")) {
      return this.error(res, { status: 401, type: "invalid_request_error", message: "You did not provide an API key." });
    }
    const key = req.method === "POST" && typeof req.headers["idempotency-key"] === "string" ? req.headers["idempotency-key"] : null;
    const seen = key ? this.idempotent.get(key) : undefined;
    if (seen) {
      if (seen.path !== path || seen.raw !== raw) {
        return this.error(res, { status: 400, type: "idempotency_error", message: "Keys for idempotent requests can only be used with the same parameters they were first used with." });
      }
      return this.json(res, seen.status, seen.body, { "idempotent-replayed": "true" });
    }
    // The answer below (sent synchronously from here on) is remembered under the key, as Stripe does for 24 hours.
    this.answering = key ? { key, path, raw } : null;

    const failure = this.failures.get(path)?.shift();
    if (failure) return this.error(res, failure);

    const route = `${req.method} ${path}`;
    const now = Math.floor(Date.now() / 1000);
    const metadata = nested(form, "metadata");
    switch (route) {
      case "POST /v1/customers": {
        const customer = {
          id: stripeId("cus"),
          object: "customer",
          created: now,
          email: form.email ?? null,
          name: form.name ?? null,
          metadata,
          livemode: false,
        };
        this.customers.set(customer.id, customer);
        return this.json(res, 200, customer);
      }
      case "POST /v1/checkout/sessions": {
        if (form.customer && !this.customers.has(form.customer)) {
          return this.error(res, { status: 400, type: "invalid_request_error", code: "resource_missing", message: `No such customer: '${form.customer}'` });
        }
        if (!form.success_url) return this.error(res, { status: 400, type: "invalid_request_error", code: "parameter_missing", message: "Missing required param: success_url." });
        const id = stripeId("cs");
        return this.json(res, 200, {
          id,
          object: "checkout.session",
          created: now,
          customer: form.customer ?? null,
          client_reference_id: form.client_reference_id ?? null,
          mode: form.mode,
          status: "open",
          payment_status: "unpaid",
          metadata,
          success_url: form.success_url,
          cancel_url: form.cancel_url ?? null,
          subscription: null,
          url: `https://checkout.stripe.test/c/pay/${id}`,
          livemode: false,
        });
      }
      case "POST /v1/billing_portal/sessions": {
        if (!form.customer || !this.customers.has(form.customer)) {
          return this.error(res, { status: 400, type: "invalid_request_error", code: "resource_missing", message: `No such customer: '${form.customer}'` });
        }
        const id = stripeId("bps");
        return this.json(res, 200, {
          id,
          object: "billing_portal.session",
          created: now,
          customer: form.customer,
          return_url: form.return_url ?? null,
          url: `https://billing.stripe.test/p/session/${id}`,
          livemode: false,
        });
      }
      default:
        return this.error(res, { status: 404, type: "invalid_request_error", message: `Unrecognized request URL (${route}).` });
    }
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (this.answering && status < 500) this.idempotent.set(this.answering.key, { path: this.answering.path, raw: this.answering.raw, status, body });
    this.answering = null;
    res.writeHead(status, { "content-type": "application/json", "request-id": `req_${randomBytes(8).toString("hex")}`, ...headers });
    res.end(JSON.stringify(body));
  }

  private error(res: ServerResponse, e: StripeErrorScript): void {
    // Stripe-Should-Retry: false keeps the SDK from retrying a scripted failure.
    this.json(res, e.status, { error: { type: e.type, message: e.message, ...(e.code && { code: e.code }) } }, { "stripe-should-retry": "false" });
  }
}

/** `metadata[userId]=…&metadata[plan]=…` → `{ userId, plan }`. */
function nested(form: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(form)) {
    const m = key.match(new RegExp(`^${prefix}\\[([^\\]]+)\\]$`));
    if (m) out[m[1]!] = value;
  }
  return out;
}
