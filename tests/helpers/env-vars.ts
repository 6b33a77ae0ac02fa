import { afterEach, beforeEach } from "vitest";
import { reloadEnv } from "../../src/server/env";

/**
 * Sets some environment variables for one test, through the one env module (`reloadEnv`), and restores them
 * afterwards. Before each test the `reset` variables (all of them unless given) are unset, then `defaults` set;
 * `afterSet` runs after every change (for caches built from the environment).
 */
export function useEnvVars<K extends string>(
  keys: readonly K[],
  options: { reset?: readonly K[]; defaults?: () => Partial<Record<K, string | undefined>>; afterSet?: () => void } = {},
): (vars: Partial<Record<K, string | undefined>>) => void {
  const saved = new Map<K, string | undefined>(keys.map((k) => [k, process.env[k]]));
  const set = (vars: Partial<Record<K, string | undefined>>) => {
    for (const [k, v] of Object.entries(vars) as [K, string | undefined][]) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    reloadEnv();
    options.afterSet?.();
  };
  beforeEach(() => set({ ...Object.fromEntries((options.reset ?? keys).map((k) => [k, undefined])), ...options.defaults?.() } as Partial<Record<K, string | undefined>>));
  afterEach(() => set(Object.fromEntries(saved) as Partial<Record<K, string | undefined>>));
  return set;
}
