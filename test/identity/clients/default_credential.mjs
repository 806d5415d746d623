// Run by default-azure-credential.test.ts as an application would be: the credential and the
// client are built with no options, everything comes from the environment (AZURE_AUTHORITY_HOST,
// AZURE_TENANT_ID=adfs, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, NODE_EXTRA_CA_CERTS). Prints one
// JSON document. MHSM_VERIFY_CHALLENGE=0 turns the SDK's challenge resource check off (for a
// vault URL that cannot pass it); otherwise the check stays on.
import { Buffer } from "node:buffer";
import process from "node:process";
import { DefaultAzureCredential } from "@azure/identity";
import { KeyClient } from "@azure/keyvault-keys";

const vaultUrl = process.env.MHSM_VAULT_URL;
const scope = `${process.env.MHSM_RESOURCE}/.default`;
const credential = new DefaultAzureCredential();
const token = await credential.getToken(scope);
const claims = JSON.parse(Buffer.from(token.token.split(".")[1], "base64url").toString());
const client = new KeyClient(
  vaultUrl,
  credential,
  process.env.MHSM_VERIFY_CHALLENGE === "0" ? { disableChallengeResourceVerification: true } : {},
);
const name = `dac-js-${Date.now()}`;
const key = await client.createRsaKey(name, { keySize: 2048 });
const read = await client.getKey(name);
console.log(JSON.stringify({ claims, keyId: key.id, readId: read.id, kty: read.keyType }));
