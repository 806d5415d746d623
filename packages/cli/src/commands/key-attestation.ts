import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import {
  AttestationVerificationError,
  type KeyAttestationInput,
  type VerifiedAttestation,
  certificatesOf,
  verifyKeyAttestation,
} from "@mhsm/server/key-attestation-verifier";
import { CliError, badArgument, runAction } from "../cli-error.js";
import { HsmClients } from "../connection/clients.js";
import { printItem, toJsonText } from "../output.js";
import { type VerbFlags, addVerb, outputOf } from "../verb.js";

/** The api-version asked for: key attestation came with 7.6. */
const ATTESTATION_API_VERSION = "7.6";

interface GetFlags extends VerbFlags {
  name: string;
  version?: string;
  file?: string;
  saveRoot?: string;
}

interface VerifyFlags extends VerbFlags {
  name?: string;
  version?: string;
  file?: string;
  root?: string;
}

/** The GetKeyAttestation answer as the wire has it: the key bundle with attributes.attestation. */
interface AttestationBundle {
  key?: Record<string, unknown>;
  attributes?: { attestation?: KeyAttestationInput };
}

/** `mhsm key get-attestation` and `mhsm key verify-attestation` (docs/key-attestation.md). */
export function registerKeyAttestationCommands(key: Command): void {
  addVerb(key, {
    name: "get-attestation",
    description: "get a key version's attestation (the service's JSON, to verify later or elsewhere)",
    examples: [
      "mhsm key get-attestation --name signing-key --file signing-key.attestation.json",
      "mhsm key get-attestation --name signing-key --save-root attestation-root.pem > /dev/null",
    ],
  })
    .requiredOption("-n, --name <name>", "the key's name")
    .option("--version <version>", "a version of the key (default: the latest)")
    .option("-f, --file <file>", "write the JSON here (never overwritten) instead of printing it")
    .option(
      "--save-root <file>",
      "also write the HSM's attestation root certificate (PEM) here, to pin it for verify-attestation --root",
    )
    .action(
      runAction(async (flags: GetFlags) => {
        const bundle = await fetchAttestation(flags.name, flags.version, flags);
        const root = certificatesOf(bundle.attributes?.attestation ?? {}).at(-1);
        if (flags.saveRoot) {
          if (!root) throw new CliError("NotAttestation", "the answer has no attestation certificates");
          await writeNewFile(flags.saveRoot, `${root}\n`, "--save-root");
        }
        const text = `${toJsonText(bundle)}\n`;
        if (flags.file) await writeNewFile(flags.file, text, "--file");
        else process.stdout.write(text);
      }),
    );

  addVerb(key, {
    name: "verify-attestation",
    description:
      "verify a key attestation offline: the certificate chain to a root, each blob's signature, and that it attests the key's public key; prints the attested claims and exits non-zero on any failure",
    examples: [
      "mhsm key verify-attestation --file signing-key.attestation.json --root attestation-root.pem",
      "mhsm key verify-attestation --name signing-key --root attestation-root.pem",
    ],
  })
    .option(
      "-f, --file <file>",
      "the attestation JSON (mhsm key get-attestation, az keyvault key get-attestation)",
    )
    .option("-n, --name <name>", "fetch the attestation of this key instead of reading a file")
    .option("--version <version>", "with --name: a version of the key (default: the latest)")
    .option(
      "--root <pem>",
      "the attestation root to trust (default: the root in the attestation itself, which checks consistency only)",
    )
    .action(
      runAction(async (flags: VerifyFlags) => {
        if ((flags.file === undefined) === (flags.name === undefined)) {
          throw badArgument("give either --file or --name");
        }
        const bundle = flags.file
          ? parseAttestationFile(await readFile(flags.file, "utf8"), flags.file)
          : await fetchAttestation(flags.name as string, flags.version, flags);
        const attestation = bundle.attributes?.attestation;
        if (!attestation) throw new CliError("NotAttestation", "the JSON has no attributes.attestation");
        const rootPem = flags.root ? await readFile(flags.root, "utf8") : certificatesOf(attestation).at(-1);
        if (!rootPem) throw new CliError("NotAttestation", "the attestation has no certificates");
        if (!flags.root) {
          process.stderr.write(
            "warning: trusting the root certificate the attestation carries; pass --root to check it against one you trust\n",
          );
        }
        let verified: VerifiedAttestation;
        try {
          verified = verifyKeyAttestation(attestation, rootPem, bundle.key);
        } catch (error) {
          if (error instanceof AttestationVerificationError)
            throw new CliError("AttestationInvalid", error.message);
          throw error;
        }
        printItem(verified, verifiedView, outputOf(flags));
      }),
    );
}

/** Writes a file that must not exist yet: nothing here overwrites what a user has. */
async function writeNewFile(file: string, text: string, flag: string): Promise<void> {
  await writeFile(file, text, { flag: "wx" }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EEXIST") throw new CliError("FileExists", `${file} exists; choose another ${flag}`);
    throw error;
  });
}

async function fetchAttestation(name: string, version: string | undefined, flags: VerbFlags) {
  const path = `/keys/${encodeURIComponent(name)}${version ? `/${encodeURIComponent(version)}` : ""}/attestation?api-version=${ATTESTATION_API_VERSION}`;
  return (await (await HsmClients.connect(flags)).rest().send("GET", path)) as AttestationBundle;
}

/**
 * The file may hold the whole answer, its `attributes`, or just `attributes.attestation`, as
 * Microsoft's own validator (Azure/azure-managed-hsm-key-attestation) accepts.
 */
function parseAttestationFile(text: string, file: string): AttestationBundle {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new CliError("NotAttestation", `${file} is not JSON`);
  }
  if (json.attributes) return json as AttestationBundle;
  if (json.attestation) return { attributes: json as AttestationBundle["attributes"] };
  return { attributes: { attestation: json as KeyAttestationInput } };
}

const claim = (portion: 0 | 1, name: string) => (verified: VerifiedAttestation) =>
  verified.blobs[portion]?.[name];

const verifiedView = {
  json: (verified: VerifiedAttestation) => ({
    verified: true,
    chain: verified.chain,
    privateKeyAttestation: verified.blobs[0],
    ...(verified.blobs[1] ? { publicKeyAttestation: verified.blobs[1] } : {}),
  }),
  columns: [
    { header: "verified", value: () => "yes" },
    { header: "kid", value: claim(0, "kid") },
    { header: "kty", value: claim(0, "kty") },
    { header: "keySize", value: claim(0, "keySize") },
    { header: "crv", value: claim(0, "crv") },
    { header: "publicKeySha256", value: claim(0, "publicKeySha256") },
    { header: "origin", value: claim(0, "origin") },
    { header: "exportable", value: claim(0, "exportable") },
    { header: "created", value: (v: VerifiedAttestation) => isoOf(v.blobs[0]?.created) },
    { header: "attestedAt", value: (v: VerifiedAttestation) => isoOf(v.blobs[0]?.iat) },
    { header: "publicPortion", value: (v: VerifiedAttestation) => (v.blobs[1] ? "attested" : "") },
    { header: "chain", value: (v: VerifiedAttestation) => v.chain.join(" <- ") },
  ],
};

function isoOf(seconds: unknown): string {
  return typeof seconds === "number" ? new Date(seconds * 1000).toISOString() : "";
}
