import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { KeyClient } from "@azure/keyvault-keys";
import { isRestError } from "@mhsm/keyvault-admin";
import ts from "typescript";
import { httpClientTrusting } from "../../../test/harness/js-sdk.js";
import { REPO_ROOT } from "../../../test/harness/server-process.js";
import { adminClients, credentialFor } from "./support/admin-clients.js";
import { type BackupFixture, type Container, startBackupFixture } from "./support/backup-fixture.js";
import { runNode, scratchDir, writeScript } from "./support/child-node.js";
import { type Snippet, readmeSnippets } from "./support/readme-snippets.js";

const README = join(REPO_ROOT, "packages/keyvault-admin/README.md");
const definitionId = (name: string) =>
  `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${name}`;
/** Names the access-control snippets use. */
const SNIPPET_ASSIGNMENT = "295c179b-9ad3-4117-99cd-b1aa66cf4517";
const SNIPPET_PRINCIPAL = "4871f6a6-374f-4b6b-8b0c-f5d84db823f6";
const SNIPPET_DEFINITION = "23b8bb1a-39c0-4c89-a85b-dd3c99273a8a";

interface World {
  fixture: BackupFixture;
  container: Container;
  backupFolderUri: string;
  keyName: string;
  keys: KeyClient;
}

/** What each snippet must print, and what must hold after it ran. */
interface Expectation {
  prints?: RegExp;
  before?: (world: World) => Promise<void>;
  after?: (world: World) => Promise<void>;
}

const accessControl = (world: World) => adminClients(world.fixture.server).accessControl;
const notFound = async (promise: Promise<unknown>) =>
  assert.equal(
    await promise.then(
      () => 200,
      (error: unknown) => (isRestError(error) ? error.statusCode : error),
    ),
    404,
  );

const EXPECTATIONS: Record<string, Expectation> = {
  "Create KeyVaultAccessControlClient": {},
  "Create KeyVaultBackupClient": {},
  "Create KeyVaultSettingsClient": {},
  "List role definitions": { prints: /Role definition: [\s\S]*Managed HSM Administrator/ },
  "Get a role definition": { prints: /Managed HSM Crypto User/ },
  "Create or update a custom role definition": {
    prints: new RegExp(SNIPPET_DEFINITION),
    after: async (world) => {
      const definition = await accessControl(world).getRoleDefinition("/", SNIPPET_DEFINITION);
      assert.deepEqual(definition.permissions[0]?.dataActions, [
        "Microsoft.KeyVault/managedHsm/keys/backup/action",
      ]);
    },
  },
  "Delete a custom role definition": {
    after: (world) => notFound(accessControl(world).getRoleDefinition("/", SNIPPET_DEFINITION)),
  },
  "Create a role assignment": {
    prints: new RegExp(SNIPPET_ASSIGNMENT),
    after: async (world) => {
      const assignment = await accessControl(world).getRoleAssignment("/", SNIPPET_ASSIGNMENT);
      assert.equal(assignment.properties.principalId, SNIPPET_PRINCIPAL);
    },
  },
  "Get a role assignment": { prints: new RegExp(`principalId: '${SNIPPET_PRINCIPAL}'`) },
  "List role assignments": { prints: /Role assignment: / },
  "List page by page, and resume": { prints: /2 role assignments[\s\S]*more role assignments/ },
  "Delete a role assignment": {
    after: (world) => notFound(accessControl(world).getRoleAssignment("/", SNIPPET_ASSIGNMENT)),
  },
  "Perform a full key backup, with a SAS token": {
    prints: /folderUri: 'http:\/\/127\.0\.0\.1:\d+\/\S+\/mhsm-/,
  },
  "Perform a full key backup, with the HSM's identity": {
    prints: /folderUri: 'http:\/\/127\.0\.0\.1:\d+\/\S+\/mhsm-/,
  },
  "Check that a backup would succeed": { prints: /startTime: \d{4}-/ },
  "Perform a full key restore, with a SAS token": { prints: /endTime: \d{4}-/ },
  "Perform a full key restore, with the HSM's identity": {},
  "Check that a restore would succeed": {},
  "Perform a selective key restore": {
    // The key's name must be free: delete and purge the key the backup holds.
    before: async ({ keys, keyName }) => {
      await (await keys.beginDeleteKey(keyName, { intervalInMs: 100 })).pollUntilDone();
      await keys.purgeDeletedKey(keyName);
    },
    after: async ({ keys, keyName }) => assert.equal((await keys.getKey(keyName)).name, keyName),
  },
  "Follow a job's progress": {
    prints: /job \w+: (InProgress|Succeeded)\n[\s\S]*backed up to http\S+ at \d{4}-/,
  },
  "List the settings": { prints: /AllowKeyManagementOperationsThroughARM: false \(boolean\)/ },
  "Update a boolean setting": { prints: /AllowKeyManagementOperationsThroughARM is now true/ },
  Logging: {},
  Errors: { prints: /not found: RoleDefinitionNotFound/ },
};

