import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { rawRequest } from "../harness/https-client.js";
import { adminToken } from "../harness/principals.js";
import {
  type ServerProcess,
  runServeExpectingFailure,
  startServerProcess,
} from "../harness/server-process.js";
import { openssl } from "../keys/support/openssl.js";
import { grantAdminKeyRoles } from "../keys/support/roles.js";
import { opensslVerifiesChain, opensslVerifiesJws, pemCertificates } from "./support/attestation-openssl.js";

/** An OpenSSL-made CA (or, with `ca: false`, a leaf) certificate and its key, as PEM files in `dir`. */
function opensslRoot(dir: string, name: string, keyArgs: string[], ca = true) {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}-key.pem`);
  openssl(
    () => [
      "req",
      "-x509",
      ...keyArgs,
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-subj",
      `/CN=${name}`,
      "-days",
      "30",
      "-addext",
      ca ? "basicConstraints=critical,CA:TRUE" : "basicConstraints=critical,CA:FALSE",
      "-addext",
      ca ? "keyUsage=critical,keyCertSign,cRLSign" : "keyUsage=critical,digitalSignature",
    ],
    {},
  );
  return { cert, key };
}

/**
 * --attestation-root-cert / --attestation-root-key: key attestation chains to the operator's
 * root (OpenSSL checks it against that root alone), the root's key is not stored, and a root
 * that cannot serve stops the server at start with a clear message.
 */
describe("key attestation under the operator's root", () => {
  let dir: string;
  let server: ServerProcess;
  let rsaRoot: { cert: string; key: string };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "mhsm-operator-root-"));
    rsaRoot = opensslRoot(dir, "Operator RSA Root", ["-newkey", "rsa:3072"]);
    server = await startServerProcess({
      args: ["--attestation-root-cert", rsaRoot.cert, "--attestation-root-key", rsaRoot.key],
    });
    await grantAdminKeyRoles(server);
  });
  after(async () => {
    await server?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("chains each attestation to the operator's root, as OpenSSL checks against that root alone", async () => {
    const token = await adminToken(server);
    const created = await rawRequest(server, {
      method: "POST",
      path: "/keys/under-operator/create?api-version=7.6",
      token,
      body: { kty: "RSA", key_size: 2048 },
    });
    assert.equal(created.status, 200, created.text);
    const response = await rawRequest(server, {
      path: "/keys/under-operator/attestation?api-version=7.6",
      token,
    });
    assert.equal(response.status, 200, response.text);
    const { attestation } = response.json.attributes;
    const [leaf, root] = pemCertificates(Buffer.from(attestation.certificatePemFile, "base64url")) as [
      string,
      string,
    ];
    const operatorPem = await readFile(rsaRoot.cert, "utf8");
    assert.equal(new X509Certificate(root).fingerprint256, new X509Certificate(operatorPem).fingerprint256);
    assert.ok(opensslVerifiesChain(leaf, operatorPem));
    const blob = Buffer.from(attestation.privateKeyAttestation, "base64url").toString("utf8");
    assert.ok(opensslVerifiesJws(blob, leaf));

    // The root's private key stays in its file: its modulus is in no file of the data directory.
    const modulus = Buffer.from(
      new X509Certificate(operatorPem).publicKey.export({ format: "jwk" }).n as string,
      "base64url",
    ).subarray(40, 80);
    const db = await readFile(join(server.dataDir, "mhsm.db")).catch(() => Buffer.alloc(0));
    const wal = await readFile(join(server.dataDir, "mhsm.db-wal")).catch(() => Buffer.alloc(0));
    for (const bytes of [db, wal, Buffer.from(server.output())]) {
      assert.ok(!bytes.includes(modulus));
      assert.ok(!bytes.includes(modulus.toString("base64").slice(0, 40)));
    }
  });

  it("refuses at start a root that cannot serve, saying why", async () => {
    const ecRoot = opensslRoot(dir, "Operator EC Root", [
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-384",
    ]);
    const leafOnly = opensslRoot(
      dir,
      "Not A CA",
      ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
      false,
    );
    const notPem = join(dir, "not.pem");
    await writeFile(notPem, "not a certificate\n");
    const cases: Array<[string[], RegExp]> = [
      [
        ["--attestation-root-cert", rsaRoot.cert, "--attestation-root-key", ecRoot.key],
        /not the key of the attestation root certificate/,
      ],
      [
        ["--attestation-root-cert", leafOnly.cert, "--attestation-root-key", leafOnly.key],
        /not a CA certificate/,
      ],
      [
        ["--attestation-root-cert", notPem, "--attestation-root-key", rsaRoot.key],
        /not a PEM X\.509 certificate/,
      ],
      [
        ["--attestation-root-cert", join(dir, "missing.pem"), "--attestation-root-key", rsaRoot.key],
        /cannot read the attestation root certificate .*ENOENT/,
      ],
      [["--attestation-root-cert", rsaRoot.cert], /attestationRootCert and attestationRootKey go together/],
    ];
    for (const [args, message] of cases) {
      const dataDir = await mkdtemp(join(tmpdir(), "mhsm-operator-root-refused-"));
      try {
        const result = await runServeExpectingFailure(["--data-dir", dataDir, ...args]);
        assert.notEqual(result.code, 0, `${args.join(" ")} should not start`);
        assert.match(`${result.stdout}${result.stderr}`, message);
        assert.ok(!`${result.stdout}${result.stderr}`.includes("PRIVATE KEY"), "no key in the message");
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    }
  });

  it("an EC P-384 root serves too", async () => {
    const ecRoot = opensslRoot(dir, "Operator EC Root 2", [
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-384",
    ]);
    const other = await startServerProcess({
      args: ["--attestation-root-cert", ecRoot.cert, "--attestation-root-key", ecRoot.key],
    });
    try {
      await grantAdminKeyRoles(other);
      const token = await adminToken(other);
      await rawRequest(other, {
        method: "POST",
        path: "/keys/ec-rooted/create?api-version=7.6",
        token,
        body: { kty: "oct", key_size: 128 },
      });
      const response = await rawRequest(other, {
        path: "/keys/ec-rooted/attestation?api-version=7.6",
        token,
      });
      assert.equal(response.status, 200, response.text);
      const [leaf] = pemCertificates(
        Buffer.from(response.json.attributes.attestation.certificatePemFile, "base64url"),
      );
      assert.ok(opensslVerifiesChain(leaf as string, await readFile(ecRoot.cert, "utf8")));
    } finally {
      await other.dispose();
    }
  });
});
