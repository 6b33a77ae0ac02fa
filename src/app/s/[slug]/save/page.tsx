import type { Metadata } from "next";
import Link from "next/link";
import { SaveSharedPrompt } from "@/components/share/save-shared-prompt";
import { buttonClass } from "@/components/ui/button";
import { getDatabase } from "@/server/db/client";
import { requirePageUser } from "@/server/http/page-user";
import { PublicShareService } from "@/server/services/share-service";

export const metadata: Metadata = { title: "Save a shared prompt", robots: { index: false } };

/**
 * "Save to my library" from a share page. Signed-out viewers are sent to sign in and come back here; this
 * page never counts a view, so a link with a view limit can still be saved after signing in.
 */
export default async function SaveSharedPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  await requirePageUser(`/s/${slug}/save`);
  const access = await new PublicShareService(await getDatabase()).peek(slug, { ignoreViews: true });
  return (
    <main className="mx-auto max-w-xl px-4 py-16">
      <Link href="/library" className="text-lg font-semibold tracking-tight">
        Prompt<span className="text-brand-600">Vault</span>
      </Link>
      {!access.ok ? (
        <div className="mt-8 space-y-4">
          <h1 className="text-xl font-semibold">This shared prompt is no longer available.</h1>
          <Link href="/library" className={buttonClass("secondary")}>
            Go to your library
          </Link>
        </div>
      ) : !access.share.allowCopy ? (
        <div className="mt-8 space-y-4">
          <h1 className="text-xl font-semibold">The owner of “{access.share.title}” does not allow saving copies.</h1>
          <a href={`/s/${slug}`} className={buttonClass("secondary")}>
            Back to the prompt
          </a>
        </div>
      ) : (
        <div className="mt-8 space-y-4">
          <h1 className="text-xl font-semibold">Save “{access.share.title}” to your library?</h1>
          <p className="text-sm text-slate-600">A copy of version {access.share.version} becomes a prompt of your own, with a note of where it came from. Later changes by its owner do not affect your copy.</p>
          <pre className="max-h-64 overflow-auto whitespace-pre-wrap rounded-lg border border-slate-200 bg-white p-3 font-mono text-[13px]">{access.share.body}</pre>
          <SaveSharedPrompt slug={slug} />
        </div>
      )}
    </main>
  );
}
