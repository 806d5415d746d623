import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { KeyVersion } from "../../packages/server/src/resources/keys/key-model.js";
import { fuzzParameters } from "../harness/fuzz.js";
import {
  NON_C_ICU_LOCALE,
  type PagingBackend,
  type PagingStore,
  openPostgresBackend,
  openSqliteBackend,
} from "./support/paging-backends.js";

/**
 * Every list reads one page at a time from the database with a keyset query. Against a simple
 * model, on SQLite and on PostgreSQL with a database whose default collation is not code-point
 * order: whatever is inserted and deleted between pages, the pages come in strictly increasing
 * code-point order (so nothing repeats), every item that existed throughout is on exactly one
 * page (nothing is skipped), and nothing shows that never matched the list's filters.
 */

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const padded = (n: number) => String(n).padStart(15, "0");

/** Reads page after page (`read` gets LIMIT size + 1), running `between` after each one. */
async function pageThrough<T>(
  read: (after: string | undefined, limit: number) => Promise<T[]>,
  keyOf: (item: T) => string,
  size: number,
  between: (page: number) => Promise<void>,
): Promise<string[]> {
  const keys: string[] = [];
  let afterKey: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const rows = await read(afterKey, size + 1);
    const value = rows.slice(0, size);
    keys.push(...value.map(keyOf));
    await between(page);
    if (rows.length <= size) return keys;
    afterKey = keyOf(value[value.length - 1] as T);
  }
  throw new Error("paging did not end");
}

