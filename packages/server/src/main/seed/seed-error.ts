import { ConfigError } from "../../platform/config/server-config.js";

/**
 * A seed the server cannot apply: it stops before it listens, with a message naming the file
 * and the entry (`seed file ./hsm-seed.json: keys[2].kty: …`). A ConfigError, so `mhsm serve`
 * reports it as it reports a bad setting.
 */
export class SeedError extends ConfigError {
  constructor(file: string, where: string, message: string) {
    super(`seed file ${file}: ${where ? `${where}: ` : ""}${message}`);
  }
}

/** Runs `step`; any error it throws becomes a SeedError naming `where`. */
export async function atEntry<T>(file: string, where: string, step: () => Promise<T> | T): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof SeedError) throw error;
    throw new SeedError(file, where, error instanceof Error ? error.message : String(error));
  }
}
