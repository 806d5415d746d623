import { JobFailure } from "../../platform/jobs/job-model.js";
import type { Row, SnapshotRepository } from "./snapshot-repository.js";

/** What a selective restore did to the one key it names. */
export interface SelectiveRestoreOutcome {
  /** The key as this HSM had it when the restore ran. */
  found: "absent" | "live" | "deleted";
  /** Versions added from the backup. */
  restored: number;
  /** Versions of the backup that this HSM already has (kept as they are). */
  notOverwritten: number;
}

/**
 * Restores one key from a full backup, version by version, as a Managed HSM does: a version the
 * HSM already has is not overwritten, a version it lacks is added. So over a live key that is
 * unchanged since the backup nothing changes (the service's own live test of it reports
 * "Number of successful key versions restored: 0, Number of key versions could not
 * overwrite: 2" and the key keeps its attributes); a version created after the backup stays, and
 * so do the key's current version, tags, attributes and rotation policy. A key that is gone
 * (purged) comes back as it was in the backup. A soft-deleted key is left alone: its name is
 * held until it is recovered or purged, as everywhere else in Key Vault.
 *
 * Runs inside the caller's transaction: it either does all of this or nothing.
 */
export async function restoreKeyFromBackup(
  snapshots: SnapshotRepository,
  keyRow: Row,
  versionRows: Row[],
): Promise<SelectiveRestoreOutcome> {
  const backupName = String(keyRow.name);
  const existing = await snapshots.keyRow(backupName);
  if (!existing) {
    await snapshots.insert("keys", [keyRow]);
    await snapshots.insert("key_versions", versionRows);
    return { found: "absent", restored: versionRows.length, notOverwritten: 0 };
  }
  if (existing.deleted) return { found: "deleted", restored: 0, notOverwritten: versionRows.length };

  const present = new Set(await snapshots.versionIdsOf(existing.name));
  const missing = versionRows.filter((row) => !present.has(String(row.version)));
  if (missing.length > 0 && existing.name !== backupName) {
    // Sealed material is bound to the key's spelling; the versions cannot move to another one.
    throw new JobFailure(
      "Conflict",
      `Key '${existing.name}' exists in this HSM spelled differently from the backup's '${backupName}', so the backup's versions cannot be added to it. Delete and purge it to restore the backup's key.`,
    );
  }
  await snapshots.insert("key_versions", missing);
  return { found: "live", restored: missing.length, notOverwritten: versionRows.length - missing.length };
}

/** The job's statusDetails: the service's sentence, and what a user must know besides. */
export function describeSelectiveRestore(keyName: string, outcome: SelectiveRestoreOutcome): string {
  const counts = `Number of successful key versions restored: ${outcome.restored}, Number of key versions could not overwrite: ${outcome.notOverwritten}`;
  if (outcome.found === "deleted") {
    return `${counts}. Key '${keyName}' is deleted in this HSM, so nothing was restored: recover it, or purge it and restore again.`;
  }
  return counts;
}
