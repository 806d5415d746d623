/**
 * The security domain's client side, for `mhsm security-domain` (packages/cli): building the
 * wrapping keys' JWKs, reading a security domain file (Azure's format, or mhsm's earlier one),
 * rebuilding the domain key from a quorum of private keys, and preparing an upload for the HSM's
 * transfer key. The same code as the server's side of the format, so the two cannot drift apart.
 */
export {
  type ParsedSecurityDomain,
  parseSecurityDomainFile,
  recoverDomainKey,
} from "./security-domain-file.js";
export { createUploadBlob } from "./upload-blob.js";
export { type WrappingKeyJwk, wrappingKeyJwkFromCertificate } from "./wrapping-key.js";
export { type SecurityDomainFile, SecurityDomainFormatError } from "./security-domain-format.js";
