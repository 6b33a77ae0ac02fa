"use client";

import { AlertTriangle, CheckCircle2, XCircle } from "lucide-react";
import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { SOURCE_LABELS, formatBytes } from "@/lib/format";
import type { ImportSessionView } from "@/lib/types";

const STATUS_TEXT: Record<string, string> = {
  succeeded: "Imported",
  failed: "Failed",
  cancelled: "Cancelled",
  processing: "Processing",
  uploaded: "Waiting",
  pending: "Not uploaded",
  skipped: "Skipped",
};

/** What an import did, per file: source, conversations, prompts found, new, duplicates, skipped, errors. */
export function ImportSummary({ session }: { session: ImportSessionView }) {
  const { totals } = session;
  const headline =
    session.status === "cancelled"
      ? "Import cancelled"
      : session.interrupted
        ? "Import interrupted"
        : totals.failed === totals.files
          ? "Nothing could be imported"
          : `${totals.imported} new prompt${totals.imported === 1 ? "" : "s"} in your library`;
  return (
    <div className="space-y-4" data-testid="import-summary">
      <div className="flex flex-wrap items-center gap-3">
        <h2 className="text-lg font-semibold">{headline}</h2>
        {totals.imported > 0 && (
          <Link href={`/library?import=${session.id}`} className={buttonClass("primary", "sm")}>
            See them in the library
          </Link>
        )}
      </div>
      <p className="text-sm text-slate-600">
        {totals.promptsFound} prompt{totals.promptsFound === 1 ? "" : "s"} found in {totals.conversations} conversation{totals.conversations === 1 ? "" : "s"} · {totals.imported} new · {totals.duplicates}{" "}
        duplicate{totals.duplicates === 1 ? "" : "s"} merged · {totals.skipped} skipped
        {session.interrupted && " — the server stopped while importing; start the import again to finish it (nothing is counted twice)."}
      </p>
      {totals.overLimit > 0 && (
        <div role="alert" data-testid="import-over-limit" className="flex items-start gap-2 rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          <AlertTriangle className="mt-0.5 h-4 w-4 shrink-0" />
          <p>
            {totals.overLimit} prompt{totals.overLimit === 1 ? " was" : "s were"} not imported: your library reached your plan&apos;s prompt limit.{" "}
            <Link href="/plan" className="font-medium underline">
              Upgrade your plan
            </Link>{" "}
            (or delete prompts and empty the trash), then import the same file again — what is already in your library is not added twice.
          </p>
        </div>
      )}
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white">
        <table className="w-full text-left text-sm">
          <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-3 py-2">File</th>
              <th className="px-3 py-2">Source</th>
              <th className="px-3 py-2 text-right">Conversations</th>
              <th className="px-3 py-2 text-right">Prompts</th>
              <th className="px-3 py-2 text-right">New</th>
              <th className="px-3 py-2 text-right">Duplicates</th>
              <th className="px-3 py-2 text-right">Skipped</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {session.files.map((f) => (
              <tr key={f.id} data-testid="import-file-row" className="align-top">
                <td className="px-3 py-2">
                  <div className="flex items-center gap-1.5 font-medium text-slate-800">
                    {f.status === "succeeded" ? (
                      <CheckCircle2 className="h-4 w-4 shrink-0 text-emerald-600" />
                    ) : f.status === "failed" ? (
                      <XCircle className="h-4 w-4 shrink-0 text-red-600" />
                    ) : (
                      <AlertTriangle className="h-4 w-4 shrink-0 text-amber-500" />
                    )}
                    <span className="break-all">{f.fileName}</span>
                  </div>
                  <p className="text-xs text-slate-500">
                    {STATUS_TEXT[f.status] ?? f.status} · {formatBytes(f.bytes)}
                    {f.stored && (
                      <>
                        {" · "}
                        <a href={`/api/imports/${session.id}/files/${f.id}/original`} className="underline hover:text-slate-800">
                          original
                        </a>
                      </>
                    )}
                  </p>
                  {f.errors.map((e, i) => (
                    <p key={i} className="mt-1 text-xs text-red-700" role="alert">
                      {e.message}
                    </p>
                  ))}
                  {f.overLimit > 0 && <p className="mt-1 text-xs text-amber-800">{f.overLimit} not imported: over your plan&apos;s prompt limit</p>}
                  {Object.keys(f.skipReasons).length > 0 && (
                    <p className="mt-1 text-xs text-slate-500">
                      Skipped: {Object.entries(f.skipReasons).map(([reason, n]) => `${reason} (${n})`).join(", ")}
                    </p>
                  )}
                </td>
                <td className="px-3 py-2">{f.source ? (SOURCE_LABELS[f.source] ?? f.source) : "—"}</td>
                <td className="px-3 py-2 text-right tabular-nums">{f.conversations}</td>
                <td className="px-3 py-2 text-right tabular-nums">{f.promptsFound}</td>
                <td className="px-3 py-2 text-right tabular-nums">{f.imported}</td>
                <td className="px-3 py-2 text-right tabular-nums">{f.duplicates}</td>
                <td className="px-3 py-2 text-right tabular-nums">{f.skipped}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
