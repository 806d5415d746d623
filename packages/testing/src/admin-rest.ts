import { randomUUID } from "node:crypto";
import { request as httpsRequest } from "node:https";
import type { TokenCredential } from "@azure/core-auth";

const API = "api-version=7.5";

/** The few administrative REST calls startMhsm's principal() makes, as the initial administrator. */
export class AdminRest {
  constructor(
    private readonly url: string,
    private readonly caCertificate: string,
    private readonly credential: TokenCredential,
    private readonly scope: string,
  ) {}

  async createPrincipal(
    displayName: string,
  ): Promise<{ objectId: string; clientId: string; clientSecret: string }> {
    return this.send("POST", "/mhsm/principals", { displayName }, 201);
  }

  /** Assigns a role (by role name or definition GUID) at a scope: "/", "/keys" or "/keys/<name>". */
  async assignRole(principalId: string, role: string, scope: string): Promise<void> {
    const definition = await this.findRole(role);
    if (!definition) throw new Error(`@mhsm/testing: no role definition named '${role}'`);
    const prefix = scope === "/" ? "" : scope.replace(/\/+$/, "");
    await this.send(
      "PUT",
      `${prefix}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}?${API}`,
      { properties: { roleDefinitionId: definition.id, principalId } },
      201,
    );
  }

  /** A role definition by GUID, or by name through the service's one filter (`roleName eq '…'`). */
  private async findRole(role: string): Promise<{ id: string } | undefined> {
    type Definition = { id: string; name: string };
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(role)) {
      return this.send<Definition>(
        "GET",
        `/providers/Microsoft.Authorization/roleDefinitions/${role}?${API}`,
      ).catch(() => undefined);
    }
    const filter = encodeURIComponent(`roleName eq '${role.replaceAll("'", "''")}'`);
    const found = await this.send<{ value: Definition[] }>(
      "GET",
      `/providers/Microsoft.Authorization/roleDefinitions?$filter=${filter}&${API}`,
    );
    return found.value[0];
  }

  private async send<T>(method: string, path: string, body?: unknown, expected = 200): Promise<T> {
    const token = await this.credential.getToken(this.scope);
    if (!token) throw new Error("@mhsm/testing: the administrator got no token");
    const target = new URL(path, this.url);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const request = httpsRequest(
        target,
        {
          method,
          ca: this.caCertificate,
          headers: {
            authorization: `Bearer ${token.token}`,
            ...(payload ? { "content-type": "application/json" } : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if (response.statusCode !== expected && !(expected === 201 && response.statusCode === 200)) {
              reject(
                new Error(
                  `@mhsm/testing: ${method} ${target.pathname} answered ${response.statusCode}: ${text}`,
                ),
              );
            } else resolve((text ? JSON.parse(text) : undefined) as T);
          });
        },
      );
      request.on("error", reject);
      request.end(payload);
    });
  }
}
