import { access, unlink } from "node:fs/promises";
import type { Command } from "commander";
import {
  SecurityDomainFormatError,
  createUploadBlob,
  recoverDomainKey,
} from "@mhsm/server/security-domain-client";
import { CliError, badArgument, runAction } from "../cli-error.js";
import { HsmClients } from "../connection/clients.js";
import type { HsmRestClient } from "../connection/hsm-rest-client.js";
import { printItem } from "../output.js";
import { type VerbFlags, addGroup, addVerb, outputOf } from "../verb.js";
import {
  type SecurityDomainOperation,
  downloadedSecurityDomainView,
  securityDomainOperationView,
} from "../views/security-domain-views.js";
import {
  readPrivateKey,
  readRestoreBlob,
  readSecurityDomainFile,
  readWrappingCertificate,
  writeSecurityDomainFile,
} from "./security-domain-files.js";

const API = "api-version=7.6";
const POLL_MS = 500;
const WAIT_LIMIT_MS = 120_000;

interface DownloadFlags extends VerbFlags {
  sdWrappingKeys: string[];
  sdQuorum: string;
  securityDomainFile: string;
  wait: boolean;
}

interface UploadFlags extends VerbFlags {
  sdFile: string;
  sdWrappingKeys?: string[];
  passwords?: string[];
  restoreBlob?: boolean;
  wait: boolean;
}

/** `mhsm security-domain download|upload`, as `az keyvault security-domain download|upload`. */
export function registerSecurityDomainCommands(program: Command): void {
  const securityDomain = addGroup(
    program,
    "security-domain",
    "download an HSM's security domain (activating it), or upload one to a new or sealed HSM",
  );

  addVerb(securityDomain, {
    name: "download",
    description:
      "activate the HSM: it splits its domain key among the certificates' holders and returns the security domain",
    examples: [
      "mhsm security-domain download --admin-file .mhsm/initial-admin.json --sd-wrapping-keys c1.cer c2.cer c3.cer --sd-quorum 2 --security-domain-file sd.json",
    ],
  })
    .requiredOption("--sd-wrapping-keys <certificates...>", "3 to 10 RSA certificate files (PEM or DER)")
    .requiredOption("--sd-quorum <n>", "how many of the keys an upload needs (2 to 10)")
    .requiredOption("--security-domain-file <file>", "where to write the security domain (never overwritten)")
    .option("--no-wait", "do not wait for the HSM to finish activating")
    .action(runAction(download));

  addVerb(securityDomain, {
    name: "upload",
    description:
      "activate a new or sealed HSM with an existing security domain, decrypted here with a quorum of private keys",
    examples: [
      "mhsm security-domain upload --admin-file .mhsm/initial-admin.json --sd-file sd.json --sd-wrapping-keys k1.key k3.key",
      "mhsm security-domain upload --admin-file .mhsm/initial-admin.json --sd-file blob.json --restore-blob",
    ],
  })
    .requiredOption(
      "--sd-file <file>",
      "the security domain file (Azure's format, or mhsm's earlier 1.0); with --restore-blob, an upload blob",
    )
    .option("--sd-wrapping-keys <keys...>", "private key files (PEM or DER) of at least a quorum")
    .option("--passwords <passwords...>", "passwords of encrypted private keys, in the same order")
    .option(
      "--restore-blob",
      "--sd-file is an upload blob already prepared for this HSM's transfer key (by `az keyvault security-domain restore-blob`): send it as it is",
    )
    .option("--no-wait", "do not wait for the HSM to finish activating")
    .action(runAction(upload));
}

