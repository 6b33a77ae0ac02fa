import type { Metadata } from "next";
import { ImportHistory } from "@/components/import/import-history";
import { ImportDropzone } from "@/components/import/import-dropzone";
import { getDatabase } from "@/server/db/client";
import { requirePageUser } from "@/server/http/page-user";
import { ImportService } from "@/server/services/imports/import-service";

export const metadata: Metadata = { title: "Import your history" };

export default async function ImportPage() {
  const user = await requirePageUser("/import");
  const sessions = await new ImportService(await getDatabase(), user.id).list(10);
  return (
    <div className="mx-auto max-w-4xl space-y-8">
      <div>
        <h1 className="text-xl font-semibold">Import your prompt history</h1>
        <p className="mt-1 text-sm text-slate-600">
          Every prompt you wrote is extracted with its conversation, date and model. Duplicates are merged into one entry with a use count, and importing the same export
          again adds nothing. The original files are kept with the import.
        </p>
      </div>
      <ImportDropzone />
      <ImportHistory initial={JSON.parse(JSON.stringify(sessions))} />
    </div>
  );
}
