import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type RunningServer, parseServerConfig, startServer } from "../../packages/server/src/index.js";
import { type RawResponse, rawRequest } from "../harness/https-client.js";
import { createDatabase, databaseNameFor } from "../harness/postgres.js";
import { type TestPrincipal, createPrincipal } from "../harness/principals.js";
import type { InitialAdmin, ServerProcess } from "../harness/server-process.js";

/**
 * The authorization matrix, generated from the server's own route table (RunningServer.routes),
 * so a route added tomorrow is in it without anyone remembering to add it.
 *
 * For every authorized route, every subject below (no role; each built-in role at "/"; roles at
 * /keys and at one key; a custom role with notDataActions) and several spellings of the path,
 * the server must allow the request exactly when the subject's roles — as the server itself
 * lists them over the API — grant the route's data action at the resource's scope. The
 * expected data action and scope come from this file (EXPECTED_ACTIONS, expectedScope), not
 * from the server's declarations: the route table only says which routes exist.
 *
 * "Allowed" means anything but 401/403 (the handler may well answer 400 or 404: every request
 * targets keys, roles and jobs that do not exist, so nothing in the HSM changes); "denied"
 * means 403 Forbidden.
 */

const ACTION_PREFIX = "Microsoft.KeyVault/managedHsm/";
const PROVIDER = "/providers/Microsoft.Authorization";

/** What each route must require, by "METHOD url" (data actions without their prefix). */
const EXPECTED_ACTIONS: Record<string, string> = {
  "GET /mhsm/principals": "roleAssignments/read/action",
  "POST /mhsm/principals": "roleAssignments/write/action",
  "DELETE /mhsm/principals/:objectId": "roleAssignments/delete/action",
  "GET /settings": "settings/read/action",
  "GET /settings/:settingName": "settings/read/action",
  "PATCH /settings/:settingName": "settings/write/action",
  "POST /backup": "backup/start/action",
  "POST /prebackup": "backup/start/action",
  "PUT /restore": "restore/start/action",
  "PUT /prerestore": "restore/start/action",
  "PUT /keys/:keyName/restore": "restore/start/action",
  "GET /backup/:jobId/pending": "backup/status/action",
  "GET /restore/:jobId/pending": "restore/status/action",
  "POST /keys/:keyName/create": "keys/create",
  "PUT /keys/:keyName": "keys/import/action",
  "GET /keys/:keyName": "keys/read/action",
  "PATCH /keys/:keyName": "keys/write/action",
  "GET /keys/:keyName/:keyVersion": "keys/read/action",
  "PATCH /keys/:keyName/:keyVersion": "keys/write/action",
  "GET /keys": "keys/read/action",
  "GET /keys/:keyName/versions": "keys/read/action",
  "POST /keys/:keyName/rotate": "keys/rotate/action",
  "GET /keys/:keyName/rotationpolicy": "keys/read/action",
  "PUT /keys/:keyName/rotationpolicy": "keys/rotate/action",
  "POST /keys/:keyName/backup": "keys/backup/action",
  "POST /keys/restore": "keys/restore/action",
  "DELETE /keys/:keyName": "keys/delete",
  "GET /deletedkeys": "keys/deletedKeys/read/action",
  "GET /deletedkeys/:keyName": "keys/deletedKeys/read/action",
  "POST /deletedkeys/:keyName/recover": "keys/deletedKeys/recover/action",
  "DELETE /deletedkeys/:keyName": "keys/deletedKeys/delete",
  "GET /keys/:keyName/attestation": "keys/read/action",
  "GET /keys/:keyName/:keyVersion/attestation": "keys/read/action",
  "POST /rng": "rng/action",
  "POST /securitydomain/download": "securitydomain/download/action",
  "GET /securitydomain/download/pending": "securitydomain/download/read",
  "GET /securitydomain/upload": "securitydomain/transferkey/read",
  "POST /securitydomain/upload": "securitydomain/upload/action",
  "GET /securitydomain/upload/pending": "securitydomain/upload/read",
};
// Crypto operations, on the latest version and on a named one.
for (const [operation, action] of [
  ["encrypt", "keys/encrypt/action"],
  ["decrypt", "keys/decrypt/action"],
  ["wrapkey", "keys/wrap/action"],
  ["unwrapkey", "keys/unwrap/action"],
  ["sign", "keys/sign/action"],
  ["verify", "keys/verify/action"],
  ["release", "keys/release/action"],
  ["securewrapkey", "keys/wrap/action"],
  ["secureunwrapkey", "keys/unwrap/action"],
] as const) {
  EXPECTED_ACTIONS[`POST /keys/:keyName/${operation}`] = action;
  EXPECTED_ACTIONS[`POST /keys/:keyName/:keyVersion/${operation}`] = action;
}
// Role definitions and assignments, under each scope prefix.
for (const prefix of ["", "/keys", "/keys/:keyName"]) {
  for (const [kind, name] of [
    ["roleDefinitions", ":roleDefinitionName"],
    ["roleAssignments", ":roleAssignmentName"],
  ] as const) {
    EXPECTED_ACTIONS[`GET ${prefix}${PROVIDER}/${kind}`] = `${kind}/read/action`;
    EXPECTED_ACTIONS[`GET ${prefix}${PROVIDER}/${kind}/${name}`] = `${kind}/read/action`;
    EXPECTED_ACTIONS[`PUT ${prefix}${PROVIDER}/${kind}/${name}`] = `${kind}/write/action`;
    EXPECTED_ACTIONS[`DELETE ${prefix}${PROVIDER}/${kind}/${name}`] = `${kind}/delete/action`;
  }
}

