"use client";

import { AnimatePresence, motion } from "framer-motion";
import { Check } from "lucide-react";
import { useEffect, useState } from "react";
import { ImportDropzone } from "@/components/import/import-dropzone";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { api, ApiError } from "@/lib/api";

type Step = "roles" | "tools" | "import" | "starters";
type State = { step: Step; roles: string[]; tools: string[]; models: string[]; importId: string | null; addedStarters: string[]; completed: boolean };
type Starter = { id: string; role: string; title: string; body: string };

const STEPS: { id: Step; label: string }[] = [
  { id: "roles", label: "Your work" },
  { id: "tools", label: "Your tools" },
  { id: "import", label: "Your history" },
  { id: "starters", label: "Starter prompts" },
];

/** Four steps, each saved as it is left, so the flow can be closed and resumed where it stopped. */
export function OnboardingWizard({
  initial,
  startAt,
  roles,
  tools,
  models,
  name,
}: {
  initial: State;
  startAt?: Step;
  roles: { id: string; label: string }[];
  tools: string[];
  models: string[];
  name: string | null;
}) {
  const [state, setState] = useState<State>({ ...initial, step: startAt ?? initial.step });
  const [starters, setStarters] = useState<Starter[] | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const index = STEPS.findIndex((s) => s.id === state.step);

  useEffect(() => {
    if (state.step !== "starters") return;
    api<{ starters: Starter[] }>("/api/onboarding/starters").then((r) => {
      setStarters(r.starters);
      setChosen(r.starters.filter((s) => !state.addedStarters.includes(s.id)).map((s) => s.id));
    });
  }, [state.step, state.addedStarters]);

  async function go(step: Step, patch: Partial<State> = {}) {
    setError(null);
    try {
      setState(await api<State>("/api/onboarding", { method: "PATCH", body: { ...patch, step } }));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not save your answers.");
    }
  }

  async function finish(starterIds: string[]) {
    setPending(true);
    setError(null);
    try {
      await api("/api/onboarding/finish", { body: { starterIds } });
      window.location.assign("/library");
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not finish the setup.");
      setPending(false);
    }
  }

  const toggle = (list: string[], value: string) => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);

  return (
    <div className="mt-8 space-y-6">
      <ol className="flex gap-2" aria-label="Setup progress">
        {STEPS.map((s, i) => (
          <li key={s.id} className="flex-1">
            <div className={`h-1.5 rounded-full ${i <= index ? "bg-brand-600" : "bg-slate-200"}`} />
            <p className={`mt-1.5 text-xs ${i === index ? "font-medium text-slate-900" : "text-slate-500"}`} aria-current={i === index ? "step" : undefined}>
              {s.label}
            </p>
          </li>
        ))}
      </ol>
      {error && <Alert>{error}</Alert>}
      <AnimatePresence mode="wait">
        <motion.section key={state.step} initial={{ opacity: 0, x: 16 }} animate={{ opacity: 1, x: 0 }} exit={{ opacity: 0, x: -16 }} transition={{ duration: 0.18 }} className="space-y-5">
          {state.step === "roles" && (
            <>
              <Heading title={`Welcome${name ? `, ${name}` : ""}! What do you use AI for?`} text="Pick all that apply — we will suggest starter prompts for them." />
              <Chips options={roles.map((r) => ({ id: r.id, label: r.label }))} selected={state.roles} onToggle={(id) => setState({ ...state, roles: toggle(state.roles, id) })} />
              <Nav next={() => go("tools", { roles: state.roles })} skip={() => finish([])} />
            </>
          )}
          {state.step === "tools" && (
            <>
              <Heading title="Which tools and models do you use?" text="This tells us which exports to look for next." />
              <Chips options={tools.map((t) => ({ id: t, label: t }))} selected={state.tools} onToggle={(id) => setState({ ...state, tools: toggle(state.tools, id) })} />
              <h3 className="text-sm font-medium text-slate-700">Models</h3>
              <Chips options={models.map((m) => ({ id: m, label: m }))} selected={state.models} onToggle={(id) => setState({ ...state, models: toggle(state.models, id) })} />
              <Nav back={() => go("roles")} next={() => go("import", { tools: state.tools, models: state.models })} skip={() => finish([])} />
            </>
          )}
          {state.step === "import" && (
            <>
              <Heading
                title="Bring your prompt history"
                text={`Drop your exports${state.tools.length ? ` from ${state.tools.slice(0, 3).join(", ")}` : ""}: every prompt you wrote becomes part of your library. You can also do this later from Import.`}
              />
              <ImportDropzone compact onFinished={(session) => go("import", { importId: session.id })} />
              <Nav back={() => go("tools")} next={() => go("starters")} nextLabel={state.importId ? "Continue" : "Skip this step"} />
            </>
          )}
          {state.step === "starters" && (
            <>
              <Heading title="Start with a few good templates" text="Chosen for your work. Each has {{variables}} you fill in when you use it." />
              {!starters ? (
                <p className="text-sm text-slate-500">Loading…</p>
              ) : (
                <ul className="space-y-2" data-testid="starter-list">
                  {starters.map((s) => {
                    const added = state.addedStarters.includes(s.id);
                    return (
                      <li key={s.id}>
                        <label className={`flex gap-3 rounded-lg border p-3 ${chosen.includes(s.id) ? "border-brand-300 bg-brand-50" : "border-slate-200 bg-white"}`}>
                          <input type="checkbox" className="mt-1" checked={chosen.includes(s.id)} disabled={added} onChange={() => setChosen(toggle(chosen, s.id))} />
                          <span>
                            <span className="block text-sm font-medium text-slate-900">
                              {s.title}
                              {added && <span className="ml-2 text-xs font-normal text-slate-500">already in your library</span>}
                            </span>
                            <span className="line-clamp-2 block text-xs text-slate-500">{s.body}</span>
                          </span>
                        </label>
                      </li>
                    );
                  })}
                </ul>
              )}
              <div className="flex items-center gap-3">
                <Button onClick={() => go("import")}>Back</Button>
                <Button variant="primary" onClick={() => finish(chosen)} disabled={pending || !starters}>
                  <Check className="h-4 w-4" /> {pending ? "Setting up…" : "Finish and open my library"}
                </Button>
              </div>
            </>
          )}
        </motion.section>
      </AnimatePresence>
    </div>
  );
}

