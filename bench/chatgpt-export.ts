/**
 * Synthetic ChatGPT "Export data" `conversations.json` files of realistic shape for `bench/import.ts`
 * (formats README §1): one line, a top-level array of conversations whose `mapping` is a message tree with
 * the `client-created-root` (or a uuid root in older-style conversations), a hidden system message, sometimes
 * hidden Custom Instructions, user/assistant turns with tool turns (code interpreter, browsing, image
 * generation), reasoning ("thoughts") nodes, multimodal prompts with image pointers and attachments, edited
 * prompts and regenerated answers as branches, float `create_time`s and `metadata.model_slug`.
 *
 * Text is written the way OpenAI's exporter (Python's json.dumps) writes it: every non-ASCII character as a
 * `\uXXXX` escape, newlines as `\n`. User prompts are 20–2,000 characters, built from the search benchmark's
 * vocabulary (bench/corpus.ts), with people's habits: follow-ups such as "make it shorter" repeat constantly,
 * favourite prompts come back word for word, and others come back slightly edited. Assistant replies are long
 * markdown answers drawn from a pool built once (the importer never reads them, so uniqueness does not matter).
 *
 * Streamed to disk: each conversation is built as a small string, appended to a ~8 MB chunk written with one
 * writeSync; the whole file never exists in memory. Deterministic for a given seed.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { generatePrompt, rng, type Rng } from "./corpus";

export type ExportStats = {
  path: string;
  bytes: number;
  conversations: number;
  nodes: number;
  /** User messages the importer should return as prompts (active and abandoned branches). */
  prompts: number;
  abandonedPrompts: number;
  exactRepeats: number;
  nearRepeats: number;
  followUps: number;
  multimodal: number;
  hiddenUserMessages: number;
  promptChars: number;
  seconds: number;
};

export type ExportOptions = {
  path: string;
  /** Stop once the file reaches this many bytes (checked after each conversation)… */
  targetBytes?: number;
  /** …or once it holds this many prompts. */
  targetPrompts?: number;
  seed?: number;
};

