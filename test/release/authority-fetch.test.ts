import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { type Server, type Socket, createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import { type KeysFixture, startKeysServer } from "../keys/support/keys-fixture.js";
import { type TokenIssuer, makeTestCa, runtimeClaim, startTokenIssuer } from "./support/token-issuer.js";

const encode = (authority: string) =>
  new TextEncoder().encode(
    JSON.stringify({ version: "1.0.0", anyOf: [{ authority, allOf: [{ claim: "ok", equals: true }] }] }),
  );

describe("fetching an attestation authority's keys: HTTPS with the process's CA trust, a deadline, failures answered and survived", () => {
  let fx: KeysFixture;
  let ca: ReturnType<typeof makeTestCa>;
  let issuer: TokenIssuer;
  let silent: Server;
  const sockets: Socket[] = [];
  let silentAuthority: string;
  const runtime = generateKeyPairSync("rsa", { modulusLength: 2048 });

  before(async () => {
    ca = makeTestCa();
    issuer = await startTokenIssuer(ca, "untrusted-ca");
    // Accepts connections and never answers (not even the TLS handshake).
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const address = silent.address();
    silentAuthority = `https://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`;
    // No NODE_EXTRA_CA_CERTS: the issuer's CA is not trusted.
    fx = await startKeysServer({ args: ["--attestation-timeout", "1"] });
  });
  after(async () => {
    await fx?.dispose();
    await issuer?.close();
    for (const socket of sockets) socket.destroy();
    silent?.close();
    ca?.dispose();
  });

  it("an authority whose TLS certificate the process does not trust is refused with a clear error", async () => {
    await fx.keyClient.createRsaKey("untrusted-tls", {
      exportable: true,
      releasePolicy: { encodedPolicy: encode(issuer.authority) },
    });
    const token = issuer.token({ ok: true, "x-ms-runtime": runtimeClaim(runtime.publicKey) });
    const answer = await fx.request("POST", "/keys/untrusted-tls/release", { target: token });
    assert.equal(answer.status, 400);
    assert.match(
      answer.json.error.message,
      /could not give its signing keys .*(certificate|self.signed|issuer)/i,
    );
    assert.match(answer.json.error.message, /No key material was released/);
    assert.equal(issuer.requests.length, 0, "no request got through the TLS handshake");
  });

  it("an authority that never answers is given up after --attestation-timeout, and the server goes on serving", async () => {
    await fx.keyClient.createRsaKey("silent", {
      exportable: true,
      releasePolicy: { encodedPolicy: encode(silentAuthority) },
    });
    const started = Date.now();
    const token = issuer.token({
      iss: silentAuthority,
      ok: true,
      "x-ms-runtime": runtimeClaim(runtime.publicKey),
    });
    const answer = await fx.request("POST", "/keys/silent/release", { target: token });
    assert.equal(answer.status, 400);
    assert.match(answer.json.error.message, /did not answer within 1s/);
    assert.ok(Date.now() - started < 10_000);
    assert.equal((await fx.request("GET", "/keys/silent")).status, 200, "the server still answers");
  });
});
