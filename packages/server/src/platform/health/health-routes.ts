import type { ResourceModule } from "../http/resource-module.js";
import { type ReadinessCheck, checkReadiness } from "./readiness.js";

/**
 * Probes for load balancers and Kubernetes, outside the Key Vault paths and without a token:
 * /healthz answers 200 while the process serves HTTP at all (liveness: restart it otherwise);
 * /readyz answers 200 only while this node can serve the data plane (activated, its store
 * reachable, no full restore running, its audit log writable) and 503 with each reason
 * otherwise (readiness: send requests elsewhere for now). Neither is audited nor refused while
 * the audit log is down: they change nothing and reveal no HSM contents.
 */
export function healthModule(checks: readonly ReadinessCheck[]): ResourceModule {
  return {
    register(routes) {
      routes.public({
        method: "GET",
        url: "/healthz",
        operation: "Health_Live",
        operational: true,
        handler: async (_request, reply) => reply.code(200).send({ status: "ok" }),
      });
      routes.public({
        method: "GET",
        url: "/readyz",
        operation: "Health_Ready",
        operational: true,
        handler: async (_request, reply) => {
          const readiness = await checkReadiness(checks);
          if (readiness.ready) return reply.code(200).send({ status: "ready", checks: readiness.checks });
          const reasons = Object.values(readiness.checks).filter((result) => result !== "ok");
          return reply
            .code(503)
            .send({ status: "not ready", reason: reasons.join(" "), checks: readiness.checks });
        },
      });
    },
  };
}