const pick = <T>(r: Rng, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

// ---- escaping (Python json.dumps with ensure_ascii) -------------------------------------------------------

const NON_ASCII = /[\u007f-\uffff]/;
const NON_ASCII_ALL = /[\u007f-\uffff]/g;
const hex4 = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
/** A JSON string literal, ASCII only. */
export function jsonString(text: string): string {
  const s = JSON.stringify(text);
  return NON_ASCII.test(s) ? s.replace(NON_ASCII_ALL, hex4) : s;
}

// ---- ids ----------------------------------------------------------------------------------------------

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
function word32(r: Rng): string {
  const v = Math.floor(r() * 4294967296);
  return HEX[v >>> 24]! + HEX[(v >>> 16) & 255]! + HEX[(v >>> 8) & 255]! + HEX[v & 255]!;
}
function uuid(r: Rng): string {
  const a = word32(r);
  const b = word32(r);
  const c = word32(r);
  const d = word32(r);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${"89ab"[Math.floor(r() * 4)]}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

// ---- assistant text -----------------------------------------------------------------------------------

const OPENERS = [
  "Sure \u2014 here\u2019s a clear way to approach it.",
  "Great question! Let\u2019s break it down step by step.",
  "Here\u2019s a revised version that keeps your meaning but reads more smoothly:",
  "Below is a practical plan you can adapt to your situation.",
  "Absolutely. There are a few things worth checking first.",
  "Got it \u2014 here\u2019s what I\u2019d recommend, with the reasoning behind each point.",
];
const HEADINGS = ["Overview", "Key points", "Step-by-step", "Example", "Things to watch out for", "Why this works", "Next steps", "Summary", "Trade-offs", "Checklist"];
const PHRASES = [
  "the main trade-off is between simplicity and flexibility",
  "you\u2019ll want to measure before optimising anything",
  "this keeps the public interface unchanged",
  "it\u2019s worth writing a small test that reproduces the problem first",
  "the audience cares more about outcomes than features",
  "a shorter sentence usually lands better in the opening line",
  "keep the tone warm but avoid over-apologising",
  "the study\u2019s sample size is small, so treat the effect as preliminary",
  "retries should be idempotent, otherwise you risk double-charging",
  "caching helps only if the hit rate is high enough to matter",
  "a checklist makes the process repeatable for the whole team",
  "you can phrase the call to action as a question",
  "the numbers in the second table don\u2019t add up to 100%",
  "index the column you filter on, then check the query plan",
  "mention the deadline early so the reader knows what\u2019s expected",
  "the risk is low, but document the assumption anyway",
  "start with the customer\u2019s problem, not with the product",
  "split the function so each part does one thing",
];
const TERMS = ["Scope", "Performance", "Readability", "Tone", "Evidence", "Structure", "Cost", "Timeline", "Risk", "Testing", "Audience", "Security", "Clarity", "Ownership"];
const CODE_LINES = [
  "def handler(event, context):",
  "    items = [parse(x) for x in event[\"records\"]]",
  "    return {\"status\": 200, \"count\": len(items)}",
  "const result = await db.select().from(users).where(eq(users.id, id));",
  "for (const row of rows) totals.set(row.key, (totals.get(row.key) ?? 0) + row.value);",
  "SELECT user_id, count(*) FROM events WHERE created_at > now() - interval '7 days' GROUP BY 1;",
  "if err != nil {\n        return fmt.Errorf(\"load config: %w\", err)\n    }",
  "df = df.groupby(\"region\").agg({\"revenue\": \"sum\"}).reset_index()",
  "  retry: { attempts: 3, backoffMs: 250 },",
];

function sentence(r: Rng): string {
  const p = pick(r, PHRASES);
  const s = `${p[0]!.toUpperCase()}${p.slice(1)}`;
  return r() < 0.4 ? `${s}, and ${pick(r, PHRASES)}.` : `${s}.`;
}

function paragraph(r: Rng, sentences: number): string {
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) out.push(sentence(r));
  return out.join(" ");
}

/** A markdown answer of about `target` characters. */
function assistantText(r: Rng, target: number): string {
  const blocks: string[] = [pick(r, OPENERS)];
  let size = blocks[0]!.length;
  while (size < target) {
    const u = r();
    let block: string;
    if (u < 0.2) block = `### ${pick(r, HEADINGS)}`;
    else if (u < 0.45) {
      const items: string[] = [];
      for (let i = 0, n = 3 + Math.floor(r() * 5); i < n; i++) items.push(`${r() < 0.5 ? "-" : `${i + 1}.`} **${pick(r, TERMS)}**: ${sentence(r)}`);
      block = items.join("\n");
    } else if (u < 0.55) {
      const lines: string[] = [];
      for (let i = 0, n = 3 + Math.floor(r() * 8); i < n; i++) lines.push(pick(r, CODE_LINES));
      block = `\`\`\`${pick(r, ["python", "ts", "sql", "go", "yaml"])}\n${lines.join("\n")}\n\`\`\``;
    } else block = paragraph(r, 2 + Math.floor(r() * 4));
    blocks.push(block);
    size += block.length + 2;
  }
  if (r() < 0.5) blocks.push(`Would you like me to ${pick(r, ["turn this into a checklist", "shorten it", "add examples", "write the tests too", "adapt it for another audience"])}?`);
  return blocks.join("\n\n");
}

/** Answer lengths: mostly 1–4 KB, a long tail up to ~12 KB. */
function answerLength(r: Rng): number {
  const u = r();
  if (u < 0.15) return 250 + Math.floor(r() * 750);
  if (u < 0.75) return 1000 + Math.floor(r() * 3000);
  if (u < 0.95) return 4000 + Math.floor(r() * 4000);
  return 8000 + Math.floor(r() * 4000);
}

// ---- user prompts ---------------------------------------------------------------------------------------

const FOLLOW_UPS = [
  "continue",
  "Continue.",
  "Make it shorter.",
  "make it more concise",
  "Can you make it more formal?",
  "Thanks! Now translate it into Spanish.",
  "Explain that like I'm five.",
  "Give me three more options.",
  "rewrite it in a friendlier tone",
  "Why?",
  "Can you add error handling?",
  "Now write unit tests for it.",
  "That didn't work, I get the same error.",
  "Put it in a table.",
  "Summarize the above in 5 bullet points.",
  "ok, and what about performance?",
  "Use TypeScript instead.",
  "Shorter, please \u2014 it's for a tweet.",
  "Can you give an example?",
  "Perfect, thanks!",
  "Make the subject line catchier.",
  "Add a call to action at the end.",
  "What are the risks?",
  "Check this for grammar mistakes.",
];
const NAMES = ["Jos\u00e9", "Zo\u00eb", "Ren\u00e9e", "Bj\u00f6rn", "Fran\u00e7ois", "Ma\u00eblle"];
const SHORT_ASKS = [
  "What is {x} in simple terms?",
  "Give me a name idea for {x}.",
  "Is {x} a good idea?",
  "Quick summary of {x}, please.",
  "How do I start with {x}?",
];
const SHORT_TOPICS = ["vector databases", "sourdough starters", "index funds", "OKRs", "the CAP theorem", "a 5k training plan", "GraphQL", "cold emails", "Kubernetes probes", "a product roadmap"];

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(" ", max);
  return text.slice(0, cut > max / 2 ? cut : max).trimEnd();
}

