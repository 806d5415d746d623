import { readFile } from "node:fs/promises";
import { type CertifiedKeyPem, checkOperatorRoot } from "./attestation-certificates.js";

/**
 * The operator's attestation root (--attestation-root-cert and --attestation-root-key), read and
 * checked at start so a wrong file stops the server with a clear message instead of failing the
 * first attestation request. Undefined when none is configured: the HSM makes its own root.
 */
export async function readOperatorRoot(
  certificateFile: string | undefined,
  keyFile: string | undefined,
): Promise<CertifiedKeyPem | undefined> {
  if (certificateFile === undefined || keyFile === undefined) return undefined;
  const read = async (file: string, what: string) => {
    try {
      return await readFile(file, "utf8");
    } catch (error) {
      throw new Error(
        `cannot read the attestation root ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
      );
    }
  };
  const root = {
    certificatePem: await read(certificateFile, "certificate"),
    privateKeyPem: await read(keyFile, "key"),
  };
  try {
    checkOperatorRoot(root);
  } catch (error) {
    throw new Error(`invalid attestation root (${certificateFile}, ${keyFile}): ${(error as Error).message}`);
  }
  return root;
}
