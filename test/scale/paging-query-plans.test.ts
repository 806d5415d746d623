import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { CompiledQuery, type Kysely, type KyselyPlugin, sql } from "kysely";
import { Barrier } from "../../packages/server/src/platform/barrier/barrier.js";
import type { Database } from "../../packages/server/src/platform/store/schema.js";
import { PrincipalRepository } from "../../packages/server/src/resources/identity/principal-repository.js";
import type { KeyVersion } from "../../packages/server/src/resources/keys/key-model.js";
import { KeyRepository } from "../../packages/server/src/resources/keys/key-repository.js";
import { RoleAssignmentRepository } from "../../packages/server/src/resources/rbac/role-assignment-repository.js";
import { RoleDefinitionRepository } from "../../packages/server/src/resources/rbac/role-definition-repository.js";
import {
  NON_C_ICU_LOCALE,
  type PagingBackend,
  openPostgresBackend,
  openSqliteBackend,
} from "./support/paging-backends.js";

/**
 * A page costs its own rows only if the database reads them off an index in the page's order:
 * a plan that sorts has read every matching row first. Each list's real query (captured from the
 * repository as it runs) is explained on SQLite and on PostgreSQL (a database whose collation is
 * not "C", with sorting priced out so the planner shows whether it could avoid one), and no
 * plan may sort. Speed itself is `npm run bench`'s; this checks the shape of the work.
 */

/** Records the SQL and parameters of every query run through the Kysely it is plugged into. */
function recorder(db: Kysely<Database>) {
  const queries: CompiledQuery[] = [];
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      queries.push(db.getExecutor().compileQuery(args.node, args.queryId));
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { queries, db: db.withPlugin(plugin) };
}

const oct = (name: string, version: string, created: number): KeyVersion => ({
  name,
  version,
  shape: { kty: "oct-HSM", keySize: 256 },
  publicKey: {},
  keyOps: ["wrapKey"],
  attributes: { enabled: true, notBefore: null, expires: null, created, updated: created },
  tags: {},
  imported: false,
});

for (const open of [openSqliteBackend, openPostgresBackend]) {
  const postgres = open === openPostgresBackend;
  describe(`list queries read an index in page order (${postgres ? `PostgreSQL, ${NON_C_ICU_LOCALE}` : "SQLite"})`, () => {
    let backend: PagingBackend;
    let db: Kysely<Database>;
    const principal = randomUUID();

    before(async () => {
      backend = await open();
      db = backend.db;
      const { store } = backend;
      // Enough rows that reading them all is not the cheap plan.
      for (let i = 0; i < 400; i++) {
        const name = `key-${i}`;
        const version = randomBytes(16).toString("hex");
        await store.keys.insertVersion(oct(name, version, i), randomBytes(32));
        await store.keys.insertKey(name, version, i);
        if (i % 3 === 0) await store.keys.setDeletion(name, { deletedAt: 1, scheduledPurgeAt: 2 });
      }
      for (let i = 0; i < 50; i++) {
        await store.keys.insertVersion(
          oct("key-1", randomBytes(16).toString("hex"), 1000 + i),
          randomBytes(32),
        );
      }
      const scopes = ["/", "/keys", ...Array.from({ length: 100 }, (_, i) => `/keys/key-${i}`)];
      for (let i = 0; i < 1200; i++) {
        const name = randomUUID();
        await store.roleAssignments.insert(
          {
            name,
            scope: scopes[i % scopes.length] as string,
            roleDefinitionName: name,
            principalId: i % 4 === 0 ? principal : randomUUID(),
          },
          1,
        );
      }
      for (let i = 0; i < 300; i++) {
        const objectId = randomUUID();
        await store.principals.insert(
          { objectId, clientId: objectId, displayName: "p", createdAt: i % 50 },
          "hash",
        );
        await store.roleDefinitions.insert(
          {
            name: objectId,
            roleName: `role ${i}`,
            description: "",
            roleType: "CustomRole",
            permissions: [],
            assignableScopes: ["/"],
          },
          1,
        );
      }
      await sql`ANALYZE`.execute(db);
    });
    after(() => backend?.close());

    /** The plan of the last query `list` ran, as text lines. */
    async function planOf(list: (repositories: ReturnType<typeof repositoriesOn>) => Promise<unknown>) {
      const recorded = recorder(db);
      await list(repositoriesOn(recorded.db));
      const query = recorded.queries.at(-1) as CompiledQuery;
      return db.connection().execute(async (connection) => {
        if (postgres) {
          // Priced out, not forbidden: a plan that cannot do without a sort still shows one.
          await sql`SET enable_sort = off`.execute(connection);
          await sql`SET enable_seqscan = off`.execute(connection);
          const explained = await connection.executeQuery<{ "QUERY PLAN": string }>(
            CompiledQuery.raw(`EXPLAIN ${query.sql}`, [...query.parameters]),
          );
          await sql`RESET enable_sort`.execute(connection);
          await sql`RESET enable_seqscan`.execute(connection);
          return explained.rows.map((row) => row["QUERY PLAN"]);
        }
        const explained = await connection.executeQuery<{ detail: string }>(
          CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]),
        );
        return explained.rows.map((row) => row.detail);
      });
    }

    const repositoriesOn = (on: Kysely<Database>) => {
      const barrier = Barrier.fromDomainKey(randomBytes(32));
      return {
        keys: new KeyRepository(on, barrier),
        roleAssignments: new RoleAssignmentRepository(on),
        roleDefinitions: new RoleDefinitionRepository(on),
        principals: new PrincipalRepository(on, barrier),
      };
    };

    const lists: Array<[string, (r: ReturnType<typeof repositoriesOn>) => Promise<unknown>]> = [
      ["keys", (r) => r.keys.listPage(false, "key-200", 26)],
      ["deleted keys", (r) => r.keys.listPage(true, "key-200", 26)],
      ["key versions", (r) => r.keys.listVersionsPage("KEY-1", { created: 1010, version: "0" }, 26)],
      ["all role assignments", (r) => r.roleAssignments.listPage({}, "8", 101)],
      [
        "role assignments at a scope",
        (r) => r.roleAssignments.listPage({ scopes: ["/keys/key-7"] }, "8", 101),
      ],
      [
        "a principal's role assignments",
        (r) => r.roleAssignments.listPage({ principalId: principal }, "8", 101),
      ],
      [
        "a principal's role assignments at a scope",
        (r) => r.roleAssignments.listPage({ scopes: ["/keys"], principalId: principal }, "8", 101),
      ],
      ["custom role definitions", (r) => r.roleDefinitions.listPage("8", 101)],
      ["principals", (r) => r.principals.listPage({ createdAt: 20, objectId: "8" }, 101)],
    ];

    for (const [what, list] of lists) {
      it(`${what}: no sort in the plan`, async () => {
        const plan = await planOf(list);
        const sorts = plan.filter((line) => /\bSort\b|TEMP B-TREE FOR ORDER BY/i.test(line));
        assert.deepEqual(sorts, [], `${what} sorts:\n${plan.join("\n")}`);
      });
    }
  });
}
