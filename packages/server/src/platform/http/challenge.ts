/**
 * The Key Vault challenge (WIRE.md): `Bearer authorization="<authority>/<tenant>", resource="<resource>"`.
 * SDKs split the header on "," and "=" without unquoting, so neither may appear in the values.
 */
export function challengeHeader(authority: string, resource: string, error?: string): string {
  const parts = [`Bearer authorization="${authority}"`, `resource="${resource}"`];
  if (error) parts.push(`error="${error}"`);
  return parts.join(", ");
}
