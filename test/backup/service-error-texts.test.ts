import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type RawResponse, rawRequest } from "../harness/https-client.js";
import { waitForJob } from "../harness/jobs.js";
import { adminToken } from "../harness/principals.js";
import { runPython } from "../harness/python.js";
import { type ServerProcess, startServerProcess } from "../harness/server-process.js";

const V = "api-version=7.6";
/**
 * The service's answer to a SAS token without an expiry, e.g. "bad_token": Azure/azure-sdk-for-js
 * sdk/keyvault/keyvault-admin recording of PUT /restore with token "bad_token" and
 * folderToRestore "uri". mhsm appends its activity id.
 */
const SAS_NO_EXPIRY =
  /^The customer provided SAS token is malformed\. The SAS token does not contain the expiry field \(Activity ID: [0-9a-f-]+\)$/;
/** A folder URL that names only a container: the folder is empty, so no backup folder. */
const ACCOUNT = "https://account.blob.core.windows.net";
const GOOD_FORM_SAS = "sv=2021-08-06&se=2099-01-01T00%3A00%3A00Z&sp=rl&sig=abc";

function expectSasError(response: RawResponse): void {
  assert.equal(response.status, 400, response.text);
  assert.equal(response.json.error.code, "BadRequest", response.text);
  assert.match(response.json.error.message, SAS_NO_EXPIRY);
}

describe("backup and restore: the service's words, in the service's order", () => {
  let server: ServerProcess;
  let token: string;
  const call = (method: string, path: string, body?: unknown) =>
    rawRequest(server, { method, path, token, body });
  const restore = (sas: Record<string, unknown>, folderToRestore = "backup") =>
    call("PUT", `/restore?${V}`, {
      sasTokenParameters: { storageResourceUri: ACCOUNT, ...sas },
      folderToRestore,
    });

  before(async () => {
    server = await startServerProcess();
    token = await adminToken(server);
  });
  after(() => server?.dispose());

  it("restore: the service's recorded request (token 'bad_token', folder 'uri') answers the SAS text", async () => {
    expectSasError(
      await call("PUT", `/restore?${V}`, {
        sasTokenParameters: { storageResourceUri: "https://uri.blob.core.windows.net", token: "bad_token" },
        folderToRestore: "uri",
      }),
    );
  });

  it("restore: a malformed SAS with a folder that is no backup folder answers about the SAS first", async () => {
    expectSasError(await restore({ token: "bad_token" }));
    // With a SAS of the right form, the folder is what is wrong.
    const folder = await restore({ token: GOOD_FORM_SAS });
    assert.equal(folder.status, 400, folder.text);
    assert.equal(folder.json.error.code, "BadParameter");
    assert.match(folder.json.error.message, /^The backup folder 'backup' is not valid\./);
    // No token at all is a credential problem too, said before the folder's.
    const missing = await restore({});
    assert.equal(missing.status, 400, missing.text);
    assert.match(missing.json.error.message, /^A SAS token \('token'\) is required/);
    // The storage identity asked of an HSM without one, likewise.
    const identity = await restore({ useManagedIdentity: true });
    assert.equal(identity.status, 400, identity.text);
    assert.match(identity.json.error.message, /no storage identity configured/);
  });

  it("selective key restore: the SAS before the folder", async () => {
    const response = await call("PUT", `/keys/some-key/restore?${V}`, {
      sasTokenParameters: { storageResourceUri: ACCOUNT, token: "bad_token" },
      folder: "backup",
    });
    expectSasError(response);
  });

  it("backup: the SAS before the container URI (a folder inside a container is not one)", async () => {
    expectSasError(
      await call("POST", `/backup?${V}`, { storageResourceUri: `${ACCOUNT}/c/folder`, token: "bad_token" }),
    );
    const uri = await call("POST", `/backup?${V}`, {
      storageResourceUri: `${ACCOUNT}/c/folder`,
      token: GOOD_FORM_SAS,
    });
    assert.equal(uri.status, 400, uri.text);
    assert.match(uri.json.error.message, /must name a blob container, not a folder inside it/);
  });

  it("pre-restore (as its job): fails with the SAS text, not the folder's", async () => {
    const accepted = await call("PUT", `/prerestore?${V}`, {
      sasTokenParameters: { storageResourceUri: ACCOUNT, token: "bad_token" },
      folderToRestore: "backup",
    });
    assert.equal(accepted.status, 202, accepted.text);
    const failed = await waitForJob(server, token, accepted);
    assert.equal(failed.json.status, "Failed", failed.text);
    assert.equal(failed.json.error.code, "BadRequest");
    assert.match(
      failed.json.error.message,
      /^The customer provided SAS token is malformed\. The SAS token does not contain the expiry field/,
    );
  });

  it("names the first missing field of a SAS in the service's sentence", async () => {
    const cases: Array<[string, RegExp]> = [
      ["se=2099-01-01&sv=2021-08-06", /does not contain the signature field/],
      ["se=2099-01-01&sig=abc", /does not contain the version field/],
      ["se=soon&sv=2021-08-06&sig=abc", /The SAS token's expiry field is not a date/],
    ];
    for (const [sas, expected] of cases) {
      const response = await restore({ token: sas });
      assert.equal(response.status, 400, response.text);
      assert.equal(response.json.error.code, "BadRequest");
      assert.match(response.json.error.message, /^The customer provided SAS token is malformed\. /);
      assert.match(response.json.error.message, expected);
      assert.ok(!response.text.includes("sig=abc"), "the token is not echoed");
    }
  });

  it("role assignment not found: 'Requested role assignment not found', as the service words it", async () => {
    const response = await call(
      "GET",
      `/providers/Microsoft.Authorization/roleAssignments/00000000-0000-0000-0000-000000000001?${V}`,
    );
    assert.equal(response.status, 404, response.text);
    assert.equal(response.json.error.code, "RoleAssignmentNotFound");
    assert.match(
      response.json.error.message,
      /^Requested role assignment not found \(Activity ID: [0-9a-f-]+\)$/,
    );
  });

  describe("through the official Python SDK (azure-keyvault-administration)", () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let out: any;
    before(async () => {
      out = await runPython(join(import.meta.dirname, "python/service_error_texts.py"), server);
    });

    it("get_role_assignment of a missing one: ResourceNotFoundError with the service's words", () => {
      assert.equal(out.assignment_not_found.type, "ResourceNotFoundError");
      assert.equal(out.assignment_not_found.status, 404);
      assert.equal(out.assignment_not_found.code, "RoleAssignmentNotFound");
      assert.match(out.assignment_not_found.message, /^Requested role assignment not found \(Activity ID: /);
    });

    it("begin_restore, selective restore and begin_backup with a malformed SAS: the SAS text, at once", () => {
      for (const name of [
        "restore_malformed_sas",
        "selective_restore_malformed_sas",
        "backup_malformed_sas",
      ]) {
        const failure = out[name];
        assert.ok(failure, `${name} failed`);
        assert.equal(failure.status, 400, name);
        assert.equal(failure.code, "BadRequest", name);
        assert.match(failure.message, SAS_NO_EXPIRY, name);
      }
    });
  });
});
