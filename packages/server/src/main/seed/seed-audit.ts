import { randomUUID } from "node:crypto";
import type { AuditLog } from "../../platform/audit/audit-log.js";
import type { SeedWrite } from "./apply-seed.js";

/** Who a seed's writes are recorded as: not a principal, the operator's seed file. */
export const SEED_CALLER = { appId: "mhsm-seed" };

/**
 * Records a seed's write in the audit log as the same request through the API would be, with
 * the seed as caller. Like a request's, the record is written before the start goes on: if the
 * log cannot take it, the start fails (audit fails closed).
 */
export function auditSeedWrites(audit: AuditLog): (write: SeedWrite) => Promise<void> {
  return (write) =>
    audit.write({
      time: new Date().toISOString(),
      requestId: randomUUID(),
      correlationId: undefined,
      caller: SEED_CALLER,
      operation: write.operation,
      method: write.method,
      path: write.path,
      target: write.target,
      status: write.status,
      result: "success",
      errorCode: undefined,
      durationMs: 0,
    });
}
