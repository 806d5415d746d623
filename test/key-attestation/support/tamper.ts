import { openssl } from "../../keys/support/openssl.js";

/** A wire attestation JSON (base64url members), as `mhsm key get-attestation` writes it. */
export interface WireAttestationJson {
  key: Record<string, unknown>;
  attributes: {
    attestation: {
      certificatePemFile: string;
      privateKeyAttestation: string;
      publicKeyAttestation?: string;
      version: string;
    };
  } & Record<string, unknown>;
}

const jwsOf = (member: string) => Buffer.from(member, "base64url").toString("utf8");
const memberOf = (jws: string) => Buffer.from(jws, "utf8").toString("base64url");

/** The private blob with one claim changed and the original signature kept. */
export function withChangedClaim(
  json: WireAttestationJson,
  claim: string,
  value: unknown,
): WireAttestationJson {
  const [header, payload, signature] = jwsOf(json.attributes.attestation.privateKeyAttestation).split(".");
  const claims = JSON.parse(Buffer.from(payload as string, "base64url").toString("utf8")) as Record<
    string,
    unknown
  >;
  claims[claim] = value;
  const changed = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
  return withPrivateBlob(json, changed);
}

export function withPrivateBlob(json: WireAttestationJson, jws: string): WireAttestationJson {
  const copy = structuredClone(json);
  copy.attributes.attestation.privateKeyAttestation = memberOf(jws);
  return copy;
}

export function privateBlobOf(json: WireAttestationJson): string {
  return jwsOf(json.attributes.attestation.privateKeyAttestation);
}

/**
 * A CA certificate made by OpenSSL that has nothing to do with the HSM; given `lookalikeOf`, it
 * carries that certificate's subject, so only the signature tells the two apart.
 */
export function unrelatedRootPem(lookalikeOf?: string): string {
  const subject = lookalikeOf ? opensslSubject(lookalikeOf) : "/CN=not the attestation root";
  return openssl(
    (dir) => [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      `${dir}/key.pem`,
      "-subj",
      subject,
      "-days",
      "2",
    ],
    {},
  ).toString("utf8");
}

/** A certificate's subject in the form `openssl req -subj` takes ("/O=mhsm/CN=..."). */
function opensslSubject(certificatePem: string): string {
  const line = openssl(
    (dir) => ["x509", "-in", `${dir}/c.pem`, "-noout", "-subject", "-nameopt", "RFC2253"],
    {
      "c.pem": certificatePem,
    },
  ).toString("utf8");
  const rdns = line
    .trim()
    .replace(/^subject=/, "")
    .split(",")
    .reverse();
  return `/${rdns.join("/")}`;
}
