import { Agent, request } from "node:https";

/**
 * A lean HTTPS client for the bench: keep-alive connections (one per concurrent client), a
 * bearer token fetched once as an SDK would cache it, bodies serialised once.
 */
export class BenchHttpsClient {
  readonly #agent: Agent;
  readonly #url: URL;

  constructor(
    baseUrl: string,
    ca: string,
    private readonly token: string,
    concurrency: number,
  ) {
    this.#url = new URL(baseUrl);
    this.#agent = new Agent({ ca, keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  }

  /** Sends the request and resolves with the parsed JSON body; anything but 200 rejects. */
  send(method: string, path: string, body?: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.#agent,
          host: this.#url.hostname,
          port: this.#url.port,
          method,
          path,
          headers: {
            authorization: `Bearer ${this.token}`,
            ...(body !== undefined
              ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
              : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if (response.statusCode !== 200)
              reject(new Error(`${method} ${path}: ${response.statusCode} ${text}`));
            else resolve(JSON.parse(text));
          });
          response.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