/** Routes anyone may call: the identity provider's. Any other public route is a finding. */
const PUBLIC_ROUTES = [
  "GET /:tenant/v2.0/.well-known/openid-configuration",
  "GET /:tenant/discovery/v2.0/keys",
  "POST /:tenant/oauth2/v2.0/token",
  // The same identity provider as an AD FS authority (tenant "adfs"), for DefaultAzureCredential.
  "GET /adfs/.well-known/openid-configuration",
  "POST /adfs/oauth2/token",
  // Probes and the metrics scrape (outside the Key Vault paths; /metrics may need its own token).
  "GET /healthz",
  "GET /readyz",
  "GET /metrics",
  // The built-in TEST attestation authority (--test-attestation-authority; an authority has no callers).
  "GET /test-attestation/.well-known/openid-configuration",
  "GET /test-attestation/certs",
  "GET /test-attestation/generate-test-token",
  "POST /test-attestation/tokens",
];

/**
 * The scope a request acts on, from its concrete path: one key's operations act on /keys/{name}
 * (names are case-insensitive), collections of keys on /keys, everything else on "/". Role
 * definitions are global, so writing or deleting one acts on "/" whatever path it arrives on.
 */
function expectedScope(method: string, path: string): string {
  const segments = path.split("?")[0]!.split("/").filter(Boolean);
  if (/\/roleDefinitions(\/|$)/.test(path) && (method === "PUT" || method === "DELETE")) return "/";
  if (segments[0] !== "keys" && segments[0] !== "deletedkeys") return "/";
  const name = segments[1];
  if (name === undefined || name === "providers" || (segments[0] === "keys" && name === "restore"))
    return "/keys";
  return `/keys/${name.toLowerCase()}`;
}

const PARAMETER_VALUES: Record<string, string> = {
  roleDefinitionName: "d0000000-0000-4000-8000-00000000dead",
  roleAssignmentName: "a0000000-0000-4000-8000-00000000dead",
  objectId: "0b000000-0000-4000-8000-00000000dead",
  settingName: "AllowKeyManagementOperationsThroughARM",
  jobId: "0123456789abcdef0123456789abcdef",
  keyVersion: "0123456789abcdef0123456789abcdef",
};

