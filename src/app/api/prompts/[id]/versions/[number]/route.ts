import { json, userRoute } from "@/server/http/handler";
import { VersionService } from "@/server/services/prompts/version-service";

export const GET = userRoute<{ id: string; number: string }>(async ({ db, user, params }) => {
  const { id: _id, ...version } = await new VersionService(db, user.id).get(params.id, Number(params.number));
  return json(version);
});
