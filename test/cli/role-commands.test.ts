import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CliSession, startCliSession } from "./support/cli-session.js";

const CRYPTO_USER = "21dbd100-6940-42c2-9190-5d6cb909625b";
const SIGN = "Microsoft.KeyVault/managedHsm/keys/sign/action";
const READ = "Microsoft.KeyVault/managedHsm/keys/read/action";

interface Definition {
  id: string;
  name: string;
  roleName: string;
  description: string;
  roleType: string;
  permissions: Array<{ dataActions: string[]; notDataActions: string[] }>;
  assignableScopes: string[];
}

interface Assignment {
  id: string;
  name: string;
  scope: string;
  principalId: string;
  roleDefinitionId: string;
  roleName: string | null;
}

describe("mhsm role definition", () => {
  let cli: CliSession;
  let workDir: string;
  before(async () => {
    cli = await startCliSession();
    workDir = await mkdtemp(join(tmpdir(), "mhsm-cli-roles-"));
  });
  after(async () => {
    await cli?.dispose();
    await rm(workDir, { recursive: true, force: true });
  });

  it("lists the built-in roles as JSON, tsv and a table, and shows one by name, GUID or id", async () => {
    const definitions = await cli.json<Definition[]>(["role", "definition", "list"]);
    const cryptoUser = definitions.find((d) => d.roleName === "Managed HSM Crypto User");
    assert.ok(cryptoUser, "the built-in Crypto User role is listed");
    assert.equal(cryptoUser.name, CRYPTO_USER);
    assert.equal(cryptoUser.roleType, "AKVBuiltInRole");
    assert.ok(
      definitions.every((d) => d.roleType === "AKVBuiltInRole"),
      "a new HSM has no custom roles",
    );

    const tsv = await cli.run(["role", "definition", "list", "-o", "tsv"]);
    assert.equal(tsv.code, 0, tsv.stderr);
    const lines = tsv.stdout.trimEnd().split("\n");
    assert.equal(lines.length, definitions.length);
    assert.ok(lines.includes(`${CRYPTO_USER}\tManaged HSM Crypto User\tAKVBuiltInRole\t`), tsv.stdout);

    const table = await cli.run(["role", "definition", "list", "--output", "table"]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /│ Name\s+│ Role name\s+│ Type\s+│ Description │/);
    assert.match(table.stdout, /│ 21dbd100-6940-42c2-9190-5d6cb909625b │ Managed HSM Crypto User\s+│/);

    for (const given of ["managed hsm crypto user", CRYPTO_USER, cryptoUser.id]) {
      const shown = await cli.json<Definition>(["role", "definition", "show", "--name", given]);
      assert.equal(shown.name, CRYPTO_USER, `show --name ${given}`);
      assert.ok(shown.permissions[0]?.dataActions.includes(SIGN));
    }
  });

  it("creates a custom role from flags, refuses a second of the same name, updates and deletes it", async () => {
    const created = await cli.json<Definition>([
      "role",
      "definition",
      "create",
      "--role-name",
      "Release signer",
      "--description",
      "signs releases",
      "--data-actions",
      SIGN,
      READ,
    ]);
    assert.equal(created.roleType, "CustomRole");
    assert.deepEqual(created.permissions[0]?.dataActions, [SIGN, READ]);
    assert.deepEqual(created.assignableScopes, ["/"]);

    await cli.fails(
      ["role", "definition", "create", "--role-name", "release signer", "--data-actions", SIGN],
      "RoleDefinitionExists",
    );

    // Only what is given changes: the data actions stay.
    const updated = await cli.json<Definition>([
      "role",
      "definition",
      "update",
      "--name",
      "Release signer",
      "--description",
      "signs release artifacts",
      "--not-data-actions",
      READ,
    ]);
    assert.equal(updated.name, created.name);
    assert.equal(updated.description, "signs release artifacts");
    assert.deepEqual(updated.permissions[0]?.dataActions, [SIGN, READ]);
    assert.deepEqual(updated.permissions[0]?.notDataActions, [READ]);

    const deleted = await cli.run(["role", "definition", "delete", "--name", created.name]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, "");
    await cli.fails(["role", "definition", "show", "--name", "Release signer"], "RoleDefinitionNotFound");
  });

  it("creates from a definition file as az takes it, and updates from an edited `show -o json`", async () => {
    const name = randomUUID();
    const file = join(workDir, "auditor.json");
    await writeFile(
      file,
      JSON.stringify({ name, roleName: "Key auditor", description: "reads keys", dataActions: [READ] }),
    );
    const created = await cli.json<Definition>(["role", "definition", "create", "--definition", `@${file}`]);
    assert.equal(created.name, name);
    assert.deepEqual(created.permissions[0]?.dataActions, [READ]);

    const shown = await cli.run(["role", "definition", "show", "-n", name, "-o", "json"]);
    const edited = { ...JSON.parse(shown.stdout), description: "reads key properties" };
    await writeFile(join(workDir, "edited.json"), JSON.stringify(edited));
    // A bare path works as in az; so does stdin.
    const updated = await cli.json<Definition>([
      "role",
      "definition",
      "update",
      "--definition",
      join(workDir, "edited.json"),
    ]);
    assert.equal(updated.description, "reads key properties");
    const fromStdin = await cli.json<Definition>(["role", "definition", "update", "--definition", "-"], {
      input: JSON.stringify({ name, description: "from stdin" }),
    });
    assert.equal(fromStdin.description, "from stdin");
    assert.deepEqual(fromStdin.permissions[0]?.dataActions, [READ]);

    const custom = await cli.json<Definition[]>(["role", "definition", "list", "--custom-role-only"]);
    assert.deepEqual(
      custom.map((d) => d.name),
      [name],
    );
  });

  it("fails clearly on bad input, and passes the service's refusals through", async () => {
    const notJson = join(workDir, "broken.json");
    await writeFile(notJson, "{ roleName: ");
    assert.match(
      await cli.fails(["role", "definition", "create", "--definition", `@${notJson}`], "BadArgument"),
      /not valid JSON/,
    );
    assert.match(
      await cli.fails(["role", "definition", "create", "--role-name", "No permissions"], "BadArgument"),
      /needs permissions/,
    );
    assert.match(
      await cli.fails(
        ["role", "definition", "create", "--role-name", "x", "--data-actions", SIGN, "--name", "not-a-guid"],
        "BadArgument",
      ),
      /GUID/,
    );
    await cli.fails(
      ["role", "definition", "create", "--definition", `@${join(workDir, "nope.json")}`],
      "BadArgument",
    );
    // Built-in roles belong to the service: it refuses, and its code and message come through.
    assert.match(
      await cli.fails(["role", "definition", "delete", "--name", "Managed HSM Crypto User"], "BadParameter"),
      /built-in role/,
    );
    await cli.fails(["role", "definition", "show", "--name", randomUUID()], "RoleDefinitionNotFound");
    await cli.fails(["role", "definition", "show"], "BadArgument");
  });
});

