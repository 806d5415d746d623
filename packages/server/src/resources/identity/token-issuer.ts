import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import type { SigningKey } from "./signing-key.js";

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
}

/** Mints Entra-shaped v2.0 app tokens: the claims the Key Vault SDKs and our verifier read. */
export class TokenIssuer {
  constructor(
    private readonly key: SigningKey,
    private readonly issuer: string,
    private readonly tenantId: string,
    private readonly lifetimeSeconds: number,
    private readonly clock: () => number = Date.now,
  ) {}

  async issue(subject: { objectId: string; clientId: string }, audience: string): Promise<IssuedToken> {
    const now = Math.floor(this.clock() / 1000);
    const accessToken = await new SignJWT({
      tid: this.tenantId,
      oid: subject.objectId,
      appid: subject.clientId,
      azp: subject.clientId,
      idtyp: "app",
      ver: "2.0",
    })
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: this.key.kid })
      .setIssuer(this.issuer)
      .setAudience(audience)
      .setSubject(subject.objectId)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + this.lifetimeSeconds)
      .setJti(randomUUID())
      .sign(this.key.privateKey);
    return { accessToken, expiresIn: this.lifetimeSeconds };
  }
}
