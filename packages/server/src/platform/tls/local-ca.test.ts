import assert from "node:assert/strict";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { describe, it } from "node:test";
import {
  certificateStillFits,
  createCertificateAuthority,
  issueServerCertificate,
  serverNames,
} from "./local-ca.js";

describe("local CA", () => {
  it("issues a server certificate for localhost, 127.0.0.1, ::1 and extra names, signed by the CA", async () => {
    const ca = await createCertificateAuthority("mhsm");
    const names = serverNames(["hsm.example.test"]);
    const server = await issueServerCertificate(ca, names);
    const caCert = new X509Certificate(ca.certificatePem);
    const cert = new X509Certificate(server.certificatePem);
    assert.ok(caCert.ca);
    assert.ok(!cert.ca);
    assert.ok(cert.verify(caCert.publicKey));
    assert.ok(cert.checkIssued(caCert));
    assert.ok(cert.checkHost("localhost"));
    assert.ok(cert.checkHost("hsm.example.test"));
    assert.ok(cert.checkIP("127.0.0.1"));
    assert.ok(cert.checkIP("::1"));
    assert.ok(createPrivateKey(server.privateKeyPem).asymmetricKeyType === "ec");
    assert.ok(certificateStillFits(server.certificatePem, names));
    assert.ok(!certificateStillFits(server.certificatePem, [...names, "new.example.test"]));
  });
});
