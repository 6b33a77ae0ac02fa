import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { LocalServer } from "./local-server";

/**
 * A local stand-in for the OpenAI HTTP API, so the real `openai` SDK (and our engine around it) is tested
 * against the protocol rather than against a mock of our own code. It speaks what the engine uses:
 *
 *   POST /v1/chat/completions   JSON in, a `chat.completion` object (or an OpenAI-style error) out
 *   GET  /v1/models             a `list` of models (the cheap call that checks a key)
 *
 * Each test scripts it with a queue of behaviours per endpoint, consumed one per request in arrival order. An
 * empty chat queue falls back to `fallback` (by default: a 500 that tells the SDK not to retry, so an
 * unscripted call fails loudly); an empty models queue lists a few models. Every request is recorded,
 * headers and parsed body included.
 * Like the real service it checks the API key first when `acceptedKeys` is set, and answers 401.
 */
export type Judged = { before: number; after: number };
export type OptimizationOutput = { rewritten: string; changes: { change: string; reason: string }[]; judged: Judged };
export type ProviderUsage = { prompt_tokens: number; completion_tokens: number; cached_tokens?: number };

export type Behaviour =
  /** A structured-output answer: `content` is the JSON of `output`, with a usage block. */
  | { kind: "optimization"; output: OptimizationOutput; usage?: ProviderUsage | null; model?: string }
  /** An answer whose content is exactly this string (not JSON, or JSON that does not match the schema). */
  | { kind: "content"; content: string; usage?: ProviderUsage | null; model?: string }
  /** An answer whose content this function computes from the request's JSON body (for answers that depend on the input). */
  | { kind: "compute"; content: (body: any) => string; usage?: ProviderUsage | null; model?: string }
  /** An OpenAI-style error: 401, 429 (optionally with retry-after), 500… */
  | { kind: "error"; status: number; retryAfter?: string; message?: string; code?: string; type?: string }
  /** Wait `ms` before answering with `then` (the client may give up first). */
  | { kind: "delay"; ms: number; then: Behaviour }
  /** The model list answered by GET /v1/models. */
  | { kind: "models"; ids?: string[] };

export type RecordedRequest = {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The bearer token the client sent (the API key), or null. */
  apiKey: string | null;
  body: any;
  receivedAt: number;
};

export const DEFAULT_USAGE: ProviderUsage = { prompt_tokens: 412, completion_tokens: 187, cached_tokens: 0 };

/** A rewrite that reads like a model's: a role, sections, and the original's {{variables}}. */
export function sampleOutput(overrides: Partial<OptimizationOutput> = {}): OptimizationOutput {
  return {
    rewritten:
      "## Role\nYou are an experienced technical editor.\n\n## Task\nSummarise {{document}} in {{count}} bullet points for a busy engineering manager.\n\n## Output format\n- Return a Markdown bulleted list, most important point first.\n\n## Constraints\n- Do not invent facts that are not in the document.\n- Keep each bullet under 25 words.",
    changes: [
      { change: "Added a role", reason: "Sets the expertise and register of the answer." },
      { change: "Specified the output format", reason: "A stated format makes the answers consistent." },
    ],
    judged: { before: 38.4, after: 81.6 },
    ...overrides,
  };
}

export class FakeOpenAi extends LocalServer {
  readonly requests: RecordedRequest[] = [];
  private readonly chatQueue: Behaviour[] = [];
  private readonly modelsQueue: Behaviour[] = [];
  /** When set, any other bearer token is refused with 401 before the queue is looked at. */
  acceptedKeys: Set<string> | null = null;
  /** A misbehaving server that repeats the whole key in its 401 message (OpenAI masks it). */
  echoKeyInErrors = false;
  fallback: Behaviour | null = null;

  /** The base URL to give the SDK (`…/v1`). */
  get baseURL(): string {
    return `${this.origin}/v1`;
  }

  /** Scripts the next answers of POST /v1/chat/completions, in order. */
  enqueue(...behaviours: Behaviour[]): this {
    this.chatQueue.push(...behaviours);
    return this;
  }

  /** Scripts the next answers of GET /v1/models, in order. */
  enqueueModels(...behaviours: Behaviour[]): this {
    this.modelsQueue.push(...behaviours);
    return this;
  }

  /** Forgets the script, the recorded requests and the key rules (between tests). */
  reset(): void {
    this.chatQueue.length = 0;
    this.modelsQueue.length = 0;
    this.requests.length = 0;
    this.acceptedKeys = null;
    this.echoKeyInErrors = false;
    this.fallback = null;
  }

  /** Scripted behaviours not used yet (a test that queued more than it used is wrong about the flow). */
  get pending(): number {
    return this.chatQueue.length + this.modelsQueue.length;
  }

  chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === "/v1/chat/completions");
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const path = (req.url ?? "/").split("?")[0]!;
    const auth = req.headers.authorization;
    const apiKey = typeof auth === "string" && auth.startsWith("Bearer ") ? auth.slice("Bearer ".length) : null;
    let body: any = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    this.requests.push({ method: req.method ?? "", path, headers: { ...req.headers }, apiKey, body, receivedAt: Date.now() });

    const route = `${req.method} ${path}`;
    if (route !== "POST /v1/chat/completions" && route !== "GET /v1/models") {
      return this.sendError(res, { kind: "error", status: 404, message: `Unknown route ${route}`, type: "invalid_request_error", code: "unknown_url" });
    }
    if (!apiKey) return this.sendError(res, { kind: "error", status: 401, message: "You didn't provide an API key.", type: "invalid_request_error" });
    if (this.acceptedKeys && !this.acceptedKeys.has(apiKey)) return this.sendError(res, this.invalidKey(apiKey));
    if (route === "POST /v1/chat/completions") {
      const problem = this.validateChatRequest(req, body);
      if (problem) return this.sendError(res, { kind: "error", status: 400, message: problem, type: "invalid_request_error" });
    }

    const behaviour = route === "GET /v1/models" ? (this.modelsQueue.shift() ?? ({ kind: "models" } as const)) : (this.chatQueue.shift() ?? this.fallback);
    if (!behaviour) {
      // x-should-retry: false keeps the SDK from retrying a test's missing script.
      return this.sendError(res, { kind: "error", status: 500, message: "fake-openai: no behaviour queued for this request" }, { "x-should-retry": "false" });
    }
    await this.respond(req, res, behaviour, body);
  }

  private async respond(req: IncomingMessage, res: ServerResponse, behaviour: Behaviour, body: any): Promise<void> {
    switch (behaviour.kind) {
      case "delay": {
        const gone = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), behaviour.ms);
          res.once("close", () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        if (gone || res.destroyed) return;
        return this.respond(req, res, behaviour.then, body);
      }
      case "error":
        return this.sendError(res, behaviour, behaviour.retryAfter ? { "retry-after": behaviour.retryAfter } : {});
      case "models": {
        const ids = behaviour.ids ?? ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini"];
        return this.sendJson(res, 200, { object: "list", data: ids.map((id) => ({ id, object: "model", created: 1_715_367_049, owned_by: "system" })) });
      }
      case "optimization":
      case "compute":
      case "content": {
        const content = behaviour.kind === "optimization" ? JSON.stringify(behaviour.output) : behaviour.kind === "compute" ? behaviour.content(body) : behaviour.content;
        const usage = behaviour.usage === undefined ? DEFAULT_USAGE : behaviour.usage;
        return this.sendJson(res, 200, {
          id: `chatcmpl-${randomUUID().replaceAll("-", "").slice(0, 24)}`,
          object: "chat.completion",
          created: Math.floor(Date.now() / 1000),
          model: behaviour.model ?? body?.model ?? "gpt-4o-mini",
          system_fingerprint: "fp_fake",
          choices: [{ index: 0, message: { role: "assistant", content, refusal: null, annotations: [] }, logprobs: null, finish_reason: "stop" }],
          ...(usage && {
            usage: {
              prompt_tokens: usage.prompt_tokens,
              completion_tokens: usage.completion_tokens,
              total_tokens: usage.prompt_tokens + usage.completion_tokens,
              prompt_tokens_details: { cached_tokens: usage.cached_tokens ?? 0, audio_tokens: 0 },
              completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
            },
          }),
        });
      }
    }
  }

  /** What the real API would refuse with a 400: the engine must send a well-formed structured-output request. */
  private validateChatRequest(req: IncomingMessage, body: any): string | null {
    if (!String(req.headers["content-type"] ?? "").includes("application/json")) return "Content-Type must be application/json.";
    if (!body || typeof body !== "object") return "We could not parse the JSON body of your request.";
    if (typeof body.model !== "string" || !body.model) return "you must provide a model parameter";
    if (!Array.isArray(body.messages) || body.messages.length === 0) return "[] is too short - 'messages'";
    for (const m of body.messages) {
      if (!["system", "developer", "user", "assistant", "tool"].includes(m?.role) || typeof m?.content !== "string") return "Invalid value for 'messages'.";
    }
    const format = body.response_format;
    if (format !== undefined) {
      if (format.type !== "json_schema" || typeof format.json_schema?.name !== "string" || typeof format.json_schema?.schema !== "object") {
        return "Invalid 'response_format': expected a json_schema with a name and a schema.";
      }
    }
    return null;
  }

  private invalidKey(apiKey: string): Extract<Behaviour, { kind: "error" }> {
    // OpenAI masks all but the start and the last four characters; a careless compatible server might not.
    const shown = this.echoKeyInErrors ? apiKey : `${apiKey.slice(0, 3)}${"*".repeat(Math.max(0, apiKey.length - 7))}${apiKey.slice(-4)}`;
    return { kind: "error", status: 401, message: `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: "invalid_request_error", code: "invalid_api_key" };
  }

  private sendError(res: ServerResponse, error: Extract<Behaviour, { kind: "error" }>, headers: Record<string, string> = {}): void {
    const type = error.type ?? (error.status === 429 ? "requests" : error.status >= 500 ? "server_error" : "invalid_request_error");
    const code = error.code ?? (error.status === 429 ? "rate_limit_exceeded" : error.status === 401 ? "invalid_api_key" : null);
    const message = error.message ?? (error.status === 429 ? "Rate limit reached for requests. Please try again later." : "The server had an error while processing your request.");
    this.sendJson(res, error.status, { error: { message, type, param: null, code } }, headers);
  }

  private sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
    if (res.destroyed) return;
    const text = JSON.stringify(payload);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "x-request-id": `req_${randomUUID().replaceAll("-", "")}`, ...headers });
    res.end(text);
  }
}
