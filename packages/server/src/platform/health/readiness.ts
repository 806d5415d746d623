import type { RequestGate } from "../http/request-gates.js";

/** One condition /readyz checks: undefined when it holds, otherwise why the node is not ready. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<string | undefined>;
}

export interface Readiness {
  ready: boolean;
  /** Every check's result, in order: "ok" or the reason it failed. */
  checks: Record<string, string>;
}

/** Runs every check (together: a slow store does not delay the others) and sums them up. */
export async function checkReadiness(checks: readonly ReadinessCheck[]): Promise<Readiness> {
  const results = await Promise.all(
    checks.map(async (c) => [c.name, await c.check().catch((error: unknown) => failure(error))] as const),
  );
  return {
    ready: results.every(([, reason]) => reason === undefined),
    checks: Object.fromEntries(results.map(([name, reason]) => [name, reason ?? "ok"])),
  };
}

/**
 * A request gate as a readiness check: while the gate refuses data-plane requests (not yet
 * activated, a full restore running), a load balancer should send them elsewhere.
 */
export function gateReadiness(gate: RequestGate): ReadinessCheck {
  return { name: gate.name, check: async () => gate.refusal()?.message };
}

/**
 * The store answers a cheap query within `timeoutMs`. A stopped PostgreSQL refuses at once; a
 * hung one (a network partition) must not hang the probe, which Kubernetes would time out with
 * no reason given.
 */
export function storeReadiness(ping: () => Promise<unknown>, timeoutMs: number): ReadinessCheck {
  return {
    name: "store",
    check: async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`The store did not answer within ${timeoutMs} ms.`), timeoutMs);
      });
      try {
        return await Promise.race([
          ping().then(
            () => undefined,
            (error: unknown) => `The store cannot be reached: ${failure(error)}`,
          ),
          timeout,
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** An error's code and first line, without connection strings or paths (they can hold passwords). */
function failure(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === "string" ? message.split("\n")[0]!.replace(/\w+:\/\/\S+/g, "<url>") : "";
  const shown = text.slice(0, 200) || "unknown error";
  return typeof code === "string" ? `${code}: ${shown}` : shown;
}
