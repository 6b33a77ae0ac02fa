import { ArrowRight, FileDown, GitBranch, Share2, Sparkles, Tags, Variable } from "lucide-react";
import Link from "next/link";
import { redirect } from "next/navigation";
import { buttonClass } from "@/components/ui/button";
import { pageUser } from "@/server/http/page-user";

const FEATURES = [
  { icon: FileDown, title: "Your whole history, imported", text: "Drop your ChatGPT, Claude, Gemini, Cline or Cursor exports and get back every prompt you wrote — de-duplicated, with where and when you used it." },
  { icon: GitBranch, title: "Every change is a version", text: "Immutable history, a diff of any two versions, one-click restore, and labels like production and staging you can fetch by API." },
  { icon: Variable, title: "Templates that fill themselves", text: "{{variables}} are detected as you type; a form renders the final prompt, checked against typed parameters." },
  { icon: Tags, title: "Organised and fast", text: "Folders, coloured tags, favourites, full-text and substring search that stays instant with a hundred thousand prompts." },
  { icon: Sparkles, title: "Make prompts better", text: "An optimize button rewrites a prompt, explains each change and scores before and after — offline or with your own key." },
  { icon: Share2, title: "Share a link", text: "Public pages for a prompt or a pinned version, with expiry, view limits and “save to my library”." },
];

export default async function LandingPage() {
  if (await pageUser()) redirect("/library");
  return (
    <main>
      <header className="mx-auto flex max-w-6xl items-center justify-between px-6 py-5">
        <span className="text-lg font-semibold tracking-tight">
          Prompt<span className="text-brand-600">Vault</span>
        </span>
        <nav className="flex items-center gap-2">
          <Link href="/sign-in" className={buttonClass("ghost")}>
            Sign in
          </Link>
          <Link href="/sign-up" className={buttonClass("primary")}>
            Get started
          </Link>
        </nav>
      </header>

      <section className="mx-auto max-w-4xl px-6 pb-16 pt-14 text-center">
        <h1 className="text-4xl font-bold tracking-tight text-slate-900 sm:text-5xl">Every prompt you have ever written, in one place.</h1>
        <p className="mx-auto mt-5 max-w-2xl text-lg text-slate-600">
          PromptVault keeps, versions, improves and shares your AI prompts — and starts with a library that is already full: your own history from the tools you use.
        </p>
        <div className="mt-8 flex justify-center gap-3">
          <Link href="/sign-up" className={buttonClass("primary", "md", "h-11 px-5 text-base")}>
            Create your vault <ArrowRight className="h-4 w-4" />
          </Link>
          <Link href="/sign-in" className={buttonClass("secondary", "md", "h-11 px-5 text-base")}>
            I have an account
          </Link>
        </div>
        <p className="mt-4 text-sm text-slate-500">Imports from ChatGPT · Claude · Gemini · Cline · Cursor · CSV, JSON and Markdown</p>
      </section>

      <section className="mx-auto grid max-w-6xl gap-4 px-6 pb-24 sm:grid-cols-2 lg:grid-cols-3">
        {FEATURES.map(({ icon: Icon, title, text }) => (
          <div key={title} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <Icon className="h-5 w-5 text-brand-600" />
            <h2 className="mt-3 font-semibold text-slate-900">{title}</h2>
            <p className="mt-1.5 text-sm leading-6 text-slate-600">{text}</p>
          </div>
        ))}
      </section>
    </main>
  );
}
