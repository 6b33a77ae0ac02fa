export function TagChip({ name, color, onRemove }: { name: string; color: string; onRemove?: () => void }) {
  return (
    <span className="inline-flex items-center gap-1 rounded-full border border-slate-200 bg-white px-2 py-0.5 text-xs text-slate-700">
      <span className="h-2 w-2 rounded-full" style={{ backgroundColor: color }} aria-hidden />
      {name}
      {onRemove && (
        <button type="button" onClick={onRemove} className="ml-0.5 text-slate-400 hover:text-slate-700" aria-label={`Remove tag ${name}`}>
          ×
        </button>
      )}
    </span>
  );
}
