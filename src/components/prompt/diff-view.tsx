import type { DiffPart, VersionDiff } from "@/lib/types";

/** A line diff of the bodies (added green, removed red) and a word diff of the titles. */
export function DiffView({ diff }: { diff: VersionDiff }) {
  const titleChanged = diff.title.some((p) => p.added || p.removed);
  return (
    <div className="space-y-3" data-testid="version-diff">
      <p className="text-xs text-slate-500">
        Version {diff.from.number} → version {diff.to.number}
        {diff.parametersChanged && " · parameters changed"}
      </p>
      {titleChanged && (
        <p className="text-sm">
          <span className="text-slate-500">Title: </span>
          {diff.title.map((part, i) => (
            <span key={i} className={part.added ? "bg-emerald-100 text-emerald-900" : part.removed ? "bg-red-100 text-red-900 line-through" : ""}>
              {part.value}
            </span>
          ))}
        </p>
      )}
      <LineDiff parts={diff.body} />
    </div>
  );
}

/** A unified line diff: removed lines red, added green. */
export function LineDiff({ parts, maxHeight = "max-h-96" }: { parts: DiffPart[]; maxHeight?: string }) {
  return (
    <div className={`${maxHeight} overflow-auto rounded-md border border-slate-200 font-mono text-[12px] leading-5`}>
      {parts.flatMap((part, i) => lines(part).map((line, j) => <DiffLine key={`${i}-${j}`} part={part} line={line} />))}
    </div>
  );
}

function lines(part: DiffPart): string[] {
  const split = part.value.split("\n");
  if (split[split.length - 1] === "") split.pop();
  return split;
}

function DiffLine({ part, line }: { part: DiffPart; line: string }) {
  const style = part.added ? "bg-emerald-50 text-emerald-900" : part.removed ? "bg-red-50 text-red-900" : "text-slate-600";
  const sign = part.added ? "+" : part.removed ? "−" : " ";
  return (
    <div className={`flex whitespace-pre-wrap px-2 ${style}`} data-change={part.added ? "added" : part.removed ? "removed" : "same"}>
      <span className="w-4 shrink-0 select-none text-slate-400">{sign}</span>
      <span className="min-w-0 break-words">{line || " "}</span>
    </div>
  );
}