function Heading({ title, text }: { title: string; text: string }) {
  return (
    <div>
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      <p className="mt-1 text-slate-600">{text}</p>
    </div>
  );
}

function Chips({ options, selected, onToggle }: { options: { id: string; label: string }[]; selected: string[]; onToggle: (id: string) => void }) {
  return (
    <div className="flex flex-wrap gap-2">
      {options.map((o) => {
        const on = selected.includes(o.id);
        return (
          <button
            key={o.id}
            type="button"
            aria-pressed={on}
            onClick={() => onToggle(o.id)}
            className={`focus-ring rounded-full border px-3.5 py-1.5 text-sm transition ${on ? "border-brand-600 bg-brand-600 text-white" : "border-slate-300 bg-white text-slate-700 hover:border-slate-400"}`}
          >
            {o.label}
          </button>
        );
      })}
    </div>
  );
}

function Nav({ back, next, skip, nextLabel = "Continue" }: { back?: () => void; next: () => void; skip?: () => void; nextLabel?: string }) {
  return (
    <div className="flex items-center gap-3 pt-2">
      {back && <Button onClick={back}>Back</Button>}
      <Button variant="primary" onClick={next}>
        {nextLabel}
      </Button>
      {skip && (
        <button type="button" onClick={skip} className="ml-auto text-sm text-slate-500 hover:text-slate-800 hover:underline">
          Skip setup
        </button>
      )}
    </div>
  );
}
