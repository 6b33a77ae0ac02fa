"use client";

import { Check } from "lucide-react";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { api, ApiError } from "@/lib/api";
import { formatBytes } from "@/lib/format";

type Limits = {
  prompts: number | null;
  importsPerMonth: number | null;
  importFileBytes: number;
  platformOptimizationsPerMonth: number;
  activeShares: number | null;
  analyticsRetentionDays: number;
  apiAccess: boolean;
};
type Overview = {
  plan: "free" | "pro" | "enterprise";
  limits: Limits;
  usage: { prompts: number; importsThisMonth: number; activeShares: number; platformOptimizationsThisMonth: number };
  plans: { plan: "free" | "pro" | "enterprise"; limits: Limits }[];
  billing: { enabled: boolean; prices: { plan: string; interval: "month" | "year" }[]; subscription: { status: string; plan: string; currentPeriodEnd: string | null; cancelAtPeriodEnd: boolean } | null };
};

const NAMES = { free: "Free", pro: "Pro", enterprise: "Enterprise" } as const;
const ROWS: { key: keyof Limits; label: string; format?: (v: Limits[keyof Limits]) => string }[] = [
  { key: "prompts", label: "Prompts in your library" },
  { key: "importsPerMonth", label: "Imports per month" },
  { key: "importFileBytes", label: "Largest import file", format: (v) => formatBytes(Number(v)) },
  { key: "platformOptimizationsPerMonth", label: "AI optimizations included per month" },
  { key: "activeShares", label: "Active share links" },
  { key: "analyticsRetentionDays", label: "Usage history kept", format: (v) => `${v} days` },
  { key: "apiAccess", label: "API access", format: (v) => (v ? "Yes" : "—") },
];

const show = (v: Limits[keyof Limits], format?: (v: Limits[keyof Limits]) => string) => (v === null ? "Unlimited" : format ? format(v) : Number(v).toLocaleString("en"));

/** Your plan, usage against each limit, what an upgrade gives, and (with billing on) checkout / portal. */
export function PlanView({ overview, checkout }: { overview: Overview; checkout?: string }) {
  const [interval, setInterval] = useState<"month" | "year">("month");
  const [error, setError] = useState<string | null>(null);
  const { limits, usage, billing } = overview;

  async function go(path: string, body?: unknown) {
    setError(null);
    try {
      const { url } = await api<{ url: string }>(path, { method: "POST", body });
      window.location.assign(url);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not reach the billing service.");
    }
  }

  const meters: { label: string; used: number; max: number | null }[] = [
    { label: "Prompts", used: usage.prompts, max: limits.prompts },
    { label: "Imports this month", used: usage.importsThisMonth, max: limits.importsPerMonth },
    { label: "Active share links", used: usage.activeShares, max: limits.activeShares },
    { label: "AI optimizations this month", used: usage.platformOptimizationsThisMonth, max: limits.platformOptimizationsPerMonth },
  ];

  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <div>
        <h1 className="text-xl font-semibold">Plan & usage</h1>
        <p className="text-sm text-slate-500" data-testid="current-plan">
          You are on the {NAMES[overview.plan]} plan.
        </p>
      </div>
      {checkout === "success" && <Alert tone="success">Thank you! Your plan updates as soon as Stripe confirms the payment — usually within seconds.</Alert>}
      {billing.subscription?.status === "past_due" && <Alert>Your last payment failed. Update your card in the billing portal to keep your plan.</Alert>}
      {error && <Alert>{error}</Alert>}

      <section className="grid gap-3 sm:grid-cols-2" aria-label="Usage">
        {meters.map((m) => {
          const pct = m.max === null ? 0 : m.max === 0 ? 100 : Math.min(100, Math.round((m.used / m.max) * 100));
          return (
            <div key={m.label} className="rounded-xl border border-slate-200 bg-white p-4">
              <div className="flex justify-between text-sm">
                <span className="text-slate-600">{m.label}</span>
                <span className="tabular-nums font-medium">
                  {m.used.toLocaleString("en")} / {m.max === null ? "∞" : m.max.toLocaleString("en")}
                </span>
              </div>
              <div className="mt-2 h-2 rounded bg-slate-100" role="progressbar" aria-label={m.label} aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
                <div className={`h-full rounded ${pct >= 100 ? "bg-red-500" : pct >= 80 ? "bg-amber-500" : "bg-brand-500"}`} style={{ width: `${pct}%` }} />
              </div>
            </div>
          );
        })}
      </section>

      <section className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
        <div className="flex items-center justify-between p-4">
          <h2 className="font-medium">Plans</h2>
          {billing.enabled && (
            <div className="flex rounded-md border border-slate-300 text-sm" role="radiogroup" aria-label="Billing period">
              {(["month", "year"] as const).map((i) => (
                <button key={i} type="button" role="radio" aria-checked={interval === i} onClick={() => setInterval(i)} className={`px-3 py-1 ${interval === i ? "bg-slate-900 text-white" : "text-slate-600"}`}>
                  {i === "month" ? "Monthly" : "Yearly"}
                </button>
              ))}
            </div>
          )}
        </div>
        <table className="w-full text-sm">
          <thead className="border-y border-slate-200 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-4 py-2" />
              {overview.plans.map((p) => (
                <th key={p.plan} className={`px-4 py-2 ${p.plan === overview.plan ? "text-brand-700" : ""}`}>
                  {NAMES[p.plan]}
                  {p.plan === overview.plan && " (yours)"}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {ROWS.map((row) => (
              <tr key={row.key}>
                <td className="px-4 py-2 text-slate-600">{row.label}</td>
                {overview.plans.map((p) => (
                  <td key={p.plan} className="px-4 py-2 tabular-nums">
                    {show(p.limits[row.key], row.format)}
                  </td>
                ))}
              </tr>
            ))}
            <tr>
              <td className="px-4 py-3" />
              {overview.plans.map((p) => {
                const offered = billing.prices.some((x) => x.plan === p.plan && x.interval === interval);
                const higher = ["free", "pro", "enterprise"].indexOf(p.plan) > ["free", "pro", "enterprise"].indexOf(overview.plan);
                return (
                  <td key={p.plan} className="px-4 py-3">
                    {p.plan === overview.plan ? (
                      <span className="inline-flex items-center gap-1 text-xs text-slate-500">
                        <Check className="h-3.5 w-3.5" /> Current plan
                      </span>
                    ) : higher && offered ? (
                      <Button size="sm" variant="primary" onClick={() => go("/api/billing/checkout", { plan: p.plan, interval })}>
                        Upgrade to {NAMES[p.plan]}
                      </Button>
                    ) : null}
                  </td>
                );
              })}
            </tr>
          </tbody>
        </table>
      </section>

      {billing.enabled ? (
        billing.subscription && billing.subscription.status !== "none" ? (
          <Button onClick={() => go("/api/billing/portal")}>Manage billing (card, invoices, cancel)</Button>
        ) : null
      ) : (
        <p className="text-sm text-slate-500" data-testid="billing-off">
          Billing is not enabled on this server: to change your plan, ask its administrator.
        </p>
      )}
    </div>
  );
}
