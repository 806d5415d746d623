import type { ServerConfigInput } from "@mhsm/server";

/** What startMhsm gives the server, in either mode: settings by config-file key, as `--config` takes them. */
export function serverInput(
  dataDir: string,
  seed: string | undefined,
  settings: ServerConfigInput | undefined,
) {
  return {
    host: "127.0.0.1",
    port: 0,
    logLevel: "warn",
    ...settings,
    dataDir,
    ...(seed !== undefined ? { seed } : {}),
  } satisfies ServerConfigInput;
}

/** The one line a child server prints once it listens (and nothing else on stdout). */
export interface ReadyLine {
  url: string;
  adminFile: string;
  caFile: string | undefined;
}
