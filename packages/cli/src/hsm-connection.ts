import { readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";

/** A service error, as the HSM or its identity provider reported it. */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ConnectionOptions {
  adminFile?: string;
  hsmUrl?: string;
  caFile?: string;
}

interface Credentials {
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
}

/**
 * A minimal HTTPS client for mhsm's own admin endpoints: it follows the Key Vault challenge to
 * learn the resource, gets a client-credentials token, and trusts the CA from the admin file.
 * (The Azure data-plane verbs use the client library instead.)
 */
export class HsmConnection {
  #token: string | undefined;

  private constructor(
    readonly vaultUrl: string,
    private readonly ca: string | undefined,
    private readonly credentials: Credentials,
  ) {}

  static fromOptions(options: ConnectionOptions): HsmConnection {
    if (!options.adminFile) throw new Error("--admin-file is required (e.g. <data-dir>/initial-admin.json)");
    const admin = JSON.parse(readFileSync(options.adminFile, "utf8")) as Record<string, string | null>;
    for (const field of ["vaultUrl", "tokenEndpoint", "clientId", "clientSecret"]) {
      if (typeof admin[field] !== "string") throw new Error(`${options.adminFile} has no ${field}`);
    }
    const caFile = options.caFile ?? admin.caFile ?? undefined;
    return new HsmConnection(
      (options.hsmUrl ?? (admin.vaultUrl as string)).replace(/\/+$/, ""),
      caFile ? readFileSync(caFile, "utf8") : undefined,
      {
        tokenEndpoint: admin.tokenEndpoint as string,
        clientId: admin.clientId as string,
        clientSecret: admin.clientSecret as string,
      },
    );
  }

  async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = `${this.vaultUrl}${path}`;
    if (!this.#token) {
      const probe = await this.send(method, url, {});
      const challenge = probe.headers["www-authenticate"];
      if (probe.status !== 401 || typeof challenge !== "string") return this.unwrap(probe);
      const resource = /resource="([^"]+)"/.exec(challenge)?.[1];
      if (!resource) throw new Error("the HSM's challenge names no resource");
      this.#token = await this.fetchToken(resource);
    }
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` };
    if (payload !== undefined) headers["content-type"] = "application/json";
    return this.unwrap(await this.send(method, url, headers, payload));
  }

  private async fetchToken(resource: string): Promise<string> {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: this.credentials.clientId,
      client_secret: this.credentials.clientSecret,
      scope: `${resource.replace(/\/+$/, "")}/.default`,
    }).toString();
    const response = await this.send(
      "POST",
      this.credentials.tokenEndpoint,
      { "content-type": "application/x-www-form-urlencoded" },
      form,
    );
    const parsed = response.json as { access_token?: string; error?: string; error_description?: string };
    if (response.status !== 200 || !parsed?.access_token) {
      throw new ServiceError(
        response.status,
        parsed?.error ?? "TokenRequestFailed",
        parsed?.error_description ?? "token request failed",
      );
    }
    return parsed.access_token;
  }

  private unwrap(response: { status: number; json: unknown }): unknown {
    if (response.status < 400) return response.json;
    const error = (response.json as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ServiceError(
      response.status,
      error?.code ?? `HTTP${response.status}`,
      error?.message ?? "request failed",
    );
  }

  private send(
    method: string,
    url: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: unknown }> {
    return new Promise((resolve, reject) => {
      const request = httpsRequest(url, { method, headers, ca: this.ca }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, json });
        });
      });
      request.on("error", reject);
      request.end(body);
    });
  }
}
