import { randomBytes, randomUUID } from "node:crypto";
import { KeyVaultErrors } from "../../platform/errors/key-vault-errors.js";
import { isGuid } from "../../platform/errors/guid.js";
import type { ChangeFeed } from "../../platform/store/change-feed.js";
import type { StoredPrincipal } from "./principal-repository.js";
import type { Store } from "../../platform/store/store.js";
import type { RoleAssignmentRepository } from "../rbac/role-assignment-repository.js";
import type { PrincipalRepository } from "./principal-repository.js";

/** A store with the principals and role assignments (a principal's assignments go with it). */
export type PrincipalStore = Store<{
  principals: PrincipalRepository;
  roleAssignments: RoleAssignmentRepository;
}>;
import { hashClientSecret, verifyClientSecret } from "./client-secret-hash.js";
import { LivePrincipals } from "./live-principals.js";

export interface CreatedPrincipal extends StoredPrincipal {
  /** Shown once, at creation; only its slow hash is kept. */
  clientSecret: string;
}

/** Ids and secret a caller chose for a new principal (each generated when absent). */
export interface GivenPrincipalIdentity {
  objectId?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
}

const DISPLAY_NAME = /^[\p{L}\p{N} ._@()-]{1,120}$/u;

export interface PrincipalServiceOptions {
  clock?: () => number;
  /**
   * Drops cached role grants here and, through the change feed, on every node (RbacEngine's
   * invalidate): a deleted principal's role assignments go with it.
   */
  rbac?: { invalidate(): void };
  /** Tells this node when another node deleted a principal (see LivePrincipals). */
  changes?: ChangeFeed;
  /** Longest a node trusts its list of existing principals if a notification is lost. */
  liveCacheMs?: number;
}

/** Service principals of the embedded identity provider. */
export class PrincipalService {
  /** Which principals exist: their tokens are refused once they are deleted. */
  readonly live: LivePrincipals;
  private readonly clock: () => number;

  constructor(
    private readonly store: PrincipalStore,
    private readonly options: PrincipalServiceOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.live = new LivePrincipals(() => store.principals.listObjectIds(), options.liveCacheMs ?? 5000);
    if (options.changes) this.live.follow(options.changes);
  }

  /**
   * A new principal. Its ids and secret are generated unless `given` has them (a seed file
   * declaring a principal its application already knows); given ids must be GUIDs not taken.
   */
  async create(displayName: string, given: GivenPrincipalIdentity = {}): Promise<CreatedPrincipal> {
    if (!DISPLAY_NAME.test(displayName)) {
      throw KeyVaultErrors.badParameter(
        "Principal name must be 1-120 letters, digits, spaces and . _ @ ( ) - characters.",
      );
    }
    for (const field of ["objectId", "clientId"] as const) {
      const value = given[field];
      if (value !== undefined && !isGuid(value))
        throw KeyVaultErrors.badParameter(`${field} must be a GUID.`);
    }
    const secret = given.clientSecret;
    if (
      secret !== undefined &&
      (secret.length < 16 || secret.length > 256 || !/^[\x21-\x7e]+$/.test(secret))
    ) {
      throw KeyVaultErrors.badParameter(
        "clientSecret must be 16 to 256 printable ASCII characters, no spaces.",
      );
    }
    const principal: StoredPrincipal = {
      objectId: given.objectId?.toLowerCase() ?? randomUUID(),
      clientId: given.clientId?.toLowerCase() ?? randomUUID(),
      displayName,
      createdAt: this.clock(),
    };
    if (given.objectId !== undefined && (await this.store.principals.get(principal.objectId))) {
      throw KeyVaultErrors.badParameter(`A principal with object id '${principal.objectId}' exists.`);
    }
    if (given.clientId !== undefined && (await this.store.principals.findByClientId(principal.clientId))) {
      throw KeyVaultErrors.badParameter(`A principal with client id '${principal.clientId}' exists.`);
    }
    // 256 bits of entropy; the "~" prefix keeps it from looking like a GUID or base64 of one.
    const clientSecret = secret ?? `mhsm~${randomBytes(32).toString("base64url")}`;
    await this.store.principals.insert(principal, await hashClientSecret(clientSecret));
    return { ...principal, clientSecret };
  }

  /** Up to `limit` principals after `after`, oldest first. */
  list(
    after: { createdAt: number; objectId: string } | undefined,
    limit: number,
  ): Promise<StoredPrincipal[]> {
    return this.store.principals.listPage(after, limit);
  }

  /**
   * Deletes the principal and its role assignments in one transaction; then its tokens are
   * refused at once on this node and, through the change feed, on every other node.
   */
  async delete(objectId: string): Promise<StoredPrincipal> {
    const existing = await this.store.transaction(async (tx) => {
      const found = await tx.principals.get(objectId.toLowerCase());
      if (!found) throw KeyVaultErrors.principalNotFound(objectId);
      await tx.roleAssignments.deleteForPrincipal(found.objectId);
      await tx.principals.delete(found.objectId);
      return found;
    });
    this.live.invalidate();
    // Announces an "rbac" change: every node drops its grants and its list of principals.
    this.options.rbac?.invalidate();
    return existing;
  }

  /** The principal whose client id and secret these are, or undefined. */
  async authenticate(clientId: string, clientSecret: string): Promise<StoredPrincipal | undefined> {
    const found = await this.store.principals.findByClientId(clientId.toLowerCase());
    if (!found) {
      // Spend the same time as a real check so unknown client ids cannot be told apart.
      await verifyClientSecret(clientSecret, DUMMY_HASH);
      return undefined;
    }
    const { secretHash, ...principal } = found;
    return (await verifyClientSecret(clientSecret, secretHash)) ? principal : undefined;
  }
}

const DUMMY_HASH = "scrypt$15$8$1bRaCdbkWQ8ABd9vKVWUCw$2pj8fHtlqjsRJ9RKlm9U8MR5E9J6YUXfAqXAqE_fpEA";
