import { randomUUID } from "node:crypto";
import type { KeyVersion } from "./key-model.js";
import { keyUrl } from "./key-wire.js";

/**
 * What a rotation policy's Notify action does: when a key's current version comes within the
 * action's timeBeforeExpiry of its expiry, the HSM says so once for that version. A Managed HSM
 * raises the Event Grid event Microsoft.KeyVault.KeyNearExpiry; mhsm writes a line to its log
 * and, with `events.webhookUrl` configured, POSTs the same event in the Event Grid schema (an
 * array of one event) to that URL, so an Event Grid subscriber's handler works unchanged.
 */
export interface KeyNearExpiryNotices {
  /** False until the server knows the URL its key identifiers use (before it listens). */
  ready(): boolean;
  /** Resolves once the notice is delivered; rejects if the webhook did not take it. */
  nearExpiry(version: KeyVersion): Promise<void>;
}

export interface KeyNoticeSettings {
  hsmName: string;
  /** The HSM's URL as clients use it; undefined until the server listens. */
  vaultUrl: () => string | undefined;
  webhookUrl?: string | undefined;
  log: (message: string) => void;
  /** Longest a webhook delivery may take before it counts as failed. */
  timeoutMs?: number;
}

export class KeyNoticePublisher implements KeyNearExpiryNotices {
  constructor(private readonly settings: KeyNoticeSettings) {}

  ready(): boolean {
    return this.settings.vaultUrl() !== undefined;
  }

  async nearExpiry(version: KeyVersion): Promise<void> {
    const vaultUrl = this.settings.vaultUrl() as string;
    const expires = version.attributes.expires as number;
    const event = {
      id: randomUUID(),
      topic: vaultUrl,
      subject: version.name,
      eventType: "Microsoft.KeyVault.KeyNearExpiry",
      eventTime: new Date().toISOString(),
      data: {
        Id: keyUrl(vaultUrl, version.name, version.version),
        VaultName: this.settings.hsmName,
        ObjectType: "Key",
        ObjectName: version.name,
        Version: version.version,
        NBF: version.attributes.notBefore === null ? null : Math.floor(version.attributes.notBefore / 1000),
        EXP: Math.floor(expires / 1000),
      },
      dataVersion: "1",
      metadataVersion: "1",
    };
    if (this.settings.webhookUrl) await this.deliver([event]);
    this.settings.log(
      `mhsm: key ${version.name} version ${version.version} expires at ${new Date(expires).toISOString()} (rotation policy Notify: KeyNearExpiry)`,
    );
  }

  private async deliver(events: unknown[]): Promise<void> {
    const response = await fetch(this.settings.webhookUrl as string, {
      method: "POST",
      headers: { "content-type": "application/json", "aeg-event-type": "Notification" },
      body: JSON.stringify(events),
      signal: AbortSignal.timeout(this.settings.timeoutMs ?? 10_000),
    });
    // The body is the receiver's business; reading it frees the connection.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`the events webhook answered HTTP ${response.status}`);
  }
}
