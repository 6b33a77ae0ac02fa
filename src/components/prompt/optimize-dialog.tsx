"use client";

import { diffLines } from "diff";
import { Check, Loader2, Sparkles } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Modal } from "@/components/ui/modal";
import { Button } from "@/components/ui/button";
import { api, ApiError } from "@/lib/api";
import { timeAgo } from "@/lib/format";
import type { PromptDetail } from "@/lib/types";
import { LineDiff } from "./diff-view";

type Score = { total: number; dimensions: Record<string, number>; notes?: Record<string, string[]> };
type Optimization = {
  id: string;
  engine: string;
  engineLabel: string;
  model: string | null;
  keySource: "platform" | "user" | "none";
  original: string;
  rewritten: string;
  changes: { change: string; reason: string }[];
  scoreBefore: Score;
  scoreAfter: Score;
  judged: { before: number; after: number } | null;
  status: "proposed" | "accepted" | "rejected";
  acceptedVersion: number | null;
  createdAt: string;
};
type Plan = { engine: string; keySource: string; remainingPlatform: number | null; hasOwnKey: boolean };

const DIMENSION_LABELS: Record<string, string> = { clarity: "Clarity", specificity: "Specificity", context: "Context", structure: "Structure", outputFormat: "Output format", constraints: "Constraints" };

function engineText(o: Pick<Optimization, "engine" | "model" | "keySource">): string {
  if (o.engine === "builtin") return "Built-in optimizer (offline, deterministic)";
  return `${o.model ?? "AI model"} · ${o.keySource === "user" ? "your API key" : "PromptVault's AI"}`;
}

