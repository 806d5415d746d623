import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  HTTPMethods,
  RouteHandlerMethod,
} from "fastify";
import type { RbacEngine } from "../authorization/rbac-engine.js";
import { KeyVaultErrors } from "../errors/key-vault-errors.js";
import type { RouteDeclaration } from "./fastify-types.js";
import type { GateName } from "./request-gates.js";
import { sendKeyVaultError } from "./key-vault-error.js";

const ALL_METHODS: HTTPMethods[] = ["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"];

export interface AuthorizedRoute {
  method: HTTPMethods;
  url: string;
  operation: string;
  /** The data action the caller must hold at `scope` — declared here so no route can forget it. */
  dataAction: string;
  scope: (request: FastifyRequest) => string;
  schema?: FastifySchema;
  apiVersion?: boolean;
  /** Gates the route answers through while they are closed, e.g. job status during a restore. */
  passes?: readonly GateName[];
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

export interface PublicRoute {
  method: HTTPMethods;
  url: string;
  operation: string;
  /** The body is application/x-www-form-urlencoded (OAuth 2.0 token requests); others take JSON only. */
  formBody?: boolean;
  /** A probe or scrape (/healthz, /readyz, /metrics): not audited, answered while the audit log is down. */
  operational?: boolean;
  schema?: FastifySchema;
  handler: RouteHandlerMethod;
}

/** One registered route, as tests and tools see the route table (handlers left out). */
export type DeclaredRoute =
  | ({ kind: "authorized" } & Omit<AuthorizedRoute, "handler">)
  | ({ kind: "public" } & Omit<PublicRoute, "handler">);

/**
 * Registers routes. A data-plane route cannot be registered without a data action: the RBAC
 * check runs as the route's own onRequest hook, after authentication and before the body is
 * parsed, so an unauthorised caller learns nothing about what the body should have been.
 * `finish()` answers 405 for the methods a known path does not support.
 */
export class RouteRegistry {
  readonly #methodsByUrl = new Map<string, { methods: Set<HTTPMethods>; declaration: RouteDeclaration }>();
  readonly #declared: DeclaredRoute[] = [];

  constructor(
    private readonly app: FastifyInstance,
    private readonly rbac: RbacEngine,
  ) {}

  authorized(route: AuthorizedRoute): void {
    const { rbac } = this;
    const declaration: RouteDeclaration = {
      operation: route.operation,
      apiVersion: route.apiVersion ?? true,
      passes: route.passes ?? [],
    };
    this.track(route.url, route.method, declaration);
    const { handler: _handler, ...described } = route;
    this.#declared.push({ kind: "authorized", ...described });
    this.app.route({
      method: route.method,
      url: route.url,
      config: declaration,
      schema: route.schema,
      onRequest: async (request) => {
        const caller = request.caller;
        if (!caller) throw KeyVaultErrors.unauthorized();
        const scope = route.scope(request);
        request.auditTarget = scope;
        if (!(await rbac.can(caller.objectId, route.dataAction, scope))) {
          throw KeyVaultErrors.accessDenied(route.dataAction, scope);
        }
      },
      handler: route.handler,
    });
  }

  public(route: PublicRoute): void {
    const declaration: RouteDeclaration = {
      operation: route.operation,
      public: true,
      apiVersion: false,
      formBody: route.formBody ?? false,
      operational: route.operational ?? false,
    };
    this.track(route.url, route.method, declaration);
    const { handler: _handler, ...described } = route;
    this.#declared.push({ kind: "public", ...described });
    this.app.route({
      method: route.method,
      url: route.url,
      config: declaration,
      schema: route.schema,
      handler: route.handler,
    });
  }

  /** Every route registered so far: the source of truth for the authorization matrix and the fuzzer. */
  get declared(): readonly DeclaredRoute[] {
    return this.#declared;
  }

  /** After every route is in: a 405 for each other method on a known path. */
  finish(): void {
    for (const [url, { methods, declaration }] of this.#methodsByUrl) {
      const others = ALL_METHODS.filter((method) => !methods.has(method));
      if (others.length === 0) continue;
      const allowed = [...methods].join(", ");
      this.app.route({
        method: others,
        url,
        config: { ...declaration, operation: "MethodNotAllowed" },
        handler: async (request, reply) => {
          reply.header("allow", allowed);
          return sendKeyVaultError(
            request,
            reply,
            405,
            "MethodNotAllowed",
            `The ${request.method} method is not supported on this path; use ${allowed}.`,
          );
        },
      });
    }
  }

  private track(url: string, method: HTTPMethods, declaration: RouteDeclaration): void {
    const entry = this.#methodsByUrl.get(url) ?? { methods: new Set<HTTPMethods>(), declaration };
    entry.methods.add(method);
    this.#methodsByUrl.set(url, entry);
  }
}
