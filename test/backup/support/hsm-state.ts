import { createHash, createPublicKey, verify } from "node:crypto";
import { type RawResponse, rawRequest } from "../../harness/https-client.js";
import type { ServerProcess } from "../../harness/server-process.js";

export const V = "api-version=7.5";

/** One request; fails the test with the answer when the status is not the expected one. */
export async function call(
  server: ServerProcess,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  expected = 200,
): Promise<RawResponse> {
  const response = await rawRequest(server, { method, path, token, body });
  if (response.status !== expected)
    throw new Error(`${method} ${path}: expected ${expected}, got ${response.status} ${response.text}`);
  return response;
}

/** Runs `work` for 0..count-1 with `width` of them in flight at once. */
export async function inParallel(
  count: number,
  width: number,
  work: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/** Every item of a paged list, following nextLink. */
export async function listAll(
  server: ServerProcess,
  token: string,
  path: string,
): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let next: string | null = path;
  while (next) {
    const page: RawResponse = await call(server, token, "GET", next);
    items.push(...(page.json.value as Array<Record<string, unknown>>));
    next = page.json.nextLink ? String(page.json.nextLink).slice(server.url.length) : null;
  }
  return items;
}

/**
 * The HSM's keys as a client sees them: every live key with every version (identifier,
 * attributes, tags) and its current public key, and every soft-deleted key. Two HSMs with the same
 * state give equal values; `updated` stamps are kept, so a restore must bring back rows exactly.
 */
export async function keysState(server: ServerProcess, token: string): Promise<KeysState> {
  const names = (await listAll(server, token, `/keys?${V}&maxresults=25`))
    .map((item) => String(item.kid).split("/").pop() as string)
    .sort();
  const live: Record<string, unknown> = {};
  await inParallel(names.length, 16, async (i) => {
    const name = names[i] as string;
    const versions = (await listAll(server, token, `/keys/${name}/versions?${V}`)).sort((a, b) =>
      String(a.kid).localeCompare(String(b.kid)),
    );
    const current = await call(server, token, "GET", `/keys/${name}?${V}`);
    live[name] = { versions, current: current.json };
  });
  const deleted = (await listAll(server, token, `/deletedkeys?${V}`)).map((item) => item.kid).sort();
  const state = {
    live: Object.fromEntries(Object.entries(live).sort(([a], [b]) => a.localeCompare(b))),
    deleted,
  };
  // Key identifiers name the server's address, which a restart changes: compare without it.
  return JSON.parse(JSON.stringify(state).replaceAll(server.url, "")) as KeysState;
}

export type KeysState = { live: Record<string, unknown>; deleted: unknown[] };

/**
 * What differs between two states, key by key (a short list instead of a diff of thousands of
 * keys): an empty list when they are equal.
 */
export function differences(actual: KeysState, expected: KeysState): string[] {
  const names = new Set([...Object.keys(actual.live), ...Object.keys(expected.live)]);
  const found = [...names]
    .filter((name) => JSON.stringify(actual.live[name]) !== JSON.stringify(expected.live[name]))
    .map(
      (name) =>
        `${name}: ${actual.live[name] ? "" : "missing"}${expected.live[name] ? "" : "unexpected"}${actual.live[name] && expected.live[name] ? "changed" : ""}`,
    );
  if (JSON.stringify(actual.deleted) !== JSON.stringify(expected.deleted))
    found.push(
      `deleted keys: ${JSON.stringify(actual.deleted)} instead of ${JSON.stringify(expected.deleted)}`,
    );
  return found.slice(0, 20);
}

export const digestOf = (message: string) => createHash("sha256").update(message).digest();

/** Whether an ES256 signature (JWS form, r||s) over sha256(message) verifies under a published public JWK. */
export function verifiesEs256(jwk: Record<string, unknown>, message: string, signature: string): boolean {
  const { kty: _kty, kid: _kid, key_ops: _ops, ...publicJwk } = jwk;
  const key = createPublicKey({ key: { ...publicJwk, kty: "EC" } as never, format: "jwk" });
  return verify(
    "sha256",
    Buffer.from(message),
    { key, dsaEncoding: "ieee-p1363" },
    Buffer.from(signature, "base64url"),
  );
}
