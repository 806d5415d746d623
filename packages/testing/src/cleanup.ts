/**
 * What must go when the process ends, whether or not the tests called stop(): each running
 * HSM registers a synchronous cleanup (kill its child process, remove its data directory).
 */
const pending = new Set<() => void>();
let hooked = false;

export function onProcessExit(cleanup: () => void): () => void {
  if (!hooked) {
    hooked = true;
    process.once("exit", () => {
      for (const run of pending) {
        try {
          run();
        } catch {
          // Exiting anyway: one failed cleanup must not keep the others from running.
        }
      }
    });
  }
  pending.add(cleanup);
  return () => pending.delete(cleanup);
}
