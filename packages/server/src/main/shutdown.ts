/**
 * What a started server must close, in the reverse order it was opened, exactly once: on
 * `close()`, and when start-up fails partway (then nothing is left running).
 */
export class Shutdown {
  readonly #steps: Array<() => unknown> = [];
  #closing: Promise<void> | undefined;

  /** Registers a step; returns `value` so opening and registering read as one line. */
  add<T>(value: T, close: (value: T) => unknown): T {
    this.#steps.push(() => close(value));
    return value;
  }

  /** Runs every step, newest first; a failing step does not keep the others from running. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const step of this.#steps.reverse()) {
        try {
          await step();
        } catch (error) {
          console.error(`mhsm: while closing: ${(error as Error).message}`);
        }
      }
    })();
    return this.#closing;
  }
}