/** Placeholders the README asks the reader to fill in, and what this test fills in. */
function fillIn(source: string, world: World): string {
  return source
    .replaceAll("https://localhost:8443", world.fixture.server.url)
    .replaceAll("<blob-container-uri>", world.container.uri)
    .replaceAll("<sas-token>", world.container.sasToken)
    .replaceAll("<backup-folder-uri>", world.backupFolderUri)
    .replaceAll("<key-name>", world.keyName);
}

describe("the README's snippets, run against mhsm and Azurite", () => {
  const snippets = readmeSnippets(README);
  let world: World;
  let scratch: { path: string; dispose: () => Promise<void> };
  let files: Map<Snippet, string>;
  let programs: Map<Snippet, string>;

  before(async () => {
    // Two items a page, so that the paging snippet has a page to resume after.
    const fixture = await startBackupFixture(["--list-page-size", "2"]);
    const { server } = fixture;
    const container = await fixture.createContainer();
    const clients = adminClients(server);
    // As on a Managed HSM, the Administrator role has no key data actions: add the key roles.
    for (const role of ["21dbd100-6940-42c2-9190-5d6cb909625b", "515eb02d-2335-4d2d-92f2-b1cbdf9c3778"]) {
      await clients.accessControl.createRoleAssignment(
        "/keys",
        randomUUID(),
        definitionId(role),
        server.admin.objectId,
      );
    }
    const keys = new KeyClient(server.url, credentialFor(server), {
      httpClient: httpClientTrusting(server.ca),
      disableChallengeResourceVerification: true,
    });
    const keyName = `readme-${randomUUID().slice(0, 8)}`;
    await keys.createEcKey(keyName, { curve: "P-256" });
    const backup = await clients.backup.beginBackup(container.uri, container.sasToken, { intervalInMs: 100 });
    const { folderUri } = await backup.pollUntilDone();
    world = { fixture, container, backupFolderUri: folderUri as string, keyName, keys };

    scratch = await scratchDir();
    files = new Map();
    programs = new Map();
    for (const [index, snippet] of snippets.entries()) {
      const name = `${String(index).padStart(2, "0")}-${snippet.heading.replace(/\W+/g, "-").toLowerCase()}`;
      const source = fillIn(snippet.source, world);
      files.set(snippet, await writeScript(scratch.path, `${name}.mts`, source));
      // Type-checked below as TypeScript; run as the JavaScript tsc makes of it, which spares
      // each of the many runs the TypeScript loader's start-up.
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      programs.set(snippet, await writeScript(scratch.path, `${name}.mjs`, outputText));
    }
  });
  after(async () => {
    await scratch?.dispose();
    await world?.fixture.dispose();
  });

  it("every snippet has an expectation here", () => {
    assert.deepEqual(snippets.map((s) => s.heading).sort(), Object.keys(EXPECTATIONS).sort());
  });

  it("the snippets type-check against the package's declarations", () => {
    const program = ts.createProgram([...files.values()], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ["node"],
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    assert.deepEqual(problems, []);
  });

  for (const [index, snippet] of snippets.entries()) {
    it(`runs "${snippet.heading}"`, async () => {
      const expectation = EXPECTATIONS[snippet.heading] ?? {};
      const client = accessControl(world);
      // Each snippet starts from the same state: the names the snippets use are free.
      await client.deleteRoleAssignment("/", SNIPPET_ASSIGNMENT);
      await client.deleteRoleDefinition("/", SNIPPET_DEFINITION);
      await expectation.before?.(world);

      const { server } = world.fixture;
      const run = await runNode(programs.get(snippet) as string, {
        NODE_EXTRA_CA_CERTS: server.admin.caFile,
        AZURE_TENANT_ID: server.admin.tenantId,
        AZURE_CLIENT_ID: server.admin.clientId,
        AZURE_CLIENT_SECRET: server.admin.clientSecret,
      });
      assert.equal(
        run.code,
        0,
        `snippet ${index} "${snippet.heading}" failed:\n${run.stderr}\n${run.stdout}`,
      );
      if (expectation.prints) assert.match(run.stdout, expectation.prints);
      await expectation.after?.(world);
    });
  }
});
