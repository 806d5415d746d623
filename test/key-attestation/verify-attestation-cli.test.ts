import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CliSession, startCliSession } from "../cli/support/cli-session.js";
import { opensslVerifiesChain, opensslVerifiesJws, pemCertificates } from "./support/attestation-openssl.js";
import {
  type WireAttestationJson,
  privateBlobOf,
  unrelatedRootPem,
  withChangedClaim,
  withPrivateBlob,
} from "./support/tamper.js";

/**
 * `mhsm key get-attestation` and `mhsm key verify-attestation`: a fetched attestation verifies
 * offline against the pinned root and prints its claims; a changed blob or another root fails,
 * with a non-zero exit and one error line, and OpenSSL agrees with each verdict.
 */
describe("mhsm key verify-attestation", () => {
  let cli: CliSession;
  let dir: string;
  let attestationFile: string;
  let rootFile: string;
  let attestation: WireAttestationJson;

  before(async () => {
    cli = await startCliSession();
    dir = await mkdtemp(join(tmpdir(), "mhsm-attestation-cli-"));
    await cli.grantKeyRoles();
    await cli.json(["key", "create", "--name", "cli-attested", "--kty", "EC-HSM", "--curve", "P-384"]);
    attestationFile = join(dir, "attestation.json");
    rootFile = join(dir, "root.pem");
    const fetched = await cli.run([
      "key",
      "get-attestation",
      "--name",
      "cli-attested",
      "--file",
      attestationFile,
      "--save-root",
      rootFile,
    ]);
    assert.equal(fetched.code, 0, fetched.stderr);
    attestation = JSON.parse(await readFile(attestationFile, "utf8")) as WireAttestationJson;
  });
  after(async () => {
    await cli?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const write = async (name: string, value: unknown) => {
    const file = join(dir, name);
    await writeFile(file, typeof value === "string" ? value : JSON.stringify(value));
    return file;
  };

  it("get-attestation writes the service's JSON and the root it chains to", async () => {
    assert.equal(attestation.attributes.attestation.version, "mhsm-jws-1.0");
    const root = await readFile(rootFile, "utf8");
    const [leaf, last] = pemCertificates(
      Buffer.from(attestation.attributes.attestation.certificatePemFile, "base64url"),
    );
    assert.equal(root.trim(), last);
    assert.ok(opensslVerifiesChain(leaf as string, root));
    await cli.fails(
      ["key", "get-attestation", "--name", "cli-attested", "--file", attestationFile],
      "FileExists",
    );
  });

  it("verifies a file offline against the pinned root and prints the claims", async () => {
    const verified = await cli.json([
      "key",
      "verify-attestation",
      "--file",
      attestationFile,
      "--root",
      rootFile,
    ]);
    assert.equal(verified.verified, true);
    assert.equal(verified.privateKeyAttestation.kid, attestation.key.kid);
    assert.equal(verified.privateKeyAttestation.crv, "P-384");
    assert.equal(verified.privateKeyAttestation.origin, "generated");
    assert.equal(verified.publicKeyAttestation.portion, "public");
    assert.equal(verified.chain.length, 2);
  });

  it("verifies by key name, fetched from the HSM", async () => {
    const verified = await cli.json([
      "key",
      "verify-attestation",
      "--name",
      "cli-attested",
      "--root",
      rootFile,
    ]);
    assert.equal(verified.privateKeyAttestation.kid, attestation.key.kid);
  });

  it("a changed claim fails, and OpenSSL refuses the signature too", async () => {
    const changed = withChangedClaim(attestation, "origin", "imported");
    const file = await write("changed.json", changed);
    const message = await cli.fails(
      ["key", "verify-attestation", "--file", file, "--root", rootFile],
      "AttestationInvalid",
    );
    assert.match(message, /signature does not verify/);
    const [leaf] = pemCertificates(
      Buffer.from(attestation.attributes.attestation.certificatePemFile, "base64url"),
    );
    assert.equal(opensslVerifiesJws(privateBlobOf(changed), leaf as string), false);
    assert.equal(
      opensslVerifiesJws(privateBlobOf(attestation), leaf as string),
      true,
      "the original does verify",
    );
  });

  it("a changed signature byte fails", async () => {
    const [header, payload, signature] = privateBlobOf(attestation).split(".") as [string, string, string];
    const bytes = Buffer.from(signature, "base64url");
    bytes[10] = (bytes[10] as number) ^ 1;
    const file = await write(
      "bad-signature.json",
      withPrivateBlob(attestation, `${header}.${payload}.${bytes.toString("base64url")}`),
    );
    await cli.fails(["key", "verify-attestation", "--file", file, "--root", rootFile], "AttestationInvalid");
  });

  it("another root fails, even one with the same subject, and OpenSSL says the same", async () => {
    const root = await readFile(rootFile, "utf8");
    const [leaf] = pemCertificates(
      Buffer.from(attestation.attributes.attestation.certificatePemFile, "base64url"),
    );
    for (const [name, other] of [
      ["unrelated.pem", unrelatedRootPem()],
      ["lookalike.pem", unrelatedRootPem(root)],
    ] as const) {
      const file = await write(name, other);
      const message = await cli.fails(
        ["key", "verify-attestation", "--file", attestationFile, "--root", file],
        "AttestationInvalid",
      );
      assert.match(message, /does not lead to the trusted root/);
      assert.equal(opensslVerifiesChain(leaf as string, other), false, `openssl verify against ${name}`);
    }
  });

  it("an attestation of another key fails against the key it is shown with", async () => {
    await cli.json(["key", "create", "--name", "cli-other", "--kty", "EC-HSM", "--curve", "P-384"]);
    const other = await cli.run(["key", "get-attestation", "--name", "cli-other"]);
    assert.equal(other.code, 0, other.stderr);
    const otherJson = JSON.parse(other.stdout) as WireAttestationJson;
    const swapped = { ...otherJson, key: attestation.key };
    const file = await write("swapped.json", swapped);
    await cli.fails(["key", "verify-attestation", "--file", file, "--root", rootFile], "AttestationInvalid");
  });

  it("refuses unusable input with a clear error", async () => {
    await cli.fails(["key", "verify-attestation", "--root", rootFile], "BadArgument");
    await cli.fails(
      ["key", "verify-attestation", "--file", await write("not.json", "{"), "--root", rootFile],
      "NotAttestation",
    );
    await cli.fails(["key", "verify-attestation", "--file", join(dir, "missing.json")], "ENOENT");
    await cli.fails(["key", "get-attestation", "--name", "no-such-key"], "KeyNotFound");
  });
});
