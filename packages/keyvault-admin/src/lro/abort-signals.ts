import type { AbortSignalLike } from "@azure/abort-controller";

/**
 * A signal that aborts when any of `signals` does, and a `dispose` that unhooks it again, so a
 * long-lived signal (the one given to `begin*`) does not collect a listener per poll.
 */
export function anySignal(signals: (AbortSignalLike | undefined)[]): {
  signal: AbortSignalLike | undefined;
  dispose: () => void;
} {
  const present = signals.filter((signal): signal is AbortSignalLike => signal !== undefined);
  if (present.length <= 1) return { signal: present[0], dispose: () => {} };
  const controller = new AbortController();
  const abort = () => controller.abort();
  for (const signal of present) {
    if (signal.aborted) controller.abort();
    else signal.addEventListener("abort", abort, { once: true });
  }
  return {
    signal: controller.signal,
    dispose: () => present.forEach((signal) => signal.removeEventListener("abort", abort)),
  };
}
