import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Command } from "commander";
import { registerBackupCommands } from "../../packages/cli/src/commands/backup.js";
import { registerKeyCommands } from "../../packages/cli/src/commands/key.js";
import { registerPrincipalCommands } from "../../packages/cli/src/commands/principal.js";
import { registerRestoreCommands } from "../../packages/cli/src/commands/restore.js";
import { registerRoleCommands } from "../../packages/cli/src/commands/role.js";
import { registerSettingCommands } from "../../packages/cli/src/commands/setting.js";
import { runMhsmCli } from "../harness/mhsm-cli.js";
import {
  type CliSession,
  NO_AMBIENT_CONNECTION,
  expectFailure,
  startCliSession,
} from "./support/cli-session.js";

const SETTING = "AllowKeyManagementOperationsThroughARM";

describe("mhsm connection options", () => {
  let cli: CliSession;
  /** Credentials in the environment, as @azure/identity reads them; no admin file. */
  let fromEnvironment: (secret?: string) => Record<string, string>;
  before(async () => {
    cli = await startCliSession();
    const { admin, url } = cli.server;
    fromEnvironment = (secret = admin.clientSecret) => ({
      ...NO_AMBIENT_CONNECTION,
      MHSM_ADMIN_FILE: "",
      MHSM_URL: url,
      AZURE_TENANT_ID: admin.tenantId,
      AZURE_CLIENT_ID: admin.clientId,
      AZURE_CLIENT_SECRET: secret,
      AZURE_AUTHORITY_HOST: url,
    });
  });
  after(() => cli?.dispose());

  it("takes AZURE_* credentials, MHSM_URL and --ca-file instead of an admin file", async () => {
    const result = await runMhsmCli(["setting", "list", "--ca-file", cli.server.admin.caFile], {
      env: fromEnvironment(),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(JSON.parse(result.stdout).some((s: { name: string }) => s.name === SETTING));
    assert.ok(!result.stdout.includes(cli.server.admin.clientSecret));
  });

  it("a principal without a role is Forbidden, with the service's message", async () => {
    const created = await cli.json<{ clientId: string; clientSecret: string }>([
      "principal",
      "create",
      "--name",
      "no-roles",
    ]);
    const env = { ...fromEnvironment(created.clientSecret), AZURE_CLIENT_ID: created.clientId };
    const denied = await runMhsmCli(["role", "assignment", "list", "--ca-file", cli.server.admin.caFile], {
      env,
    });
    assert.match(expectFailure(denied, "AccessDenied"), /Not authorized to access .*\/read\/action on \//);
  });

  it("fails clearly without credentials, URL or trust, and never echoes a secret", async () => {
    const wrong = await runMhsmCli(["setting", "list", "--ca-file", cli.server.admin.caFile], {
      env: fromEnvironment("mhsm~not-the-secret"),
    });
    expectFailure(wrong, "invalid_client");
    assert.ok(!wrong.stderr.includes("mhsm~not-the-secret"));

    const noCredentials = await runMhsmCli(["setting", "list", "--hsm-url", cli.server.url], {
      env: { ...NO_AMBIENT_CONNECTION, MHSM_ADMIN_FILE: "" },
    });
    assert.match(expectFailure(noCredentials, "NoCredentials"), /--admin-file .*AZURE_TENANT_ID/);
    const noUrl = await runMhsmCli(["setting", "list"], {
      env: { ...NO_AMBIENT_CONNECTION, MHSM_ADMIN_FILE: "" },
    });
    assert.match(expectFailure(noUrl, "BadArgument"), /--hsm-url/);
    assert.match(
      await cli.fails(
        ["setting", "list", "--hsm-url", cli.server.url.replace("https:", "http:")],
        "BadArgument",
      ),
      /https/,
    );
    // The server's own CA is not in Node's store: without --ca-file the TLS check fails, with a hint.
    const untrusted = await runMhsmCli(["setting", "list"], { env: fromEnvironment() });
    assert.match(
      expectFailure(untrusted, /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)$/),
      /--ca-file/,
    );
    await cli.fails(["setting", "list", "--admin-file", "/nonexistent/initial-admin.json"], "BadAdminFile");
  });
});

describe("mhsm setting", () => {
  let cli: CliSession;
  before(async () => {
    cli = await startCliSession();
  });
  after(() => cli?.dispose());

  it("lists, shows and updates a setting", async () => {
    const listed = await cli.json<Array<{ name: string; value: unknown; type: string }>>(["setting", "list"]);
    assert.deepEqual(listed, [{ name: SETTING, value: false, type: "boolean" }]);
    const updated = await cli.json(["setting", "update", "--name", SETTING, "--value", "true"]);
    assert.deepEqual(updated, { name: SETTING, value: true, type: "boolean" });
    const shown = await cli.run(["setting", "show", "-n", SETTING, "-o", "tsv"]);
    assert.equal(shown.stdout, `${SETTING}\ttrue\tboolean\n`);
  });

  it("passes the service's refusals through", async () => {
    await cli.fails(["setting", "show", "--name", "NoSuchSetting"], /NotFound|BadParameter/);
    await cli.fails(["setting", "update", "--name", SETTING, "--value", "maybe"], "BadParameter");
    assert.match(
      await cli.fails(["setting", "update", "--name", SETTING], "BadArgument"),
      /required option '--value <value>'/,
    );
  });
});

describe("mhsm --help", () => {
  it("every verb shows an example of itself (the binary's help for one; the whole command tree in-process)", async () => {
    const help = await runMhsmCli(["key", "rotation-policy", "update", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:\n {2}mhsm key rotation-policy update --name /);
    assert.match(help.stdout, /Connection and output:\n {2}--hsm-url <url>/);

    const program = new Command("mhsm");
    for (const register of [
      registerRoleCommands,
      registerKeyCommands,
      registerBackupCommands,
      registerRestoreCommands,
      registerSettingCommands,
      registerPrincipalCommands,
    ]) {
      register(program);
    }
    const verbs: string[] = [];
    const walk = (command: Command, path: string[]) => {
      if (command.commands.length === 0) {
        let text = "";
        command.configureOutput({ writeOut: (chunk) => (text += chunk) });
        command.outputHelp();
        const name = path.join(" ");
        assert.match(
          text,
          new RegExp(`Examples?:\\n {2}mhsm ${name}( |\\n)`),
          `mhsm ${name} --help has no example`,
        );
        verbs.push(name);
      }
      for (const sub of command.commands) walk(sub, [...path, sub.name()]);
    };
    walk(program, []);
    for (const expected of [
      "role definition create",
      "role assignment delete",
      "key list-deleted",
      "key rotation-policy show",
      "key unwrap",
      "backup status",
      "restore start",
      "setting update",
      "principal create",
    ]) {
      assert.ok(verbs.includes(expected), `${expected} is a verb`);
    }
    assert.ok(verbs.length >= 35, `${verbs.length} verbs`);
  });

  it("unknown flags, commands and missing arguments are usage errors with a hint", async () => {
    const unknown = await runMhsmCli(["key", "list", "--colour"]);
    assert.match(expectFailure(unknown, "BadArgument"), /unknown option '--colour'/);
    assert.match(unknown.stderr, /\(add --help for usage and an example\)/);
    expectFailure(await runMhsmCli(["key", "show"]), "BadArgument");
    expectFailure(await runMhsmCli(["role", "assignment", "list", "-o", "yaml"]), "BadArgument");
    expectFailure(await runMhsmCli(["backup", "begin"]), "BadArgument");
  });
});
