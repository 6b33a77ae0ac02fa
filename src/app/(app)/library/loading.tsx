export default function Loading() {
  return <p className="py-10 text-sm text-slate-500">Loading your library…</p>;
}