async function download(flags: DownloadFlags): Promise<void> {
  const file = flags.securityDomainFile;
  if (await exists(file)) throw badArgument(`${file} exists; a security domain file is never overwritten`);
  // The range (2 to 10, at most the number of certificates) is the HSM's to check and explain.
  if (!/^\d+$/.test(flags.sdQuorum))
    throw badArgument(`--sd-quorum must be a number (got '${flags.sdQuorum}')`);
  const required = Number(flags.sdQuorum);
  const certificates = await Promise.all(flags.sdWrappingKeys.map(readWrappingCertificate));
  const rest = (await HsmClients.connect(flags)).rest();
  const response = (await rest.send("POST", `/securitydomain/download?${API}`, {
    certificates,
    required,
  })) as {
    value?: unknown;
  };
  if (typeof response?.value !== "string")
    throw new CliError("NoSecurityDomain", "the HSM answered without one");
  await writeSecurityDomainFile(file, response.value);
  let status = "InProgress";
  if (flags.wait) {
    const done = await waitFor(rest, "download");
    if (done.status === "Failed") {
      // The HSM did not activate with this domain: the file would only mislead.
      await unlink(file).catch(() => undefined);
      throw new CliError("ActivationFailed", done.status_details ?? "the HSM could not be activated");
    }
    status = done.status;
  }
  printItem(
    { status, securityDomainFile: file, shares: certificates.length, required },
    downloadedSecurityDomainView,
    outputOf(flags),
  );
}

async function upload(flags: UploadFlags): Promise<void> {
  if (flags.restoreBlob) {
    if (flags.sdWrappingKeys)
      throw badArgument("--restore-blob uploads a prepared blob: give no --sd-wrapping-keys");
    const value = await readRestoreBlob(flags.sdFile);
    return send(await HsmClients.connect(flags), value, flags);
  }
  if (!flags.sdWrappingKeys) {
    throw badArgument(
      "--sd-wrapping-keys is required: the private keys of at least a quorum (or --restore-blob)",
    );
  }
  const passwords = flags.passwords ?? [];
  const [securityDomain, privateKeys] = await Promise.all([
    readSecurityDomainFile(flags.sdFile),
    Promise.all(
      flags.sdWrappingKeys.map(async (path, index) => ({
        label: path,
        key: await readPrivateKey(path, passwords[index]),
      })),
    ),
  ]);
  // Everything that can fail here fails before the HSM is asked anything.
  const domainKey = await recoverDomainKey(securityDomain, privateKeys).catch((error: unknown) => {
    if (error instanceof SecurityDomainFormatError)
      throw new CliError("SecurityDomainNotRecovered", error.message);
    throw error;
  });
  const clients = await HsmClients.connect(flags);
  let value: string;
  try {
    const transfer = (await clients.rest().send("GET", `/securitydomain/upload?${API}`)) as {
      transfer_key?: unknown;
    };
    value = JSON.stringify(await createUploadBlob(domainKey, transferKeyJwk(transfer?.transfer_key)));
  } finally {
    domainKey.fill(0);
  }
  await send(clients, value, flags);
}

/** POST /securitydomain/upload, then (unless --no-wait) the pending endpoint until it is done. */
async function send(clients: HsmClients, value: string, flags: UploadFlags): Promise<void> {
  const rest = clients.rest();
  let status = (await rest.send("POST", `/securitydomain/upload?${API}`, {
    value,
  })) as SecurityDomainOperation;
  if (flags.wait) status = await waitFor(rest, "upload");
  if (status.status === "Failed") {
    throw new CliError("UploadFailed", status.status_details ?? "the HSM could not be activated");
  }
  printItem(status, securityDomainOperationView, outputOf(flags));
}

/**
 * The transfer key's JWK: a JSON string, as Azure (and mhsm now) answer it; an object, as mhsm
 * servers before the switch to Azure's format answered it.
 */
function transferKeyJwk(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new CliError("InvalidTransferKey", "the HSM's transfer_key is not a JSON Web Key");
  }
}

/** Polls the pending endpoint until the operation is no longer InProgress. */
async function waitFor(
  rest: HsmRestClient,
  operation: "download" | "upload",
): Promise<SecurityDomainOperation> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    const status = (await rest.send(
      "GET",
      `/securitydomain/${operation}/pending?${API}`,
    )) as SecurityDomainOperation;
    if (status.status !== "InProgress") return status;
    if (Date.now() > deadline) {
      throw new CliError(
        "StillInProgress",
        `the security domain ${operation} is still in progress; check again later`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
