import { inspect } from "node:util";

export interface WaitForOptions {
  /** What the test waits for, as the failure message names it: "the refusal's audit record". */
  what: string;
  /** Give up (and fail) once this long has passed since the first check. */
  timeoutMs: number;
  /** Pause between two checks; 50 ms unless given. */
  intervalMs?: number;
  /**
   * Count an error thrown by the check as "not yet" (the failure message reports the last one):
   * for a service still starting. By default an error (e.g. a failed assertion) fails the wait at once.
   */
  retryErrors?: boolean;
}

type Check<T> = () => T | Promise<T>;

/**
 * The one polling helper of the test suite: runs `check` until its value is the one awaited,
 * then returns that value; at the deadline it fails with an error naming `what` and the last
 * value (or error) the check gave.
 *
 * Without `until`, any value but undefined, null and false is the one awaited; with `until`, a
 * value it accepts (so the failure can report, say, the last status a node answered).
 */
export function waitFor<T>(
  check: Check<T>,
  options: WaitForOptions & { until: (value: T) => boolean },
): Promise<T>;
export function waitFor<T>(
  check: Check<T>,
  options: WaitForOptions,
): Promise<Exclude<T, undefined | null | false>>;
export async function waitFor<T>(
  check: Check<T>,
  options: WaitForOptions & { until?: (value: T) => boolean },
): Promise<T> {
  const { what, timeoutMs, intervalMs = 50, retryErrors = false } = options;
  const until = options.until ?? ((value: T) => value !== undefined && value !== null && value !== false);
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await check();
      if (until(value)) return value;
      last = { value };
    } catch (error) {
      if (!retryErrors) throw error;
      last = { error };
    }
    if (Date.now() > deadline) {
      const seen =
        last === undefined
          ? "no check finished"
          : "error" in last
            ? `the last check failed: ${describe(last.error)}`
            : `the last check gave ${describe(last.value)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${seen}`, {
        cause: last && "error" in last ? last.error : undefined,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describe(value: unknown): string {
  const text = value instanceof Error ? String(value) : inspect(value, { depth: 3, breakLength: Infinity });
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}
