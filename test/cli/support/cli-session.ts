import assert from "node:assert/strict";
import { join } from "node:path";
import { type CliResult, type CliRunOptions, runMhsmCli } from "../../harness/mhsm-cli.js";
import { type ServerProcess, type StartOptions, startServerProcess } from "../../harness/server-process.js";

/**
 * One real server per test file and the built `mhsm` binary pointed at it through the admin file
 * (MHSM_ADMIN_FILE), as an operator of a local server would set it up. Nothing from the test
 * runner's environment chooses another HSM or other credentials.
 */
export interface CliSession {
  server: ServerProcess;
  adminFile: string;
  env: Record<string, string>;
  run(args: string[], options?: CliRunOptions): Promise<CliResult>;
  /** Runs a verb with `--output json`, expects exit 0 and returns the parsed stdout. */
  json<T = any>(args: string[], options?: CliRunOptions): Promise<T>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /**
   * Runs a verb that must fail: non-zero exit, nothing on stdout, and one
   * `error: <code>: <message>` line on stderr whose code is `code`. Returns the message.
   */
  fails(args: string[], code: string | RegExp, options?: CliRunOptions): Promise<string>;
  /** Gives the administrator Crypto Officer and Crypto User at /keys, with `mhsm role assignment create`. */
  grantKeyRoles(): Promise<void>;
  dispose(): Promise<void>;
}

export const NO_AMBIENT_CONNECTION = {
  MHSM_URL: "",
  AZURE_TENANT_ID: "",
  AZURE_CLIENT_ID: "",
  AZURE_CLIENT_SECRET: "",
  AZURE_AUTHORITY_HOST: "",
};

export async function startCliSession(options: StartOptions = {}): Promise<CliSession> {
  const server = await startServerProcess(options);
  const adminFile = join(server.dataDir, "initial-admin.json");
  const env = { ...NO_AMBIENT_CONNECTION, MHSM_ADMIN_FILE: adminFile };
  const run = (args: string[], runOptions: CliRunOptions = {}) =>
    runMhsmCli(args, { ...runOptions, env: { ...env, ...runOptions.env } });
  return {
    server,
    adminFile,
    env,
    run,
    async json(args, runOptions) {
      const result = await run([...args, "--output", "json"], runOptions);
      assert.equal(result.code, 0, `mhsm ${args.join(" ")} failed: ${result.stderr}`);
      return JSON.parse(result.stdout);
    },
    async fails(args, code, runOptions) {
      const result = await run(args, runOptions);
      return expectFailure(result, code, args);
    },
    async grantKeyRoles() {
      for (const role of ["Managed HSM Crypto Officer", "Managed HSM Crypto User"]) {
        const args = ["role", "assignment", "create", "--role", role, "--assignee", server.admin.objectId];
        const granted = await run([...args, "--scope", "/keys"]);
        assert.equal(granted.code, 0, granted.stderr);
      }
    },
    dispose: () => server.dispose(),
  };
}

/** The failure contract every verb keeps. */
export function expectFailure(result: CliResult, code: string | RegExp, args: string[] = []): string {
  const what = `mhsm ${args.join(" ")}`;
  assert.notEqual(result.code, 0, `${what} should fail; it printed ${result.stdout}`);
  assert.equal(result.stdout, "", `${what} printed on stdout while failing`);
  const match = /^error: ([A-Za-z0-9_.]+): (.+)$/m.exec(result.stderr);
  assert.ok(match, `${what}: stderr has no 'error: <code>: <message>' line:\n${result.stderr}`);
  if (typeof code === "string") assert.equal(match[1], code, result.stderr);
  else assert.match(match[1] as string, code, result.stderr);
  return match[2] as string;
}
