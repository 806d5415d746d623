import { writeFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import type {
  DecryptParameters,
  EncryptParameters,
  KeyWrapAlgorithm,
  SignatureAlgorithm,
} from "@azure/keyvault-keys";
import { type DataType, bytesArgument, toBase64 } from "../byte-arguments.js";
import { CliError, badArgument, runAction } from "../cli-error.js";
import { HsmClients } from "../connection/clients.js";
import { type View, printItem } from "../output.js";
import { type VerbFlags, addVerb, outputOf } from "../verb.js";

interface KeyOperationFlags extends VerbFlags {
  name: string;
  version?: string;
  algorithm: string;
}

/** A crypto operation's answer: strings only (base64 for bytes), ready for jq or a table. */
type OperationResult = Record<string, string | number | boolean | undefined>;

/** One view per operation, so a tsv line has only that operation's fields, in this order. */
function resultView(...fields: string[]): View<OperationResult> {
  return {
    json: (result) => result,
    columns: ["kid", "algorithm", ...fields].map((field) => ({
      header: field,
      value: (result: OperationResult) => result[field],
    })),
  };
}

/**
 * `mhsm key encrypt|decrypt|sign|verify|wrap|unwrap`, for quick checks of a key from a terminal.
 * Values may come from @file or stdin (-); bytes are printed as base64. An unwrapped key is key
 * material: it is written to a file, never printed.
 */
export function registerKeyCryptoCommands(key: Command): void {
  withKeyOperationFlags(
    addVerb(key, {
      name: "encrypt",
      description: "encrypt a small value with a key",
      examples: [
        "mhsm key encrypt --name data-key --algorithm RSA-OAEP-256 --value 'hello'",
        "mhsm key encrypt --name aes-key --algorithm A256GCM --value @secret.bin -o json",
      ],
    }),
  )
    .requiredOption("--value <data>", "what to encrypt: the value, @file or - (stdin)")
    .addOption(dataTypeOption("how --value is given", "plaintext"))
    .option("--aad <base64>", "additional authenticated data (AES-GCM), base64: the value, @file or -")
    .action(
      runAction(async (flags: KeyOperationFlags & { value: string; dataType: DataType; aad?: string }) => {
        const plaintext = await bytesArgument("--value", flags.value, flags.dataType);
        const client = (await HsmClients.connect(flags)).cryptography(flags.name, flags.version);
        const encrypted = await client.encrypt({
          algorithm: flags.algorithm,
          plaintext,
          ...(flags.aad
            ? { additionalAuthenticatedData: await bytesArgument("--aad", flags.aad, "base64") }
            : {}),
        } as EncryptParameters);
        printItem(
          {
            kid: encrypted.keyID,
            algorithm: encrypted.algorithm,
            result: toBase64(encrypted.result),
            iv: toBase64(encrypted.iv),
            authenticationTag: toBase64(encrypted.authenticationTag),
          },
          resultView("result", "iv", "authenticationTag"),
          outputOf(flags),
        );
      }),
    );

  withKeyOperationFlags(
    addVerb(key, {
      name: "decrypt",
      description: "decrypt a value encrypted with a key",
      examples: ["mhsm key decrypt --name data-key --algorithm RSA-OAEP-256 --value <base64 ciphertext>"],
    }),
  )
    .requiredOption("--value <base64>", "the ciphertext, base64: the value, @file or - (stdin)")
    .option("--iv <base64>", "the IV (AES-GCM, AES-CBC), base64: the value, @file or -")
    .option("--tag <base64>", "the authentication tag (AES-GCM), base64: the value, @file or -")
    .option("--aad <base64>", "additional authenticated data (AES-GCM), base64: the value, @file or -")
    .addOption(dataTypeOption("how to print the decrypted value", "plaintext"))
    .action(
      runAction(
        async (
          flags: KeyOperationFlags & {
            value: string;
            dataType: DataType;
            iv?: string;
            tag?: string;
            aad?: string;
          },
        ) => {
          const ciphertext = await bytesArgument("--value", flags.value, "base64");
          const client = (await HsmClients.connect(flags)).cryptography(flags.name, flags.version);
          // The parameters' shape depends on the algorithm (RSA, AES-GCM, AES-CBC); the HSM checks the fit.
          const decrypted = await client.decrypt({
            algorithm: flags.algorithm,
            ciphertext,
            ...(flags.iv ? { iv: await bytesArgument("--iv", flags.iv, "base64") } : {}),
            ...(flags.tag ? { authenticationTag: await bytesArgument("--tag", flags.tag, "base64") } : {}),
            ...(flags.aad
              ? { additionalAuthenticatedData: await bytesArgument("--aad", flags.aad, "base64") }
              : {}),
          } as DecryptParameters);
          const result =
            flags.dataType === "plaintext"
              ? Buffer.from(decrypted.result).toString("utf8")
              : Buffer.from(decrypted.result).toString("base64");
          printItem(
            { kid: decrypted.keyID, algorithm: decrypted.algorithm, result },
            resultView("result"),
            outputOf(flags),
          );
        },
      ),
    );

  withSignatureInputFlags(
    withKeyOperationFlags(
      addVerb(key, {
        name: "sign",
        description: "sign data (hashed here) or a digest with a key",
        examples: [
          "mhsm key sign --name signing-key --algorithm PS256 --value @release.tar.gz",
          "mhsm key sign --name ec-key --algorithm ES256 --digest $(openssl dgst -sha256 -binary f | base64)",
        ],
      }),
    ),
  ).action(
    runAction(async (flags: KeyOperationFlags & SignatureInputFlags) => {
      const input = await signatureInput(flags);
      const client = (await HsmClients.connect(flags)).cryptography(flags.name, flags.version);
      const algorithm = flags.algorithm as SignatureAlgorithm;
      const signed =
        "digest" in input
          ? await client.sign(algorithm, input.digest)
          : await client.signData(algorithm, input.data);
      printItem(
        { kid: signed.keyID, algorithm: signed.algorithm, signature: toBase64(signed.result) },
        resultView("signature"),
        outputOf(flags),
      );
    }),
  );

  withSignatureInputFlags(
    withKeyOperationFlags(
      addVerb(key, {
        name: "verify",
        description: "check a signature of data or of a digest (prints isValid; exits 0 either way)",
        examples: [
          "mhsm key verify --name signing-key --algorithm PS256 --value @release.tar.gz --signature <base64>",
        ],
      }),
    ),
  )
    .requiredOption("--signature <base64>", "the signature, base64: the value, @file or -")
    .action(
      runAction(async (flags: KeyOperationFlags & SignatureInputFlags & { signature: string }) => {
        const signature = await bytesArgument("--signature", flags.signature, "base64");
        const input = await signatureInput(flags);
        const client = (await HsmClients.connect(flags)).cryptography(flags.name, flags.version);
        const algorithm = flags.algorithm as SignatureAlgorithm;
        const verified =
          "digest" in input
            ? await client.verify(algorithm, input.digest, signature)
            : await client.verifyData(algorithm, input.data, signature);
        printItem(
          { kid: verified.keyID, algorithm, isValid: verified.result },
          resultView("isValid"),
          outputOf(flags),
        );
      }),
    );

  withKeyOperationFlags(
    addVerb(key, {
      name: "wrap",
      description: "wrap (encrypt) a key with a key",
      examples: ["mhsm key wrap --name kek --algorithm RSA-OAEP-256 --value @data-key.b64"],
    }),
  )
    .requiredOption("--value <key>", "the key to wrap: the value, @file or - (stdin)")
    .addOption(dataTypeOption("how --value is given", "base64"))
    .action(
      runAction(async (flags: KeyOperationFlags & { value: string; dataType: DataType }) => {
        const secret = await bytesArgument("--value", flags.value, flags.dataType);
        const client = (await HsmClients.connect(flags)).cryptography(flags.name, flags.version);
        const wrapped = await client.wrapKey(flags.algorithm as KeyWrapAlgorithm, secret);
        printItem(
          { kid: wrapped.keyID, algorithm: wrapped.algorithm, result: toBase64(wrapped.result) },
          resultView("result"),
          outputOf(flags),
        );
      }),
    );

  withKeyOperationFlags(
    addVerb(key, {
      name: "unwrap",
      description: "unwrap a wrapped key into a new file (key material is never printed)",
      examples: ["mhsm key unwrap --name kek --algorithm RSA-OAEP-256 --value <base64> --file data-key.bin"],
    }),
  )
    .requiredOption("--value <base64>", "the wrapped key, base64: the value, @file or - (stdin)")
    .requiredOption("-f, --file <file>", "where to write the unwrapped key (a new owner-only file)")
    .action(
      runAction(async (flags: KeyOperationFlags & { value: string; file: string }) => {
        const wrapped = await bytesArgument("--value", flags.value, "base64");
        const client = (await HsmClients.connect(flags)).cryptography(flags.name, flags.version);
        const unwrapped = await client.unwrapKey(flags.algorithm as KeyWrapAlgorithm, wrapped);
        await writeFile(flags.file, unwrapped.result, { flag: "wx", mode: 0o600 }).catch(
          (error: NodeJS.ErrnoException) => {
            if (error.code === "EEXIST")
              throw new CliError("FileExists", `${flags.file} exists; choose another --file`);
            throw error;
          },
        );
        printItem(
          {
            kid: unwrapped.keyID,
            algorithm: unwrapped.algorithm,
            file: flags.file,
            bytes: unwrapped.result.length,
          },
          resultView("file", "bytes"),
          outputOf(flags),
        );
      }),
    );
}

function withKeyOperationFlags(verb: Command): Command {
  return verb
    .requiredOption("-n, --name <name>", "the key's name")
    .option("--version <version>", "a version of the key (default: the latest)")
    .requiredOption("-a, --algorithm <algorithm>", "e.g. RSA-OAEP-256, A256GCM, PS256, ES256, A256KW");
}

interface SignatureInputFlags {
  value?: string;
  digest?: string;
  dataType: DataType;
}

function withSignatureInputFlags(verb: Command): Command {
  return verb
    .option("--value <data>", "the data, hashed here for the algorithm: the value, @file or - (stdin)")
    .option(
      "--digest <base64>",
      "a digest already computed (instead of --value), base64: the value, @file or -",
    )
    .addOption(dataTypeOption("how --value is given", "plaintext"));
}

/** What is signed: data (the SDK hashes it for the algorithm) or a digest computed elsewhere. */
async function signatureInput(
  flags: SignatureInputFlags,
): Promise<{ digest: Uint8Array } | { data: Uint8Array }> {
  if (flags.value !== undefined && flags.digest !== undefined)
    throw badArgument("give --value or --digest, not both");
  if (flags.digest !== undefined) return { digest: await bytesArgument("--digest", flags.digest, "base64") };
  if (flags.value === undefined) throw badArgument("give --value (data) or --digest");
  return { data: await bytesArgument("--value", flags.value, flags.dataType) };
}

function dataTypeOption(description: string, defaultType: DataType): Option {
  return new Option("--data-type <type>", description).choices(["plaintext", "base64"]).default(defaultType);
}