function assertPaged(
  keys: string[],
  stable: Iterable<string>,
  everListed: Set<string>,
  identityOf: (key: string) => string = (key) => key,
): void {
  for (let i = 1; i < keys.length; i++) {
    assert.ok(
      byCodePoint(keys[i - 1] as string, keys[i] as string) < 0,
      `out of order or repeated: ${keys[i - 1]} then ${keys[i]}`,
    );
  }
  const seen = new Set(keys.map(identityOf));
  for (const key of stable) assert.ok(seen.has(key), `skipped ${key}`);
  for (const key of keys) assert.ok(everListed.has(identityOf(key)), `listed ${key}, which never matched`);
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

async function addKey(store: PagingStore, name: string, deleted: boolean): Promise<void> {
  const version = randomBytes(16).toString("hex");
  await store.keys.insertVersion(oct(name, version, 1), randomBytes(32));
  await store.keys.insertKey(name, version, 1);
  if (deleted) await store.keys.setDeletion(name, { deletedAt: 1, scheduledPurgeAt: 2 });
}

// Names that collations disagree about: hyphens, digits before letters, upper and lower case.
const keyName = fc.stringMatching(/^[a-cA-C0-2-]{1,4}$/);
const keyMutation = fc.oneof(
  fc.record({ insert: keyName, deleted: fc.boolean() }),
  fc.record({ purge: fc.nat() }),
  fc.record({ toggle: fc.nat() }),
);
const principals = [
  "0a1b2c3d-0000-4000-8000-000000000001",
  "1a1b2c3d-0000-4000-8000-000000000002",
  "aa1b2c3d-0000-4000-8000-000000000003",
];
const scopes = ["/", "/keys", "/keys/a-b", "/keys/ab"];
const assignment = fc.record({
  name: fc.uuid(),
  scope: fc.constantFrom(...scopes),
  principalId: fc.constantFrom(...principals),
});

for (const open of [openSqliteBackend, openPostgresBackend]) {
  describe(`keyset paging in the database (${open === openSqliteBackend ? "SQLite" : `PostgreSQL, ${NON_C_ICU_LOCALE}`})`, () => {
    let backend: PagingBackend;
    before(async () => {
      backend = await open();
    });
    after(() => backend?.close());

    if (open === openPostgresBackend) {
      it("runs on a database whose own order is not code-point order", async () => {
        const differs = (backend as Awaited<ReturnType<typeof openPostgresBackend>>).collationDiffers;
        assert.deepEqual(differs, { hyphen: true }, "'a-c' sorts after 'ab' in the database's own order");
      });
    }

    it("keys and deleted keys: by lower-case name, through purges, deletes and recoveries between pages", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.record({ name: keyName, deleted: fc.boolean() }), {
            selector: (key) => key.name.toLowerCase(),
            maxLength: 25,
          }),
          fc.array(keyMutation, { maxLength: 12 }),
          fc.integer({ min: 1, max: 6 }),
          fc.boolean(),
          async (initial, mutations, size, listDeleted) => {
            await backend.clear();
            const { store } = backend;
            const model = new Map<string, { name: string; deleted: boolean }>();
            for (const key of initial) {
              await addKey(store, key.name, key.deleted);
              model.set(key.name.toLowerCase(), { ...key });
            }
            const listed = (lower: string) => model.get(lower)?.deleted === listDeleted;
            const touched = new Set<string>();
            const everListed = new Set([...model.keys()].filter(listed));
            const stable = () =>
              initial.map((k) => k.name.toLowerCase()).filter((k) => listed(k) && !touched.has(k));
            const stableBefore = stable();
            const keys = await pageThrough(
              (afterKey, limit) => store.keys.listPage(listDeleted, afterKey, limit),
              (row) => row.key.name,
              size,
              async (page) => {
                const mutation = mutations[page];
                if (!mutation) return;
                const names = [...model.keys()];
                if ("insert" in mutation) {
                  const lower = mutation.insert.toLowerCase();
                  if (model.has(lower)) return;
                  await addKey(store, mutation.insert, mutation.deleted);
                  model.set(lower, { name: mutation.insert, deleted: mutation.deleted });
                  touched.add(lower);
                } else if (names.length > 0) {
                  const lower = names[
                    ("purge" in mutation ? mutation.purge : mutation.toggle) % names.length
                  ] as string;
                  const key = model.get(lower) as { name: string; deleted: boolean };
                  touched.add(lower);
                  if ("purge" in mutation) {
                    await store.keys.purge(key.name);
                    model.delete(lower);
                  } else {
                    key.deleted = !key.deleted;
                    await store.keys.setDeletion(
                      key.name,
                      key.deleted ? { deletedAt: 1, scheduledPurgeAt: 2 } : null,
                    );
                  }
                }
                if (listed(lower(mutation, names))) everListed.add(lower(mutation, names));
              },
            );
            assertPaged(
              keys,
              stableBefore.filter((k) => !touched.has(k)),
              everListed,
              // The model knows keys by lower-case name; the list is ordered by name as spelled.
              (name) => name.toLowerCase(),
            );
          },
        ),
        fuzzParameters(25),
      );
    });

    it("key versions: by (created, version), ties included, with versions added between pages", async () => {
      const version = fc.stringMatching(/^[0-9a-f]{32}$/);
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.record({ version, created: fc.integer({ min: 1, max: 3 }) }), {
            selector: (v) => v.version,
            minLength: 1,
            maxLength: 20,
          }),
          fc.array(fc.record({ version, created: fc.integer({ min: 1, max: 4 }) }), { maxLength: 8 }),
          fc.integer({ min: 1, max: 5 }),
          async (initial, added, size) => {
            await backend.clear();
            const { store } = backend;
            const orderKey = (v: { created: number; version: string }) => `${padded(v.created)}-${v.version}`;
            for (const v of initial)
              await store.keys.insertVersion(oct("Versioned-Key", v.version, v.created), randomBytes(32));
            await store.keys.insertKey("Versioned-Key", (initial[0] as { version: string }).version, 1);
            const everListed = new Set(initial.map(orderKey));
            const keys = await pageThrough(
              (afterKey, limit) => {
                const match = afterKey === undefined ? undefined : /^(\d+)-(.+)$/.exec(afterKey);
                const from = match ? { created: Number(match[1]), version: match[2] as string } : undefined;
                return store.keys.listVersionsPage("versioned-KEY", from, limit);
              },
              (v) => orderKey({ created: v.attributes.created, version: v.version }),
              size,
              async (page) => {
                const v = added[page];
                if (!v || everListed.has(orderKey(v)) || [...everListed].some((k) => k.endsWith(v.version)))
                  return;
                await store.keys.insertVersion(oct("Versioned-Key", v.version, v.created), randomBytes(32));
                everListed.add(orderKey(v));
              },
            );
            assertPaged(keys, initial.map(orderKey), everListed);
          },
        ),
        fuzzParameters(25),
      );
    });

    it("role assignments: every scope filter and principal filter, with assignments made and deleted between pages", async () => {
      const scopeFilters = [
        undefined,
        ["/"],
        ["/keys", "/"],
        ["/keys/a-b", "/keys", "/"],
        ["/keys/ab", "/keys", "/"],
      ];
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(assignment, { selector: (a) => a.name, maxLength: 30 }),
          fc.array(fc.oneof(fc.record({ insert: assignment }), fc.record({ remove: fc.nat() })), {
            maxLength: 10,
          }),
          fc.constantFrom(...scopeFilters),
          fc.constantFrom(undefined, ...principals),
          fc.integer({ min: 1, max: 6 }),
          async (initial, mutations, scopeFilter, principalId, size) => {
            await backend.clear();
            const { store } = backend;
            const matches = (a: { scope: string; principalId: string }) =>
              (scopeFilter === undefined || scopeFilter.includes(a.scope)) &&
              (principalId === undefined || a.principalId === principalId);
            const insert = (a: { name: string; scope: string; principalId: string }) =>
              // The role is the assignment's own name: the (scope, role, principal) unique holds.
              store.roleAssignments.insert({ ...a, roleDefinitionName: a.name }, 1);
            const model = new Map(initial.map((a) => [a.name, a]));
            for (const a of initial) await insert(a);
            const removed = new Set<string>();
            const everListed = new Set(initial.filter(matches).map((a) => a.name));
            const keys = await pageThrough(
              (afterKey, limit) =>
                store.roleAssignments.listPage({ scopes: scopeFilter, principalId }, afterKey, limit),
              (a) => a.name,
              size,
              async (page) => {
                const mutation = mutations[page];
                if (!mutation) return;
                if ("insert" in mutation) {
                  if (model.has(mutation.insert.name)) return;
                  await insert(mutation.insert);
                  model.set(mutation.insert.name, mutation.insert);
                  if (matches(mutation.insert)) everListed.add(mutation.insert.name);
                } else if (model.size > 0) {
                  const name = [...model.keys()][mutation.remove % model.size] as string;
                  await store.roleAssignments.delete(name);
                  model.delete(name);
                  removed.add(name);
                }
              },
            );
            const stable = initial.filter((a) => matches(a) && !removed.has(a.name)).map((a) => a.name);
            assertPaged(keys, stable, everListed);
          },
        ),
        fuzzParameters(30),
      );
    });

    it("principals: by (created, object id), ties included, with principals made and deleted between pages", async () => {
      const principal = fc.record({ objectId: fc.uuid(), createdAt: fc.integer({ min: 1, max: 3 }) });
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(principal, { selector: (p) => p.objectId, maxLength: 20 }),
          fc.array(fc.oneof(fc.record({ insert: principal }), fc.record({ remove: fc.nat() })), {
            maxLength: 8,
          }),
          fc.integer({ min: 1, max: 5 }),
          async (initial, mutations, size) => {
            await backend.clear();
            const { store } = backend;
            const orderKey = (p: { createdAt: number; objectId: string }) =>
              `${padded(p.createdAt)}-${p.objectId}`;
            const insert = (p: { createdAt: number; objectId: string }) =>
              store.principals.insert({ ...p, clientId: p.objectId, displayName: "p" }, "hash");
            const model = new Map(initial.map((p) => [p.objectId, p]));
            for (const p of initial) await insert(p);
            const removed = new Set<string>();
            const everListed = new Set(initial.map(orderKey));
            const keys = await pageThrough(
              (afterKey, limit) => {
                const match = afterKey === undefined ? undefined : /^(\d+)-(.+)$/.exec(afterKey);
                const from = match
                  ? { createdAt: Number(match[1]), objectId: match[2] as string }
                  : undefined;
                return store.principals.listPage(from, limit);
              },
              orderKey,
              size,
              async (page) => {
                const mutation = mutations[page];
                if (!mutation) return;
                if ("insert" in mutation) {
                  if (model.has(mutation.insert.objectId)) return;
                  await insert(mutation.insert);
                  model.set(mutation.insert.objectId, mutation.insert);
                  everListed.add(orderKey(mutation.insert));
                } else if (model.size > 0) {
                  const objectId = [...model.keys()][mutation.remove % model.size] as string;
                  await store.principals.delete(objectId);
                  model.delete(objectId);
                  removed.add(objectId);
                }
              },
            );
            const stable = initial.filter((p) => !removed.has(p.objectId)).map(orderKey);
            assertPaged(keys, stable, everListed);
          },
        ),
        fuzzParameters(25),
      );
    });
  });
}

/** The lower-case name a key mutation touched (for the inserted name, or the one picked by index). */
function lower(
  mutation: { insert: string } | { purge: number } | { toggle: number },
  names: string[],
): string {
  if ("insert" in mutation) return mutation.insert.toLowerCase();
  const index = "purge" in mutation ? mutation.purge : mutation.toggle;
  return names.length > 0 ? (names[index % names.length] as string) : "";
}
