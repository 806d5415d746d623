import type { DeletedKeyService } from "./deleted-key-service.js";
import type { KeyRecord } from "./key-repository.js";
import type { KeyNearExpiryNotices } from "./key-notices.js";
import type { KeyService } from "./key-service.js";
import { nearExpiryNoticeAt, rotationDueAt } from "./rotation-policy.js";
import type { KeyStore } from "./key-repository.js";

export interface MaintenanceReport {
  rotated: string[];
  /** Keys whose near-expiry notice (rotation policy Notify) this run gave. */
  notified: string[];
  purged: string[];
}

/**
 * What the HSM does on its own, on a timer: rotate keys whose rotation policy says they are
 * due, give the policy's near-expiry notice, and purge soft-deleted keys whose retention has
 * ended. Each run is a fresh read of the
 * store, so a missed tick (the server was down) is caught up on the next one. Runs never
 * overlap; a failure on one key is reported and does not stop the others.
 */
export class KeyMaintenance {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<MaintenanceReport> | undefined;

  constructor(
    private readonly store: KeyStore,
    private readonly keys: KeyService,
    private readonly deletedKeys: DeletedKeyService,
    private readonly onError: (message: string, error: unknown) => void,
    private readonly notices?: KeyNearExpiryNotices,
    private readonly clock: () => number = Date.now,
  ) {}

  start(intervalMs: number): void {
    this.stop();
    this.#timer = setInterval(() => void this.runOnce(), intervalMs);
    // The timer alone must not keep the process alive.
    this.#timer.unref();
  }

  /** Stops the timer and waits for a run in progress to finish. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  runOnce(): Promise<MaintenanceReport> {
    this.#running ??= this.run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  private async run(): Promise<MaintenanceReport> {
    const report: MaintenanceReport = { rotated: [], notified: [], purged: [] };
    try {
      for (const key of await this.store.keys.listWithRotationPolicy()) {
        if (await this.rotateIfDue(key)) report.rotated.push(key.name);
        // After rotation: a version rotated away needs no notice, its successor may.
        if (await this.noticeNearExpiry(key)) report.notified.push(key.name);
      }
      report.purged = await this.deletedKeys.purgeExpired();
    } catch (error) {
      this.onError("key maintenance failed", error);
    }
    return report;
  }

  private async rotateIfDue(key: KeyRecord): Promise<boolean> {
    if (!key.rotationPolicy) return false;
    try {
      const current = await this.keys.get(key.name);
      const due = rotationDueAt(key.rotationPolicy, current.version);
      if (due === undefined || due > this.clock()) return false;
      return (await this.keys.rotate(key.name, current.version.version)) !== undefined;
    } catch (error) {
      this.onError(`scheduled rotation of key ${key.name} failed`, error);
      return false;
    }
  }

  /** Gives the key's near-expiry notice if it is due and no node has given it yet. */
  private async noticeNearExpiry(key: KeyRecord): Promise<boolean> {
    if (!this.notices?.ready() || !key.rotationPolicy) return false;
    try {
      const current = (await this.keys.get(key.name)).version;
      const due = nearExpiryNoticeAt(key.rotationPolicy, current);
      if (due === undefined || due > this.clock()) return false;
      if (!(await this.store.keys.claimNearExpiryNotice(key.name, current.version))) return false;
      try {
        await this.notices.nearExpiry(current);
        return true;
      } catch (error) {
        await this.store.keys.releaseNearExpiryNotice(key.name, current.version);
        throw error;
      }
    } catch (error) {
      this.onError(`the near-expiry notice of key ${key.name} failed (retried on the next run)`, error);
      return false;
    }
  }
}
