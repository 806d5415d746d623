import type { CallerPrincipal } from "../auth/token-verifier.js";
import type { GateName } from "./request-gates.js";

/** What routes declare about themselves (route `config`), read by the shared hooks. */
export interface RouteDeclaration {
  /** The operation name for audit records, e.g. "RoleDefinitions_List". */
  operation?: string;
  /** No bearer token needed: the identity provider's own endpoints. */
  public?: boolean;
  /** The body may be form-encoded (token requests); every other route takes JSON only. */
  formBody?: boolean;
  /** A probe or scrape for operators' tools: not audited, and not refused while the audit log is down. */
  operational?: boolean;
  /** Azure data-plane paths need api-version; mhsm's own admin paths do not. */
  apiVersion?: boolean;
  /** Gates this route answers through while they are closed (request-gates.ts). */
  passes?: readonly GateName[];
}

declare module "fastify" {
  // Declaration merging: route config carries our RouteDeclaration fields.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface FastifyContextConfig extends RouteDeclaration {}
  interface FastifyRequest {
    caller?: CallerPrincipal;
    /** The RBAC scope the request targeted, for the audit record. */
    auditTarget?: string;
    auditErrorCode?: string;
    /** Who asked the identity provider for a token (client id), for the audit record. */
    auditClientId?: string;
  }
  interface FastifyInstance {
    mhsmBaseUrl(): string;
  }
}
