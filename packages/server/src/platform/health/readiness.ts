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
    checks.map(
      async (c) =>
        [c.name, await c.check().catch((error: unknown) => `The check failed (${failure(error)}).`)] as const,
    ),
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
 * no reason given. One query at a time: while one is still pending, later probes wait for it
 * instead of queueing more behind a store that does not answer.
 */
export function storeReadiness(ping: () => Promise<unknown>, timeoutMs: number): ReadinessCheck {
  let pending: Promise<string | undefined> | undefined;
  return {
    name: "store",
    check: async () => {
      pending ??= ping()
        .then(
          () => undefined,
          (error: unknown) => `The store cannot be reached (${failure(error)}).`,
        )
        .finally(() => {
          pending = undefined;
        });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`The store did not answer within ${timeoutMs} ms.`), timeoutMs);
      });
      try {
        return await Promise.race([pending, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * An error as its code only ("ECONNREFUSED", "57P01"): /readyz answers anyone who can reach the
 * HSM, and a driver's message names hosts, ports, users or paths.
 */
function failure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[A-Z0-9_]{1,40}$/i.test(code) ? code : "an unexpected error";
}
