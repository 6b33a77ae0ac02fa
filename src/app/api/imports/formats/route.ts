import { json, userRoute } from "@/server/http/handler";
import { PARSERS } from "@/server/importers/registry";

/** The formats the importer reads, for the "not what I meant" override. */
export const GET = userRoute(async () => json({ formats: PARSERS.map((p) => ({ id: p.id, source: p.source, label: p.label })) }));
