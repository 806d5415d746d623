import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loggableError, loggableErrorLine, redactCredentials } from "./loggable-error.js";

describe("loggable errors", () => {
  it("removes SAS signatures, tokens, private keys, secrets and connection-string passwords", () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJvaWQiOiIxIn0.c2lnbmF0dXJl";
    const text = [
      "GET https://acct.blob.core.windows.net/c/f?sv=2022-11-02&sp=rw&sig=AbC%2Bdef%3D&se=2030",
      `Authorization: Bearer ${jwt}`,
      `token ${jwt} in a message`,
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAAAA\n-----END RSA PRIVATE KEY-----",
      "grant_type=client_credentials&client_secret=s3cr3t-value&scope=x",
      '{"clientSecret":"s3cr3t-json","kty":"oct","k":"c2VjcmV0LWtleQ"}',
      "postgres://mhsm:pg-pass-word@db.example:5432/mhsm",
    ].join("\n");
    const redacted = redactCredentials(text);
    for (const secret of [
      "AbC%2Bdef%3D",
      jwt,
      "c2lnbmF0dXJl",
      "MIIEow",
      "s3cr3t-value",
      "s3cr3t-json",
      "c2VjcmV0LWtleQ",
      "pg-pass-word",
    ])
      assert.ok(!redacted.includes(secret), `${secret} is still in:\n${redacted}`);
    // What an operator needs to read the error stays.
    for (const kept of [
      "acct.blob.core.windows.net/c/f",
      "sp=rw",
      "grant_type=client_credentials",
      "db.example:5432",
      '"kty":"oct"',
    ])
      assert.ok(redacted.includes(kept), `${kept} is gone from:\n${redacted}`);
  });

  it("keeps only the class, message and stack, never the error's other properties", () => {
    const error = Object.assign(new Error("upload failed for https://a/c?sig=SECRETSIG"), {
      request: { url: "https://a/c?sig=OTHERSECRET", headers: { authorization: "Bearer abc" } },
    });
    const logged = loggableError(error);
    assert.deepEqual(Object.keys(logged).sort(), ["message", "stack", "type"]);
    assert.equal(logged.message, "upload failed for https://a/c?sig=REDACTED");
    assert.ok(!JSON.stringify(logged).includes("SECRET"));
    assert.equal(loggableErrorLine(error), "Error: upload failed for https://a/c?sig=REDACTED");
    assert.deepEqual(loggableError("sig=x&y"), { type: "string", message: "sig=x&y" });
    assert.equal(loggableError("?sig=x&y").message, "?sig=REDACTED&y");
  });
});