/** A route's URL with its parameters filled in; `:keyName` becomes `keyName`. */
function concretePath(url: string, keyName: string): string {
  return url.replace(/:([A-Za-z]+)/g, (_match, parameter: string) => {
    if (parameter === "keyName") return keyName;
    const value = PARAMETER_VALUES[parameter];
    if (value === undefined) throw new Error(`no test value for route parameter :${parameter} (${url})`);
    return value;
  });
}

/** Spellings that must route exactly like the canonical path (WIRE.md: "Paths"). */
const SAME_ROUTE_SPELLINGS: Array<[string, (path: string) => string]> = [
  ["doubled slashes", (path) => path.replace(/\//g, "//")],
  ["%2F for slashes", (path) => `/${path.slice(1).replace(/\//g, "%2F")}`],
  ["trailing slash", (path) => `${path}/`],
];
/** Spellings that may fail to route (404) but must never reach more than the canonical path. */
const OTHER_SPELLINGS: Array<[string, (path: string) => string]> = [
  ["upper-case path", (path) => path.toUpperCase()],
  ["dot segments", (path) => path.replace(/^\/([^/]+)\//, "/$1/other/../")],
  ["%2e%2e segments", (path) => path.replace(/^\/([^/]+)\//, "/$1/other/%2e%2e/")],
];

interface Permission {
  dataActions: string[];
  notDataActions: string[];
}
interface Subject {
  label: string;
  grants: Array<{ scope: string; roleName: string }>;
  principal?: TestPrincipal;
}

/** Azure's matching, written here independently: case-insensitive, `*` is any run. */
function matches(pattern: string, action: string): boolean {
  const regex = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${regex}$`, "i").test(action);
}
function covers(assignmentScope: string, scope: string): boolean {
  return assignmentScope === "/" || assignmentScope === scope || scope.startsWith(`${assignmentScope}/`);
}

const CUSTOM_NO_KEYS = "e0000000-0000-4000-8000-000000000001";
const CUSTOM_EVERYTHING = "e0000000-0000-4000-8000-000000000002";

describe("authorization matrix over every registered route", { timeout: 600_000 }, () => {
  let dataDir: string;
  let running: RunningServer;
  let server: ServerProcess;
  let admin: InitialAdmin;
  let adminToken: string;
  const roleIdByName = new Map<string, string>();
  const permissionsByRoleId = new Map<string, Permission[]>();
  const subjects: Subject[] = [];

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "mhsm-matrix-"));
    const cluster = process.env.MHSM_TEST_POSTGRES_URL;
    const store = cluster ? await createDatabase(cluster, databaseNameFor(dataDir)) : "sqlite";
    running = await startServer(
      parseServerConfig({ dataDir, port: 0, logLevel: "warn", store, attestation: { testAuthority: true } }),
    );
    admin = JSON.parse(await readFile(running.initialAdminFile, "utf8")) as InitialAdmin;
    const ca = await readFile(running.caFile as string, "utf8");
    // The harness's request helpers take a ServerProcess; this one runs in this process.
    server = {
      url: running.url,
      port: running.port,
      dataDir,
      admin,
      ca,
      output: () => "",
      stop: () => running.close(),
      kill: () => running.close(),
      dispose: () => running.close(),
    };
    adminToken = (await createPrincipalToken(admin)) as string;

    for (const [name, permissions] of [
      [
        CUSTOM_NO_KEYS,
        [
          {
            dataActions: [`${ACTION_PREFIX}*`],
            notDataActions: [`${ACTION_PREFIX}keys/*`, `${ACTION_PREFIX}roleAssignments/write/action`],
          },
        ],
      ],
      [CUSTOM_EVERYTHING, [{ dataActions: ["*"], notDataActions: [] }]],
    ] as const) {
      const created = await call(adminToken, "PUT", `${PROVIDER}/roleDefinitions/${name}?api-version=7.4`, {
        properties: { roleName: `matrix ${name}`, permissions },
      });
      assert.equal(created.status, 201, created.text);
    }
    // The roles as the server lists them: what its enforcement must agree with.
    const listed = await call(adminToken, "GET", `${PROVIDER}/roleDefinitions?api-version=7.4`);
    assert.equal(listed.status, 200, listed.text);
    for (const definition of listed.json.value) {
      roleIdByName.set(definition.properties.roleName, definition.name);
      permissionsByRoleId.set(definition.name, definition.properties.permissions);
    }
    const builtIns = listed.json.value
      .filter((d: { properties: { type: string } }) => d.properties.type === "AKVBuiltInRole")
      .map((d: { properties: { roleName: string } }) => d.properties.roleName as string);
    assert.ok(builtIns.length >= 9, "the built-in roles are listed");

    subjects.push({ label: "no role", grants: [] });
    for (const roleName of builtIns)
      subjects.push({ label: `${roleName} at /`, grants: [{ scope: "/", roleName }] });
    subjects.push(
      {
        label: "Crypto User at /keys/a",
        grants: [{ scope: "/keys/a", roleName: "Managed HSM Crypto User" }],
      },
      {
        label: "Crypto Officer at /keys/a",
        grants: [{ scope: "/keys/a", roleName: "Managed HSM Crypto Officer" }],
      },
      {
        label: "Administrator at /keys",
        grants: [{ scope: "/keys", roleName: "Managed HSM Administrator" }],
      },
      { label: "custom '*' at /keys", grants: [{ scope: "/keys", roleName: `matrix ${CUSTOM_EVERYTHING}` }] },
      {
        label: "custom '*' at /keys/a",
        grants: [{ scope: "/keys/a", roleName: `matrix ${CUSTOM_EVERYTHING}` }],
      },
      {
        label: "custom with notDataActions at /",
        grants: [{ scope: "/", roleName: `matrix ${CUSTOM_NO_KEYS}` }],
      },
    );
    for (const subject of subjects) {
      subject.principal = await createPrincipal(server, subject.label.replace(/[^A-Za-z0-9]+/g, "-"));
      for (const grant of subject.grants) {
        const roleId = roleIdByName.get(grant.roleName);
        assert.ok(roleId, `role ${grant.roleName} is listed`);
        const prefix = grant.scope === "/" ? "" : grant.scope;
        const assigned = await call(
          adminToken,
          "PUT",
          `${prefix}${PROVIDER}/roleAssignments/${crypto.randomUUID()}?api-version=7.4`,
          {
            properties: {
              roleDefinitionId: `Microsoft.KeyVault/providers/Microsoft.Authorization/roleDefinitions/${roleId}`,
              principalId: subject.principal.objectId,
            },
          },
        );
        assert.equal(assigned.status, 201, assigned.text);
      }
    }
  });

  after(async () => {
    await running?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  function call(token: string, method: string, path: string, body?: unknown): Promise<RawResponse> {
    return rawRequest(server, { method, path, token, body });
  }

  async function createPrincipalToken(credentials: InitialAdmin): Promise<string> {
    const response = await rawRequest(server, {
      method: "POST",
      path: new URL(credentials.tokenEndpoint).pathname,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
        scope: "https://managedhsm.azure.net/.default",
      }).toString(),
    });
    assert.equal(response.status, 200, response.text);
    return response.json.access_token as string;
  }

  function allows(subject: Subject, action: string, scope: string): boolean {
    return subject.grants.some((grant) => {
      if (!covers(grant.scope, scope)) return false;
      const permissions = permissionsByRoleId.get(roleIdByName.get(grant.roleName) as string) ?? [];
      return permissions.some(
        (p) =>
          p.dataActions.some((pattern) => matches(pattern, action)) &&
          !p.notDataActions.some((pattern) => matches(pattern, action)),
      );
    });
  }

  const isDenied = (response: RawResponse) => response.status === 403;
  const isUnrouted = (response: RawResponse) =>
    response.status === 404 && response.json?.error?.code === "NotFound";

  it("knows every route: each has an expected data action, and only the identity provider and the probes and metrics are public", () => {
    const authorized = running.routes.filter((route) => route.kind === "authorized");
    const unknown = authorized
      .map((route) => `${route.method} ${route.url}`)
      .filter((key) => EXPECTED_ACTIONS[key] === undefined);
    assert.deepEqual(unknown, [], "new routes need a line in EXPECTED_ACTIONS");
    const publicRoutes = running.routes
      .filter((route) => route.kind === "public")
      .map((route) => `${route.method} ${route.url}`);
    assert.deepEqual(publicRoutes.sort(), [...PUBLIC_ROUTES].sort());
    for (const route of authorized) {
      assert.equal(
        route.kind === "authorized" && route.dataAction,
        ACTION_PREFIX + EXPECTED_ACTIONS[`${route.method} ${route.url}`],
        `${route.method} ${route.url}`,
      );
    }
  });

  it("allows each request exactly when the subject's roles grant its action at its scope", async () => {
    const failures: string[] = [];
    let checked = 0;
    const cases: Array<() => Promise<void>> = [];
    for (const route of running.routes) {
      if (route.kind !== "authorized") continue;
      const action = ACTION_PREFIX + (EXPECTED_ACTIONS[`${route.method} ${route.url}`] as string);
      // One key the key-scoped subjects hold (in another spelling) and one they do not.
      const keyNames = route.url.includes(":keyName") ? ["A", "b"] : ["-"];
      for (const keyName of keyNames) {
        const path = concretePath(route.url, keyName);
        // Routes outside the Azure API ignore api-version; sending it everywhere lets a spelling
        // that matches no route answer 404 instead of "api-version missing".
        const query = "?api-version=7.5";
        const scope = expectedScope(route.method, path);
        const body = ["POST", "PUT", "PATCH"].includes(route.method) ? {} : undefined;
        for (const subject of subjects) {
          const expected = allows(subject, action, scope);
          const token = subject.principal!.token;
          cases.push(async () => {
            const canonical = await call(token, route.method, path + query, body);
            checked++;
            const where = `${subject.label}: ${route.method} ${path} (${action.slice(ACTION_PREFIX.length)} on ${scope})`;
            if (canonical.status === 401) failures.push(`${where}: 401 ${canonical.text}`);
            if (expected === isDenied(canonical)) {
              failures.push(
                `${where}: expected ${expected ? "allowed" : "403"}, got ${canonical.status} ${canonical.text.slice(0, 160)}`,
              );
              return;
            }
            if (!expected) {
              assert.equal(canonical.json?.error?.code, "AccessDenied", where);
              assert.ok(
                canonical.json.error.message.includes(`${action} on ${scope}`),
                `${where}: ${canonical.text}`,
              );
            }
            for (const [spelling, respell] of SAME_ROUTE_SPELLINGS) {
              const response = await call(token, route.method, respell(path) + query, body);
              checked++;
              if (isDenied(response) !== !expected) {
                failures.push(
                  `${where} spelled with ${spelling}: expected ${expected ? "allowed" : "403"}, got ${response.status} ${response.text.slice(0, 160)}`,
                );
              }
            }
            for (const [spelling, respell] of OTHER_SPELLINGS) {
              const response = await call(token, route.method, respell(path) + query, body);
              checked++;
              if (!expected && !isDenied(response) && !isUnrouted(response)) {
                failures.push(
                  `${where} spelled with ${spelling}: reached past a denial with ${response.status} ${response.text.slice(0, 160)}`,
                );
              }
            }
          });
        }
      }
    }
    // A few requests at a time: each subject's tokens and connections stay ordinary.
    const concurrency = 8;
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < cases.length) await cases[next++]!();
      }),
    );
    assert.deepEqual(
      failures.slice(0, 20),
      [],
      `${failures.length} of ${checked} requests disagreed with the roles`,
    );
    assert.ok(checked > 1000, `the matrix ran (${checked} requests)`);
  });
});
