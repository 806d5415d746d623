import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { tokenFor } from "../harness/principals.js";
import { type InitialAdmin, REPO_ROOT, stopProcess } from "../harness/server-process.js";
import { waitFor } from "../harness/wait-for.js";
import { describeFailure, npm, run } from "./support/commands.js";

/** The workspace folders whose packages `@mhsm/cli` needs, itself included (its @mhsm/* dependencies, transitively). */
async function workspacesOfCli(): Promise<string[]> {
  const byName = new Map<string, { dir: string; dependencies: string[] }>();
  for (const dir of ["packages/cli", "packages/server", "packages/keyvault-admin", "packages/testing"]) {
    const manifest = JSON.parse(
      await readFile(join(REPO_ROOT, dir, "package.json"), "utf8").catch(() => "null"),
    ) as {
      name: string;
      dependencies?: Record<string, string>;
    } | null;
    if (manifest) byName.set(manifest.name, { dir, dependencies: Object.keys(manifest.dependencies ?? {}) });
  }
  const needed = new Set<string>();
  const visit = (name: string) => {
    const workspace = byName.get(name);
    if (!workspace || needed.has(workspace.dir)) return;
    needed.add(workspace.dir);
    workspace.dependencies.forEach(visit);
  };
  visit("@mhsm/cli");
  return [...needed];
}

/**
 * A user outside this repository: `npm pack` of the CLI and of the sibling packages it depends on,
 * those tarballs installed into an empty folder (third-party packages from the registry, or npm's
 * cache), then that folder's `mhsm serve` answers a token request and a role definition list.
 */
describe("the packed CLI, installed into an empty folder", { timeout: 1_500_000 }, () => {
  let work: string;
  let app: string;
  let server: ChildProcess | undefined;
  let output = "";

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "mhsm-packed-"));
    const tarballs = join(work, "tarballs");
    app = join(work, "app");
    const workspaces = await workspacesOfCli();
    await mkdir(tarballs);
    const packed = await npm(
      [
        "pack",
        ...workspaces.flatMap((dir) => ["--workspace", dir]),
        "--pack-destination",
        tarballs,
        "--silent",
      ],
      REPO_ROOT,
    );
    assert.equal(packed.code, 0, describeFailure("npm pack", packed));
    await mkdir(app);
    await writeFile(join(app, "package.json"), JSON.stringify({ name: "packed-cli-user", private: true }));
    const files = (await readdir(tarballs))
      .filter((file) => file.endsWith(".tgz"))
      .map((file) => join(tarballs, file));
    assert.equal(files.length, workspaces.length, `one tarball per package: ${files.join(", ")}`);
    // Long: better-sqlite3 is compiled from source when no prebuilt binary can be fetched, which
    // took over 8 minutes on a loaded 2-core machine (about 2 minutes otherwise).
    const install = await npm(["install", "--prefer-offline", ...files], app, 1_200_000);
    assert.equal(install.code, 0, describeFailure("npm install <tarballs>", install));
  });

  after(async () => {
    if (server) await stopProcess(server);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("is a CLI that runs from the folder's node_modules, not from this repository", async () => {
    const version = await run(join(app, "node_modules/.bin/mhsm"), ["--version"], { cwd: app });
    assert.equal(version.code, 0, describeFailure("mhsm --version", version));
    const { version: expected } = JSON.parse(
      await readFile(join(REPO_ROOT, "packages/cli/package.json"), "utf8"),
    ) as {
      version: string;
    };
    assert.equal(version.stdout.trim(), expected);
    const resolved = await run(
      process.execPath,
      ["--input-type=module", "-e", "console.log(import.meta.resolve('@mhsm/server'))"],
      { cwd: join(app, "node_modules/@mhsm/cli") },
    );
    assert.ok(
      resolved.stdout.trim().startsWith(`file://${app}/node_modules/`),
      resolved.stdout + resolved.stderr,
    );
  });

  it("serves: a token from its identity provider, then its role definitions", async () => {
    const dataDir = join(work, "data");
    server = spawn(join(app, "node_modules/.bin/mhsm"), ["serve", "--port", "0", "--data-dir", dataDir], {
      cwd: app,
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    server.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const url = await waitFor(
      () => {
        if (server?.exitCode !== null) throw new Error(`mhsm serve exited ${server?.exitCode}:\n${output}`);
        return /mhsm listening on (https:\/\/\S+)/.exec(output)?.[1];
      },
      { what: "the packed mhsm serve's 'listening on' line", timeoutMs: 60_000 },
    );
    const admin = JSON.parse(await readFile(join(dataDir, "initial-admin.json"), "utf8")) as InitialAdmin;
    const endpoint = { url, ca: await readFile(admin.caFile, "utf8") };
    const token = await tokenFor({ ...endpoint, admin } as Parameters<typeof tokenFor>[0], admin);
    const list = await rawRequest(endpoint, {
      path: "/providers/Microsoft.Authorization/roleDefinitions?api-version=7.5",
      token,
    });
    assert.equal(list.status, 200, list.text);
    const names = (list.json.value as { properties: { roleName: string } }[]).map(
      (d) => d.properties.roleName,
    );
    assert.ok(names.includes("Managed HSM Administrator"), names.join(", "));

    // The installed CLI itself as a client of that server.
    const cli = await run(
      join(app, "node_modules/.bin/mhsm"),
      ["role", "definition", "list", "--admin-file", join(dataDir, "initial-admin.json")],
      {
        cwd: app,
      },
    );
    assert.equal(cli.code, 0, describeFailure("mhsm role definition list", cli));
    assert.match(cli.stdout, /Managed HSM Crypto User/);
  });
});
