import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client";
import { users } from "../db/schema";
import { ROLES, STARTERS, startersFor, type Starter } from "../onboarding/starters";
import { notFound } from "../errors";
import { parseInput } from "./input";
import { PromptService } from "./prompts/prompt-service";

export const ONBOARDING_STEPS = ["roles", "tools", "import", "starters"] as const;

export type OnboardingState = {
  step: (typeof ONBOARDING_STEPS)[number];
  roles: string[];
  tools: string[];
  models: string[];
  importId: string | null;
  addedStarters: string[];
  completed: boolean;
};

const saveSchema = z.object({
  step: z.enum(ONBOARDING_STEPS).optional(),
  roles: z.array(z.enum(ROLES.map((r) => r.id) as [string, ...string[]])).max(ROLES.length).optional(),
  tools: z.array(z.string().trim().min(1).max(60)).max(30).optional(),
  models: z.array(z.string().trim().min(1).max(60)).max(30).optional(),
  importId: z.string().uuid().nullable().optional(),
});

const finishSchema = z.object({ starterIds: z.array(z.string().max(60)).max(STARTERS.length).default([]) });

/**
 * First-run setup: what the person uses AI for, their tools and models, an optional import, and starter
 * templates chosen by their roles. Progress is saved after every step so it can be left and resumed, and it
 * can be revisited later (finishing again only adds starters not added before).
 */
export class OnboardingService {
  constructor(
    private readonly db: Database,
    private readonly userId: string,
  ) {}

  async state(): Promise<OnboardingState> {
    const [row] = await this.db.select({ onboarding: users.onboarding, onboardedAt: users.onboardedAt }).from(users).where(eq(users.id, this.userId));
    if (!row) throw notFound("Account");
    const saved = row.onboarding as Partial<OnboardingState>;
    return {
      step: saved.step && ONBOARDING_STEPS.includes(saved.step) ? saved.step : "roles",
      roles: saved.roles ?? [],
      tools: saved.tools ?? [],
      models: saved.models ?? [],
      importId: saved.importId ?? null,
      addedStarters: saved.addedStarters ?? [],
      completed: Boolean(row.onboardedAt),
    };
  }

  async save(rawInput: unknown): Promise<OnboardingState> {
    const input = parseInput(saveSchema, rawInput);
    const patch = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
    await this.db
      .update(users)
      .set({ onboarding: sql`${users.onboarding} || ${JSON.stringify(patch)}::jsonb`, updatedAt: sql`now()` })
      .where(eq(users.id, this.userId));
    return this.state();
  }

  async starters(): Promise<{ starters: Starter[]; roles: typeof ROLES }> {
    const state = await this.state();
    return { starters: startersFor(state.roles), roles: ROLES };
  }

  /** Adds the chosen starter templates to the library and marks onboarding done. */
  async finish(rawInput: unknown): Promise<{ added: number; state: OnboardingState }> {
    const input = parseInput(finishSchema, rawInput);
    return this.db.transaction(async (tx) => {
      // Lock the account row first: a double-submitted "Finish" must not add the same starters twice.
      await tx.select({ id: users.id }).from(users).where(eq(users.id, this.userId)).for("update");
      const service = new OnboardingService(tx, this.userId);
      const state = await service.state();
      const chosen = STARTERS.filter((s) => input.starterIds.includes(s.id) && !state.addedStarters.includes(s.id));
      const prompts = new PromptService(tx, this.userId);
      for (const starter of chosen) {
        await prompts.create({ title: starter.title, body: starter.body, parameters: starter.parameters, message: "Starter template" }, { source: "starter" });
      }
      await tx
        .update(users)
        .set({
          onboarding: sql`${users.onboarding} || ${JSON.stringify({ addedStarters: [...state.addedStarters, ...chosen.map((s) => s.id)], step: "starters" })}::jsonb`,
          onboardedAt: sql`coalesce(${users.onboardedAt}, now())`,
          updatedAt: sql`now()`,
        })
        .where(eq(users.id, this.userId));
      return { added: chosen.length, state: await service.state() };
    });
  }
}