/** Optimize: rewrite → see the diff, each change with its reason, the scores → accept (new version) or reject. */
export function OptimizeDialog({ prompt, open, onClose, onAccepted }: { prompt: PromptDetail; open: boolean; onClose: () => void; onAccepted: (p: PromptDetail, o: Optimization) => void }) {
  const [plan, setPlan] = useState<Plan | null>(null);
  const [history, setHistory] = useState<Optimization[]>([]);
  const [current, setCurrent] = useState<Optimization | null>(null);
  const [running, setRunning] = useState(false);
  const [elapsed, setElapsed] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [errorCode, setErrorCode] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setInterval> | undefined>(undefined);

  useEffect(() => {
    if (!open) return;
    setError(null);
    api<Plan>("/api/optimize/plan").then(setPlan).catch(() => setPlan(null));
    api<{ optimizations: Optimization[] }>(`/api/prompts/${prompt.id}/optimizations`)
      .then((r) => {
        setHistory(r.optimizations);
        setCurrent((c) => c ?? r.optimizations.find((o) => o.status === "proposed") ?? null);
      })
      .catch(() => setHistory([]));
  }, [open, prompt.id]);

  async function run(engine: "auto" | "builtin") {
    setRunning(true);
    setError(null);
    setErrorCode(null);
    setElapsed(0);
    const started = Date.now();
    timer.current = setInterval(() => setElapsed(Math.round((Date.now() - started) / 1000)), 500);
    try {
      const result = await api<Optimization>(`/api/prompts/${prompt.id}/optimize`, { body: { engine } });
      setCurrent(result);
      setHistory((h) => [result, ...h]);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "The optimization failed. Nothing was saved.");
      setErrorCode(e instanceof ApiError ? e.code : null);
    } finally {
      clearInterval(timer.current);
      setRunning(false);
    }
  }

  async function decide(action: "accept" | "reject") {
    if (!current) return;
    setError(null);
    try {
      if (action === "accept") {
        const result = await api<{ optimization: Optimization; prompt: PromptDetail }>(`/api/optimizations/${current.id}/accept`, { method: "POST" });
        setCurrent(result.optimization);
        setHistory((h) => h.map((o) => (o.id === result.optimization.id ? result.optimization : o)));
        onAccepted(result.prompt, result.optimization);
      } else {
        const rejected = await api<Optimization>(`/api/optimizations/${current.id}/reject`, { method: "POST" });
        setCurrent(rejected);
        setHistory((h) => h.map((o) => (o.id === rejected.id ? rejected : o)));
      }
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not save your decision.");
    }
  }

  const planText = !plan
    ? ""
    : plan.keySource === "platform"
      ? `Uses PromptVault's AI (${plan.remainingPlatform} left this month)`
      : plan.keySource === "user"
        ? "Uses your own API key"
        : plan.engine === "builtin"
          ? "Uses the built-in optimizer (no AI service configured)"
          : "This month's included AI optimizations are used up";

  return (
    <Modal open={open} onClose={onClose} label="Optimize this prompt" title={<>Optimize “{prompt.title}”</>} subtitle={planText} width="max-w-4xl">
      {error && (
        <Alert>
          {error}
          {errorCode === "payment_required" && (
            <span className="mt-2 flex gap-2">
              <a href="/settings#ai-key" className="underline">
                Add your API key
              </a>
              <button type="button" className="underline" onClick={() => run("builtin")}>
                Use the built-in optimizer
              </button>
            </span>
          )}
        </Alert>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <Button variant="primary" onClick={() => run("auto")} disabled={running || Boolean(prompt.deletedAt)}>
          {running ? <Loader2 className="h-4 w-4 animate-spin" /> : <Sparkles className="h-4 w-4" />}
          {running ? `Optimizing… ${elapsed}s` : current ? "Optimize again" : "Optimize"}
        </Button>
        {plan && plan.engine !== "builtin" && (
          <Button onClick={() => run("builtin")} disabled={running}>
            Use the built-in optimizer
          </Button>
        )}
      </div>
      {current && <Result o={current} onDecide={decide} />}
      {history.length > 1 && (
        <div>
          <h3 className="mb-1.5 text-sm font-medium text-slate-700">Earlier optimizations</h3>
          <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 text-sm" data-testid="optimization-history">
            {history
              .filter((o) => o.id !== current?.id)
              .map((o) => (
                <li key={o.id}>
                  <button type="button" className="flex w-full items-center gap-3 px-3 py-2 text-left hover:bg-slate-50" onClick={() => setCurrent(o)}>
                    <span className="tabular-nums">
                      {o.scoreBefore.total} → {o.scoreAfter.total}
                    </span>
                    <span className="text-xs text-slate-500">{engineText(o)}</span>
                    <span className="ml-auto text-xs text-slate-500">
                      {o.status}
                      {o.acceptedVersion ? ` as v${o.acceptedVersion}` : ""} · {timeAgo(o.createdAt)}
                    </span>
                  </button>
                </li>
              ))}
          </ul>
        </div>
      )}
    </Modal>
  );
}

function Result({ o, onDecide }: { o: Optimization; onDecide: (action: "accept" | "reject") => void }) {
  const parts = diffLines(o.original, o.rewritten).map((p) => ({ value: p.value, added: Boolean(p.added), removed: Boolean(p.removed) }));
  return (
    <div className="space-y-4" data-testid="optimization-result">
      <div className="grid gap-4 md:grid-cols-[14rem_1fr]">
        <div className="space-y-3">
          <div className="rounded-lg bg-slate-50 p-3 text-center">
            <p className="text-xs uppercase tracking-wide text-slate-500">Rubric score</p>
            <p className="text-3xl font-semibold tabular-nums" data-testid="score-total">
              <span className="text-slate-400">{o.scoreBefore.total}</span> → <span className="text-emerald-600">{o.scoreAfter.total}</span>
            </p>
          </div>
          <ul className="space-y-1.5 text-xs" aria-label="Scores by dimension">
            {Object.keys(DIMENSION_LABELS).map((d) => (
              <li key={d} title={(o.scoreAfter.notes?.[d] ?? []).join("; ")}>
                <div className="flex justify-between text-slate-600">
                  <span>{DIMENSION_LABELS[d]}</span>
                  <span className="tabular-nums">
                    {o.scoreBefore.dimensions[d]} → {o.scoreAfter.dimensions[d]}
                  </span>
                </div>
                <div className="relative mt-0.5 h-1.5 rounded bg-slate-100">
                  <div className="absolute h-full rounded bg-emerald-400" style={{ width: `${o.scoreAfter.dimensions[d] ?? 0}%` }} />
                  <div className="absolute h-full rounded bg-slate-400" style={{ width: `${o.scoreBefore.dimensions[d] ?? 0}%` }} />
                </div>
              </li>
            ))}
          </ul>
          {o.judged && (
            <p className="text-xs text-slate-500">
              The model’s own judgement: {o.judged.before} → {o.judged.after} (not part of the rubric score).
            </p>
          )}
          <p className="text-xs text-slate-500" data-testid="optimization-engine">
            By {engineText(o)}. <a href="/docs/scoring" className="underline">How scores work</a>
          </p>
        </div>
        <div className="min-w-0 space-y-3">
          <LineDiff parts={parts} maxHeight="max-h-80" />
          <ul className="space-y-1.5 text-sm" data-testid="optimization-changes">
            {o.changes.map((c, i) => (
              <li key={i} className="rounded-md border border-slate-200 p-2">
                <p className="font-medium text-slate-800">{c.change}</p>
                <p className="text-xs text-slate-600">{c.reason}</p>
              </li>
            ))}
          </ul>
        </div>
      </div>
      {o.status === "proposed" ? (
        <div className="flex gap-2">
          <Button variant="primary" onClick={() => onDecide("accept")}>
            <Check className="h-4 w-4" /> Accept as a new version
          </Button>
          <Button onClick={() => onDecide("reject")}>Reject</Button>
        </div>
      ) : (
        <p className="text-sm text-slate-600">{o.status === "accepted" ? `Accepted as version ${o.acceptedVersion}.` : "Rejected — kept here for reference."}</p>
      )}
    </div>
  );
}
