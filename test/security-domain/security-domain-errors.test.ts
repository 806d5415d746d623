import assert from "node:assert/strict";
import { X509Certificate, createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createUploadBlob } from "@mhsm/server";
import { type TestPrincipal, adminToken, createPrincipal } from "../harness/principals.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";
import { ROLE, assignRole } from "../keys/support/roles.js";
import { type KeyHolder, certificateJwk, makeEcCertificate, makeKeyHolders } from "./support/key-holders.js";
import { call, downloadWithCli, waitForOperation } from "./support/security-domain-calls.js";
import { openShareJwe } from "./support/share-jwe.js";

const SD_DATA_ACTION = /Microsoft\.KeyVault\/managedHsm\/securitydomain\//;

/**
 * One HSM in activation mode, driven over raw HTTPS: the gate before activation, every bad
 * download request (each a 400 that changes nothing), uploads the server cannot open, RBAC on
 * the securitydomain data actions, then one download (202, the documented format, activation)
 * and the refusals an activated HSM answers.
 */
describe("security domain: bad input, refusals, RBAC and the activation gate", () => {
  let dir: string;
  let server: ServerProcess;
  let token: string;
  let holders: KeyHolder[];
  let jwks: Array<Record<string, unknown>>;
  let nobody: TestPrincipal;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-sd-errors-"));
    holders = makeKeyHolders(dir, "holder", 3);
    jwks = holders.map((holder) => certificateJwk(holder.certificate));
    server = await startServerProcess({ args: ["--activation", "security-domain"] });
    token = await adminToken(server);
    // The principal admin endpoint and the identity provider answer before activation.
    nobody = await createPrincipal(server, "no-roles");
  });
  after(async () => {
    await server?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const expectStillNotActivated = async () => {
    const keys = await call(server, token, "GET", "/keys");
    assert.equal(keys.status, 503, keys.text);
    assert.equal(keys.json.error.code, "HsmNotActivated");
  };

  it("answers every data-plane call with HsmNotActivated (503) before activation", async () => {
    for (const [method, path, body] of [
      ["GET", "/keys"],
      ["POST", "/keys/k1/create", { kty: "RSA" }],
      ["GET", "/providers/Microsoft.Authorization/roleAssignments"],
      ["GET", "/providers/Microsoft.Authorization/roleDefinitions"],
      ["GET", "/settings"],
      ["POST", "/backup", { storageResourceUri: "https://example.blob.core.windows.net/c", token: "sv=x" }],
    ] as const) {
      const response = await call(server, token, method, path, body);
      assert.equal(response.status, 503, `${method} ${path}: ${response.text}`);
      assert.equal(response.json.error.code, "HsmNotActivated");
      assert.match(response.json.error.message, /not activated.*security-domain download/);
    }
    // Authentication still comes first: no token, no hint about activation.
    const anonymous = await call(server, "", "GET", "/keys");
    assert.equal(anonymous.status, 401);
    assert.equal((await call(server, token, "GET", "/securitydomain/download/pending")).status, 404);
    assert.equal(
      (await call(server, token, "GET", "/securitydomain/upload/pending")).json.error.code,
      "SecurityDomainOperationNotFound",
    );
  });

  it("allows the securitydomain data actions to the Administrator only", async () => {
    for (const [method, path, body] of [
      ["POST", "/securitydomain/download", { certificates: jwks, required: 2 }],
      ["GET", "/securitydomain/download/pending"],
      ["GET", "/securitydomain/upload"],
      ["POST", "/securitydomain/upload", { value: "{}" }],
      ["GET", "/securitydomain/upload/pending"],
    ] as const) {
      const response = await call(server, nobody.token, method, path, body);
      assert.equal(response.status, 403, `${method} ${path}: ${response.text}`);
      assert.match(response.json.error.message, SD_DATA_ACTION);
    }
    await expectStillNotActivated();
  });

  it("refuses certificate sets that are not 3 to 10 RSA certificates with x5c and x5t#S256", async () => {
    const [first, second, third] = jwks as [
      Record<string, unknown>,
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    const ecJwk = certificateJwk(makeEcCertificate(dir, "ec-holder"));
    const [small] = makeKeyHolders(dir, "small", 1, 1024) as [KeyHolder];
    const cases: Array<[string, unknown, RegExp]> = [
      ["no certificates", { required: 2 }, /'certificates' is required/],
      [
        "two certificates",
        { certificates: [first, second], required: 2 },
        /needs 3 to 10 certificates; the request has 2/,
      ],
      ["eleven certificates", { certificates: Array(11).fill(first), required: 2 }, /the request has 11/],
      [
        "an EC key",
        { certificates: [first, second, ecJwk] },
        /Certificate 3 is not an RSA key \(kty is "EC"\)/,
      ],
      [
        "an RSA JWK around an EC certificate",
        {
          certificates: [
            first,
            { ...second, kty: "RSA", x5c: ecJwk.x5c, "x5t#S256": ecJwk["x5t#S256"] },
            third,
          ],
        },
        /Certificate 2 has a certificate whose key is ec, not RSA/,
      ],
      [
        "no x5c",
        { certificates: [first, second, { ...third, x5c: undefined }] },
        /Certificate 3 has no certificate: x5c/,
      ],
      [
        "an empty x5c",
        { certificates: [{ ...first, x5c: [] }, second, third] },
        /Certificate 1 has no certificate/,
      ],
      [
        "x5c that is not a certificate",
        { certificates: [first, { ...second, x5c: ["bm90IGEgY2VydA=="] }, third] },
        /not a DER X\.509 certificate/,
      ],
      [
        "no x5t#S256",
        { certificates: [first, second, { ...third, "x5t#S256": undefined }] },
        /has no x5t#S256/,
      ],
      [
        "a wrong x5t#S256",
        { certificates: [first, { ...second, "x5t#S256": third["x5t#S256"] }, third] },
        /x5t#S256 that is not its certificate's thumbprint/,
      ],
      [
        "n of another key",
        { certificates: [first, { ...second, n: third.n }, third] },
        /n and e that are not its certificate's public key/,
      ],
      [
        "a 1024-bit key",
        { certificates: [first, second, certificateJwk(small.certificate)] },
        /1024-bit RSA key; at least 2048 bits/,
      ],
      [
        "the same certificate twice",
        { certificates: [first, second, first] },
        /Certificates 1 and 3 hold the same public key/,
      ],
      [
        "quorum 1",
        { certificates: jwks, required: 1 },
        /'required' \(the quorum\) must be an integer from 2 to 10; it is 1/,
      ],
      ["quorum 11", { certificates: jwks, required: 11 }, /it is 11/],
      ["quorum as a string", { certificates: jwks, required: "2" }, /it is "2"/],
      [
        "quorum above the certificates",
        { certificates: jwks, required: 4 },
        /quorum \(4\) cannot be larger than the number of certificates \(3\)/,
      ],
    ];
    for (const [what, body, message] of cases) {
      const response = await call(server, token, "POST", "/securitydomain/download", body);
      assert.equal(response.status, 400, `${what}: ${response.text}`);
      assert.equal(response.json.error.code, "BadParameter", what);
      assert.match(response.json.error.message, message, what);
    }
    assert.equal((await call(server, token, "POST", "/securitydomain/download", [jwks])).status, 400);
    await expectStillNotActivated();
    assert.equal((await call(server, token, "GET", "/securitydomain/download/pending")).status, 404);
  });

  it("refuses uploads it cannot open, says so in upload/pending, and stays not activated", async () => {
    const domainKey = randomBytes(32);
    const early = await call(server, token, "POST", "/securitydomain/upload", { value: "{}" });
    assert.equal(early.status, 400);
    assert.equal(early.json.error.code, "TransferKeyNotIssued");

    const transfer = await call(server, token, "GET", "/securitydomain/upload");
    assert.equal(transfer.status, 200, transfer.text);
    assert.equal(transfer.json.key_format, "jwk");
    // As Azure: the JWK as a JSON string (the Azure CLI json.loads it a second time).
    assert.equal(typeof transfer.json.transfer_key, "string");
    const transferKey = JSON.parse(transfer.json.transfer_key);
    assert.equal(transferKey.kty, "RSA");
    const certificate = new X509Certificate(Buffer.from(transferKey.x5c[0], "base64"));
    assert.equal(transferKey["x5t#S256"], createHash("sha256").update(certificate.raw).digest("base64url"));
    assert.equal(transferKey.n, certificate.publicKey.export({ format: "jwk" }).n);
    // The same key until an upload succeeds.
    assert.equal(
      JSON.parse((await call(server, token, "GET", "/securitydomain/upload")).json.transfer_key)["x5t#S256"],
      transferKey["x5t#S256"],
    );

    const forAnotherKey = JSON.stringify(await createUploadBlob(domainKey, jwks[0]));
    const tampered = await createUploadBlob(domainKey, transferKey);
    const datum = tampered.EncData.data[0] as { compact_jwe: string };
    const parts = datum.compact_jwe.split(".");
    parts[4] = Buffer.alloc(16, 7).toString("base64url");
    datum.compact_jwe = parts.join(".");
    const securityDomainFile = JSON.stringify({
      EncData: tampered.EncData,
      SharedKeys: { enc_shares: [], key_algorithm: "shamir_share", required: 2 },
    });
    const cases: Array<[string, unknown, number, string, RegExp]> = [
      ["no value", {}, 400, "BadParameter", /'value' is required/],
      ["not JSON", { value: "not json" }, 400, "InvalidSecurityDomain", /is not JSON/],
      [
        "a security domain file",
        { value: securityDomainFile },
        400,
        "InvalidSecurityDomain",
        /is a security domain file, not an upload blob/,
      ],
      [
        "another transfer key",
        { value: forAnotherKey },
        400,
        "InvalidSecurityDomain",
        /prepared for another transfer key/,
      ],
      [
        "a changed blob",
        { value: JSON.stringify(tampered) },
        400,
        "InvalidSecurityDomain",
        /failed authentication/,
      ],
    ];
    for (const [what, body, status, code, message] of cases) {
      const response = await call(server, token, "POST", "/securitydomain/upload", body);
      assert.equal(response.status, status, `${what}: ${response.text}`);
      assert.equal(response.json.error.code, code, what);
      assert.match(response.json.error.message, message, what);
    }
    const pending = await call(server, token, "GET", "/securitydomain/upload/pending");
    assert.equal(pending.json.status, "Failed");
    assert.match(pending.json.status_details, /failed authentication/);
    await expectStillNotActivated();
  });

  it("the CLI passes the HSM's refusals on (quorum, certificates), writes no file, and leaves it not activated", async () => {
    const file = join(dir, "refused.json");
    const certificates = holders.map((holder) => holder.certificate);
    const quorum = await downloadWithCli(server, certificates, file, "11");
    assert.equal(quorum.code, 1);
    assert.match(
      quorum.stderr,
      /BadParameter: 'required' \(the quorum\) must be an integer from 2 to 10; it is 11/,
    );
    const ec = await downloadWithCli(
      server,
      [...certificates.slice(0, 2), makeEcCertificate(dir, "cli-ec")],
      file,
    );
    assert.equal(ec.code, 1);
    assert.match(ec.stderr, /Certificate 3 has a certificate whose key is ec, not RSA/);
    const two = await downloadWithCli(server, certificates.slice(0, 2), file);
    assert.match(two.stderr, /needs 3 to 10 certificates; the request has 2/);
    const notACertificate = await downloadWithCli(
      server,
      [...certificates.slice(0, 2), holders[0]!.privateKey],
      file,
    );
    assert.match(notACertificate.stderr, /holder1\.key is not an X\.509 certificate/);
    await assert.rejects(readFile(file));
    await expectStillNotActivated();
  });

  it("downloads once: 202 with the security domain, activation, then 409 for a second download and any upload", async () => {
    const accepted = await call(server, token, "POST", "/securitydomain/download", {
      certificates: jwks,
      required: 3,
    });
    assert.equal(accepted.status, 202, accepted.text);
    assert.equal(accepted.headers["retry-after"], "1");
    const statusUrl = new URL(String(accepted.headers["azure-asyncoperation"]));
    assert.equal(statusUrl.origin, server.url);
    assert.equal(statusUrl.pathname, "/securitydomain/download/pending");
    assert.equal(statusUrl.searchParams.get("api-version"), "7.6");
    const done = await waitForOperation(server, token, accepted);
    assert.deepEqual(done.json, {
      status: "Success",
      status_details: "The security domain was downloaded; the HSM is activated.",
    });

    // Azure's format: one share per certificate, each a JWE to that certificate.
    const file = JSON.parse(accepted.json.value);
    assert.deepEqual(Object.keys(file).sort(), ["EncData", "SharedKeys"]);
    assert.equal(file.SharedKeys.key_algorithm, "shamir_share");
    assert.equal(file.SharedKeys.required, 3);
    const xs = new Set<number>();
    for (const [index, share] of (file.SharedKeys.enc_shares as Array<Record<string, string>>).entries()) {
      assert.equal(share.x5t_256, jwks[index]?.["x5t#S256"]);
      const opened = openShareJwe(
        share.enc_key as string,
        await readFile((holders[index] as KeyHolder).privateKey),
      );
      assert.deepEqual(
        [opened.header.alg, opened.header.enc, opened.header.kid],
        ["RSA-OAEP-256", "A256CBC-HS512", share.x5t_256],
      );
      assert.equal(opened.plaintext.length, 64, "a 16-bit word per byte of the 32-byte master key");
      xs.add(opened.plaintext.readUInt16LE(0) >> 9);
    }
    assert.equal(xs.size, 3);

    const second = await call(server, token, "POST", "/securitydomain/download", {
      certificates: jwks,
      required: 2,
    });
    assert.equal(second.status, 409);
    assert.equal(second.json.error.code, "SecurityDomainAlreadyDownloaded");
    for (const [method, path, body] of [
      ["GET", "/securitydomain/upload"],
      ["POST", "/securitydomain/upload", { value: "{}" }],
    ] as const) {
      const response = await call(server, token, method, path, body);
      assert.equal(response.status, 409, `${method} ${path}: ${response.text}`);
      assert.equal(response.json.error.code, "HsmAlreadyActivated");
    }
    // Activated: role administration answers, and a key role still does not open the security domain.
    const crypto = await createPrincipal(server, "crypto-user");
    await assignRole(server, crypto.objectId, ROLE.cryptoUser);
    await assignRole(server, crypto.objectId, ROLE.backupUser);
    for (const path of ["/securitydomain/download/pending", "/securitydomain/upload"]) {
      const response = await call(server, crypto.token, "GET", path);
      assert.equal(response.status, 403, `${path}: ${response.text}`);
    }
    assert.equal((await call(server, crypto.token, "GET", "/keys")).status, 200);
  });
});