/** A fresh prompt of 20–2,000 characters. */
function freshPrompt(r: Rng): string {
  if (r() < 0.12) return pick(r, SHORT_ASKS).replace("{x}", pick(r, SHORT_TOPICS)) + (r() < 0.5 ? ` I'm a ${pick(r, ["student", "PM", "designer", "nurse", "founder"])}.` : "");
  let text = clip(generatePrompt(r).body, 2000);
  if (r() < 0.05) text = `${text}\n\nThanks, ${pick(r, NAMES)} \ud83d\ude4f`;
  else if (r() < 0.08) text = text.replace(/'/g, "\u2019");
  return text.length >= 20 ? text : `${text} Please be specific.`;
}

/** A favourite prompt edited a little: one word changed or a sentence added (MinHash still calls it the same). */
function nearRepeat(r: Rng, text: string): string {
  const words = text.split(" ");
  if (words.length < 40 || r() < 0.4) return `${text}${r() < 0.5 ? " Keep it under 300 words." : "\n\nAlso, use British spelling."}`;
  const i = Math.floor(words.length * (0.3 + r() * 0.6));
  words[i] = pick(r, ["really", "carefully", "new", "clear", "short", "detailed"]);
  return words.join(" ");
}

// ---- messages -------------------------------------------------------------------------------------------

const MODELS = ["gpt-4o", "gpt-4o", "gpt-4o", "gpt-4o-mini", "o3", "o4-mini-high", "gpt-4-5", "gpt-5", "text-davinci-002-render-sha"];
const THINKING = new Set(["o3", "o4-mini-high", "gpt-5"]);

const timeLiteral = (t: number) => t.toFixed(6);

function userMetadata(r: Rng, extra = ""): string {
  return `{"selected_github_repos":[],"selected_all_github_repos":false,"serialization_metadata":{"custom_symbol_offsets":[]},"request_id":"${word32(r)}${word32(r)}-IAD","message_source":null,"timestamp_":"absolute","message_type":null${extra}}`;
}

function assistantMetadata(r: Rng, model: string, parent: string, extra = ""): string {
  return `{"finish_details":{"type":"stop","stop_tokens":[200002]},"is_complete":true,"citations":[],"content_references":[],"message_type":null,"model_slug":"${model}","default_model_slug":"${model}","parent_id":"${parent}","request_id":"${word32(r)}${word32(r)}-IAD","timestamp_":"absolute"${extra}}`;
}

function message(id: string, role: string, name: string | null, time: number | null, content: string, metadata: string, opts: { endTurn?: string; recipient?: string; weight?: string; channel?: string } = {}): string {
  return (
    `{"id":"${id}","author":{"role":"${role}","name":${name === null ? "null" : `"${name}"`},"metadata":{}},"create_time":${time === null ? "null" : timeLiteral(time)},` +
    `"update_time":null,"content":${content},"status":"finished_successfully","end_turn":${opts.endTurn ?? "null"},"weight":${opts.weight ?? "1.0"},` +
    `"metadata":${metadata},"recipient":"${opts.recipient ?? "all"}","channel":${opts.channel ?? "null"}}`
  );
}

type Node = { id: string; parent: string | null; children: string[]; message: string | null };

/**
 * Builds exports. One generator per file; the pools (assistant answers, favourite prompts) are built once.
 */
export class ChatGptExportGenerator {
  private readonly r: Rng;
  private readonly answers: string[];
  private readonly favourites: string[];
  private readonly followUps: readonly string[];
  private stats!: ExportStats;
  private clock = 1_683_000_000;

  constructor(seed = 7) {
    this.r = rng(seed);
    const r = this.r;
    this.answers = Array.from({ length: 1500 }, () => jsonString(assistantText(r, answerLength(r))));
    // Prompts a person keeps coming back to (templates they paste again and again).
    this.favourites = Array.from({ length: 400 }, () => freshPrompt(r));
    this.followUps = FOLLOW_UPS;
  }

  /** A prompt typed to start something (not a follow-up): a favourite again, a favourite edited, or a new one. */
  private nextPrompt(): string {
    const r = this.r;
    const u = r();
    if (u < 0.13) {
      this.stats.exactRepeats++;
      return pick(r, this.favourites);
    }
    if (u < 0.23) {
      this.stats.nearRepeats++;
      return nearRepeat(r, pick(r, this.favourites));
    }
    return freshPrompt(r);
  }

  private answer(): string {
    return this.answers[Math.floor(this.r() * this.answers.length)]!;
  }

  /** One conversation as JSON text. */
  conversation(): string {
    const r = this.r;
    const s = this.stats;
    const nodes: Node[] = [];
    const byId = new Map<string, Node>();
    const add = (parent: string | null, msg: ((id: string) => string) | null, id = uuid(r)): string => {
      const node: Node = { id, parent, children: [], message: msg ? msg(id) : null };
      nodes.push(node);
      byId.set(id, node);
      if (parent) byId.get(parent)!.children.push(id);
      return id;
    };
    const model = pick(r, MODELS);
    this.clock += 600 + r() * 86_400 * 2;
    const start = this.clock;
    let t = start;
    const tick = (s2: number) => (t += s2 + r());

    // Root, hidden system message, sometimes hidden Custom Instructions.
    const modern = r() < 0.75;
    const root = add(null, null, modern ? "client-created-root" : uuid(r));
    let tip = add(root, (id) =>
      message(id, "system", null, null, '{"content_type":"text","parts":[""]}', '{"is_visually_hidden_from_conversation":true}', { weight: "0.0", endTurn: "true" }),
    );
    if (r() < 0.15) {
      s.hiddenUserMessages++;
      tip = add(tip, (id) =>
        message(
          id,
          "user",
          null,
          null,
          `{"content_type":"user_editable_context","user_profile":${jsonString("I'm a product manager at a fintech start-up.")},"user_instructions":${jsonString("Be concise. Use British spelling.")}}`,
          '{"is_visually_hidden_from_conversation":true,"user_context_message_data":{"about_user_message":"I\'m a product manager.","about_model_message":"Be concise."},"is_user_system_message":true}',
        ),
      );
    }

    const userNode = (parent: string, text: string, multimodal: boolean): string => {
      s.prompts++;
      s.promptChars += text.length;
      if (!multimodal) return add(parent, (id) => message(id, "user", null, tick(5), `{"content_type":"text","parts":[${jsonString(text)}]}`, userMetadata(r)));
      s.multimodal++;
      const file = `file_${word32(r)}${word32(r)}${word32(r)}${word32(r)}`;
      const [w, h] = pick(r, [[1024, 768], [1179, 2556], [800, 600]] as const);
      const part = `{"content_type":"image_asset_pointer","asset_pointer":"sediment://${file}","size_bytes":${100_000 + Math.floor(r() * 900_000)},"width":${w},"height":${h},"fovea":null,"metadata":{"dalle":null,"gizmo":null,"generation":null,"container_pixel_height":null,"container_pixel_width":null,"emu_omit_glimpse_image":null,"emu_patches_override":null,"sanitized":true,"asset_pointer_link":null,"watermarked_asset_pointer":null}}`;
      const attachment = `,"attachments":[{"id":"${file}","size":${200_000 + Math.floor(r() * 800_000)},"name":"IMG_${1000 + Math.floor(r() * 9000)}.jpeg","mime_type":"image/jpeg","width":${w},"height":${h}}]`;
      return add(parent, (id) => message(id, "user", null, tick(5), `{"content_type":"multimodal_text","parts":[${part},${jsonString(text)}]}`, userMetadata(r, attachment)));
    };

    /** The assistant's side of one turn (reasoning, tools, the reply); returns the last node. */
    const assistantTurn = (parent: string): string => {
      let at = parent;
      if (THINKING.has(model) && r() < 0.7) {
        const thought = jsonString(paragraph(r, 3 + Math.floor(r() * 6)));
        at = add(at, (id) =>
          message(id, "assistant", null, tick(2), `{"content_type":"thoughts","thoughts":[{"summary":"Thinking it through","content":${thought},"chunks":[],"finished":true}],"source_analysis_msg_id":"${uuid(r)}"}`, assistantMetadata(r, model, at), { channel: '"analysis"' }),
        );
        const secs = 2 + Math.floor(r() * 40);
        at = add(at, (id) => message(id, "assistant", null, tick(1), `{"content_type":"reasoning_recap","content":"Thought for ${secs}s"}`, assistantMetadata(r, model, at)));
      }
      const tool = r();
      if (tool < 0.06) {
        // Code interpreter: code, its output, then the answer.
        const code = jsonString(Array.from({ length: 4 + Math.floor(r() * 10) }, () => pick(r, CODE_LINES)).join("\n"));
        at = add(at, (id) => message(id, "assistant", null, tick(3), `{"content_type":"code","language":"unknown","response_format_name":null,"text":${code}}`, assistantMetadata(r, model, at), { recipient: "python", endTurn: "false" }));
        at = add(at, (id) =>
          message(id, "tool", "python", tick(1), `{"content_type":"execution_output","text":${jsonString(`   region  revenue\n0  EMEA    ${Math.floor(r() * 1e6)}\n1  APAC    ${Math.floor(r() * 1e6)}`)}}`, `{"is_complete":true,"aggregate_result":{"status":"success","run_id":"${uuid(r)}","start_time":${timeLiteral(t)},"update_time":${timeLiteral(t + 1)},"code":"","end_time":${timeLiteral(t + 1)},"final_expression_output":null,"in_kernel_exception":null,"system_exception":null,"messages":[],"jupyter_messages":[],"timeout_triggered":null}}`),
        );
      } else if (tool < 0.11) {
        // Browsing: a search call and the tool's result page.
        const q = jsonString(pick(r, SHORT_TOPICS) + " best practices 2025");
        at = add(at, (id) => message(id, "assistant", null, tick(2), `{"content_type":"code","language":"unknown","response_format_name":null,"text":${jsonString(`{"search_query":[{"q":${q}}]}`)}}`, assistantMetadata(r, model, at), { recipient: "web.run", endTurn: "false" }));
        at = add(at, (id) =>
          message(id, "tool", "web.run", tick(2), `{"content_type":"tether_browsing_display","result":${jsonString(paragraph(r, 6))},"summary":null,"assets":null,"tether_id":null}`, `{"search_result_groups":[{"type":"search_result_group","domain":"example.com","entries":[{"type":"search_result","url":"https://example.com/${word32(r)}","title":${jsonString(pick(r, HEADINGS))},"snippet":${jsonString(sentence(r))},"ref_id":{"turn_index":0,"ref_type":"search","ref_index":0},"pub_date":null,"attribution":"example.com"}]}],"is_complete":true}`),
        );
      } else if (tool < 0.13) {
        // Image generation: the tool returns a multimodal message with an image pointer.
        at = add(at, (id) => message(id, "assistant", null, tick(2), `{"content_type":"text","parts":[${jsonString(`{"prompt":"a watercolor of ${pick(r, SHORT_TOPICS)}","size":"1024x1024"}`)}]}`, assistantMetadata(r, model, at), { recipient: "dalle.text2im", endTurn: "false" }));
        at = add(at, (id) =>
          message(id, "tool", "dalle.text2im", tick(20), `{"content_type":"multimodal_text","parts":[{"content_type":"image_asset_pointer","asset_pointer":"sediment://file_${word32(r)}${word32(r)}","size_bytes":412345,"width":1024,"height":1024,"fovea":null,"metadata":{"dalle":{"gen_id":"${word32(r)}","prompt":"","seed":null,"parent_gen_id":null,"edit_op":null,"serialization_title":"DALL-E generation metadata"},"sanitized":false}}]}`, '{"is_complete":true}'),
        );
      }
      return add(at, (id) => message(id, "assistant", null, tick(8), `{"content_type":"text","parts":[${this.answer()}]}`, assistantMetadata(r, model, at), { endTurn: "true" }));
    };

    // The turns: 1–30, geometric-ish around 6.
    const turns = Math.min(30, 1 + Math.floor(-Math.log(1 - r()) * 5.5));
    for (let turn = 0; turn < turns; turn++) {
      let text: string;
      if (turn > 0 && r() < 0.4) {
        text = pick(r, this.followUps);
        s.followUps++;
      } else text = this.nextPrompt();
      const multimodal = r() < 0.05;
      if (r() < 0.06) {
        // An edited prompt: the older version stays as an abandoned branch with its own answer.
        const older = userNode(tip, r() < 0.6 ? nearRepeat(r, text) : this.nextPrompt(), false);
        s.abandonedPrompts++;
        assistantTurn(older);
      }
      const user = userNode(tip, text, multimodal);
      if (r() < 0.05) assistantTurn(user); // a regenerated answer: the first one is abandoned
      tip = assistantTurn(user);
    }

    const title = jsonString(clip(pick(r, ["", "Refactor request", "Email draft", "Trip ideas", "SQL help", "Marketing copy", "Research summary"]) || "New chat", 60));
    const mapping = nodes
      .map((n) => `"${n.id}":{"id":"${n.id}","message":${n.message ?? "null"},"parent":${n.parent === null ? "null" : `"${n.parent}"`},"children":[${n.children.map((c) => `"${c}"`).join(",")}]}`)
      .join(",");
    s.nodes += nodes.length;
    s.conversations++;
    const id = uuid(r);
    return (
      `{"title":${title},"create_time":${timeLiteral(start)},"update_time":${timeLiteral(t)},"mapping":{${mapping}},"moderation_results":[],"current_node":"${tip}",` +
      `"plugin_ids":null,"conversation_id":"${id}","conversation_template_id":null,"gizmo_id":null,"gizmo_type":null,"is_archived":false,"is_starred":null,` +
      `"safe_urls":[],"blocked_urls":[],"default_model_slug":"${model}","conversation_origin":null,"voice":null,"async_status":null,"disabled_tool_ids":[],` +
      `"is_do_not_remember":false,"memory_scope":"global_enabled","sugar_item_id":null,"id":"${id}"}`
    );
  }

  /** Writes one export file, streamed in ~8 MB writes. */
  write(options: ExportOptions): ExportStats {
    const t0 = performance.now();
    this.stats = {
      path: options.path,
      bytes: 0,
      conversations: 0,
      nodes: 0,
      prompts: 0,
      abandonedPrompts: 0,
      exactRepeats: 0,
      nearRepeats: 0,
      followUps: 0,
      multimodal: 0,
      hiddenUserMessages: 0,
      promptChars: 0,
      seconds: 0,
    };
    const fd = openSync(options.path, "w");
    try {
      let pending = "[";
      let bytes = 0;
      const flush = () => {
        bytes += writeSync(fd, pending, null, "latin1"); // the text is ASCII: latin1 is a plain byte copy
        pending = "";
      };
      const done = () =>
        (options.targetBytes !== undefined && bytes + pending.length >= options.targetBytes) || (options.targetPrompts !== undefined && this.stats.prompts >= options.targetPrompts);
      let first = true;
      while (!done()) {
        pending += first ? this.conversation() : `,${this.conversation()}`;
        first = false;
        if (pending.length >= 8 * 1024 * 1024) flush();
      }
      pending += "]";
      flush();
      this.stats.bytes = bytes;
    } finally {
      closeSync(fd);
    }
    this.stats.seconds = (performance.now() - t0) / 1000;
    return { ...this.stats };
  }
}
