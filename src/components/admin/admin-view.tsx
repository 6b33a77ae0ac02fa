"use client";

import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { api, ApiError } from "@/lib/api";
import { formatDateTime, timeAgo } from "@/lib/format";

type UserRow = {
  id: string;
  email: string | null;
  displayName: string | null;
  plan: string;
  isAdmin: boolean;
  createdAt: string;
  prompts: number;
  importsThisMonth: number;
  optimizationsThisMonth: number;
  costThisMonthMicros: number;
};
type EventRow = { id: string; provider: string; eventId: string; type: string; outcome: string; error: string | null; receivedAt: string };

/** Users with plan and usage (plans editable on self-hosted instances), and the webhook log. */
export function AdminView({ users, events, billing }: { users: UserRow[]; events: EventRow[]; billing: boolean }) {
  const [rows, setRows] = useState(users);
  const [error, setError] = useState<string | null>(null);
  async function setPlan(id: string, plan: string) {
    setError(null);
    try {
      const updated = await api<UserRow>(`/api/admin/users/${id}`, { method: "PATCH", body: { plan } });
      setRows((all) => all.map((u) => (u.id === id ? updated : u)));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not change the plan.");
    }
  }
  return (
    <div className="space-y-8">
      <h1 className="text-xl font-semibold">Admin</h1>
      {error && <Alert>{error}</Alert>}
      <section className="space-y-2">
        <h2 className="font-medium">Users</h2>
        {billing && <p className="text-sm text-slate-500">Plans follow Stripe subscriptions on this server.</p>}
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
          <table className="w-full text-sm" data-testid="admin-users">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-3 py-2">User</th>
                <th className="px-3 py-2">Plan</th>
                <th className="px-3 py-2 text-right">Prompts</th>
                <th className="px-3 py-2 text-right">Imports (month)</th>
                <th className="px-3 py-2 text-right">Optimizations (month)</th>
                <th className="px-3 py-2 text-right">AI cost (month)</th>
                <th className="px-3 py-2">Joined</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((u) => (
                <tr key={u.id} data-testid="admin-user-row">
                  <td className="px-3 py-2">
                    <span className="font-medium">{u.email ?? u.displayName ?? u.id}</span>
                    {u.isAdmin && <span className="ml-1.5 rounded bg-slate-100 px-1.5 text-xs">admin</span>}
                  </td>
                  <td className="px-3 py-2">
                    <select aria-label={`Plan of ${u.email ?? u.id}`} value={u.plan} disabled={billing} onChange={(e) => setPlan(u.id, e.target.value)} className="rounded border border-slate-300 px-1.5 py-0.5">
                      <option value="free">Free</option>
                      <option value="pro">Pro</option>
                      <option value="enterprise">Enterprise</option>
                    </select>
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{u.prompts}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{u.importsThisMonth}</td>
                  <td className="px-3 py-2 text-right tabular-nums">{u.optimizationsThisMonth}</td>
                  <td className="px-3 py-2 text-right tabular-nums">${(u.costThisMonthMicros / 1_000_000).toFixed(4)}</td>
                  <td className="px-3 py-2 text-slate-500">{timeAgo(u.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="space-y-2">
        <h2 className="font-medium">Webhook events</h2>
        {events.length === 0 ? (
          <p className="text-sm text-slate-500">No webhook received yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white text-sm">
            {events.map((e) => (
              <li key={e.id} className="flex flex-wrap items-center gap-3 px-3 py-2">
                <span className="rounded bg-slate-100 px-1.5 text-xs">{e.provider}</span>
                <span className="font-mono text-xs">{e.type}</span>
                <span className={`text-xs ${e.outcome === "processed" ? "text-emerald-700" : e.outcome === "failed" ? "text-red-700" : "text-slate-500"}`}>{e.outcome}</span>
                {e.error && <span className="text-xs text-slate-500">{e.error}</span>}
                <span className="ml-auto text-xs text-slate-400" title={formatDateTime(e.receivedAt)}>
                  {timeAgo(e.receivedAt)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