describe("mhsm role assignment", () => {
  let cli: CliSession;
  let principalId: string;
  before(async () => {
    cli = await startCliSession();
    principalId = (await cli.json<{ objectId: string }>(["principal", "create", "--name", "ci-signer"]))
      .objectId;
  });
  after(() => cli?.dispose());

  it("assigns roles by name or GUID at /keys and /keys/<name>, lists with filters, shows and deletes", async () => {
    const atKeys = await cli.json<Assignment>([
      "role",
      "assignment",
      "create",
      "--role",
      "Managed HSM Crypto User",
      "--assignee",
      principalId,
      "--scope",
      "/keys",
    ]);
    assert.equal(atKeys.scope, "/keys");
    assert.equal(atKeys.principalId, principalId);
    assert.equal(atKeys.roleName, "Managed HSM Crypto User");
    assert.ok(atKeys.roleDefinitionId.endsWith(`/${CRYPTO_USER}`));

    const atKey = await cli.json<Assignment>([
      "role",
      "assignment",
      "create",
      "--role",
      "515eb02d-2335-4d2d-92f2-b1cbdf9c3778",
      "--assignee",
      principalId,
      "--scope",
      "/keys/release-key",
    ]);
    assert.equal(atKey.roleName, "Managed HSM Crypto Officer");

    const all = await cli.json<Assignment[]>(["role", "assignment", "list"]);
    assert.ok(all.some((a) => a.roleName === "Managed HSM Administrator" && a.scope === "/"));
    const mine = await cli.json<Assignment[]>(["role", "assignment", "list", "--assignee", principalId]);
    assert.deepEqual(mine.map((a) => a.name).sort(), [atKeys.name, atKey.name].sort());
    const byScope = await cli.json<Assignment[]>([
      "role",
      "assignment",
      "list",
      "--scope",
      "/keys/release-key",
    ]);
    assert.deepEqual(
      byScope.map((a) => a.name),
      [atKey.name],
    );
    const byRole = await cli.json<Assignment[]>([
      "role",
      "assignment",
      "list",
      "--role",
      "managed hsm crypto user",
      "--assignee",
      principalId,
    ]);
    assert.deepEqual(
      byRole.map((a) => a.name),
      [atKeys.name],
    );

    const tsv = await cli.run(["role", "assignment", "list", "--assignee", principalId, "-o", "tsv"]);
    assert.ok(
      tsv.stdout
        .split("\n")
        .includes(`${atKey.name}\tManaged HSM Crypto Officer\t${principalId}\t/keys/release-key`),
      tsv.stdout,
    );

    // show finds the scope by itself, or takes it.
    assert.equal(
      (await cli.json<Assignment>(["role", "assignment", "show", "--name", atKey.name])).scope,
      "/keys/release-key",
    );
    await cli.fails(
      ["role", "assignment", "show", "--name", atKey.name, "--scope", "/keys"],
      "RoleAssignmentNotFound",
    );

    const deleted = await cli.json<Assignment[]>(["role", "assignment", "delete", "--name", atKey.name]);
    assert.deepEqual(
      deleted.map((a) => a.name),
      [atKey.name],
    );
    const byFilter = await cli.json<Assignment[]>([
      "role",
      "assignment",
      "delete",
      "--assignee",
      principalId,
      "--role",
      "Managed HSM Crypto User",
    ]);
    assert.deepEqual(
      byFilter.map((a) => a.name),
      [atKeys.name],
    );
    assert.deepEqual(await cli.json(["role", "assignment", "list", "--assignee", principalId]), []);
    await cli.fails(["role", "assignment", "delete", "--assignee", principalId], "RoleAssignmentNotFound");
  });

  it("fails clearly: unknown role, duplicate, bad assignee or scope, missing flags", async () => {
    await cli.fails(
      ["role", "assignment", "create", "--role", "Managed HSM Wizard", "--assignee", principalId],
      "RoleDefinitionNotFound",
    );
    const args = [
      "role",
      "assignment",
      "create",
      "--role",
      "Managed HSM Crypto Auditor",
      "--assignee",
      principalId,
    ];
    assert.equal((await cli.run(args)).code, 0);
    assert.match(await cli.fails(args, "RoleAssignmentExists"), /already exists/);
    await cli.fails(
      ["role", "assignment", "create", "--role", "Managed HSM Crypto Auditor", "--assignee", "bob"],
      "BadParameter",
    );
    assert.match(
      await cli.fails([...args, "--scope", "/secrets"], "BadArgument"),
      /--scope <scope>' argument '\/secrets' is invalid/,
    );
    assert.match(
      await cli.fails(
        ["role", "assignment", "create", "--role", "Managed HSM Crypto Auditor"],
        "BadArgument",
      ),
      /required option '--assignee <objectId>' not specified/,
    );
    assert.match(await cli.fails(["role", "assignment", "delete"], "BadArgument"), /which assignments/);
    assert.match(
      await cli.fails(["role", "assignment", "list", "--colour"], "BadArgument"),
      /unknown option '--colour'/,
    );
  });

  it("never prints the admin file's client secret", async () => {
    const secret = JSON.parse(await readFile(cli.adminFile, "utf8")).clientSecret as string;
    for (const args of [
      ["role", "assignment", "list"],
      ["role", "definition", "list", "-o", "table"],
    ]) {
      const result = await cli.run(args);
      assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret));
    }
  });
});
