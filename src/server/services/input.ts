import { z } from "zod";
import { ServiceError } from "../errors";

/** Parses a verb's input; a failure is an `invalid` ServiceError listing each field's problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({ path: issue.path.join(".") || "(input)", message: issue.message }));
  const summary = fields.map((f) => (f.path === "(input)" ? f.message : `${f.path}: ${f.message}`)).join("; ");
  throw new ServiceError("invalid", `Invalid input — ${summary}`, { fields });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids come from URLs: anything that is not a uuid cannot name an object, so it is simply not found. */
export function requireId(value: string | undefined | null, what: string): string {
  if (!value || !UUID.test(value)) throw new ServiceError("not_found", `${what} not found.`);
  return value.toLowerCase();
}

export const uuidSchema = z.string().regex(UUID, "must be an id");
