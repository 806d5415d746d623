import type { FastifyReply, FastifyRequest } from "fastify";
import { DataAction } from "../../platform/authorization/data-actions.js";
import { GLOBAL_SCOPE } from "../../platform/authorization/scope.js";
import { checkApiVersion } from "../../platform/http/api-version.js";
import { publicBaseUrl } from "../../platform/http/request-url.js";
import type { RouteRegistry } from "../../platform/http/route-registry.js";
import type { SecurityDomainService } from "./security-domain-service.js";

const objectBody = { body: { type: "object" } } as const;

/** The securitydomain.json paths; all at scope "/", all answered before activation. */
export function registerSecurityDomainRoutes(
  routes: RouteRegistry,
  service: SecurityDomainService,
  retryAfterSeconds: number,
): void {
  const scope = () => GLOBAL_SCOPE;

  /** 202 with Azure-AsyncOperation on the client's host and Retry-After. */
  const accepted = (request: FastifyRequest, reply: FastifyReply, operation: "download" | "upload") => {
    const version = checkApiVersion((request.query as Record<string, unknown>)["api-version"]);
    return reply
      .code(202)
      .header(
        "azure-asyncoperation",
        `${publicBaseUrl(request)}/securitydomain/${operation}/pending?api-version=${encodeURIComponent(version)}`,
      )
      .header("retry-after", String(retryAfterSeconds));
  };

  routes.authorized({
    passes: ["activation"],
    method: "POST",
    url: "/securitydomain/download",
    operation: "HSMSecurityDomain_Download",
    dataAction: DataAction.SecurityDomainDownload,
    scope,
    schema: objectBody,
    handler: async (request, reply) => {
      const file = await service.download(request.body);
      return accepted(request, reply, "download").send({ value: JSON.stringify(file) });
    },
  });
  routes.authorized({
    passes: ["activation"],
    method: "GET",
    url: "/securitydomain/download/pending",
    operation: "HSMSecurityDomain_DownloadPending",
    dataAction: DataAction.SecurityDomainDownloadRead,
    scope,
    handler: () => service.status("download"),
  });
  routes.authorized({
    passes: ["activation"],
    method: "GET",
    url: "/securitydomain/upload",
    operation: "HSMSecurityDomain_TransferKey",
    dataAction: DataAction.SecurityDomainTransferKeyRead,
    scope,
    handler: () => service.transferKey(),
  });
  routes.authorized({
    passes: ["activation"],
    method: "POST",
    url: "/securitydomain/upload",
    operation: "HSMSecurityDomain_Upload",
    dataAction: DataAction.SecurityDomainUpload,
    scope,
    schema: objectBody,
    handler: async (request, reply) => {
      const status = await service.upload(request.body);
      return accepted(request, reply, "upload").send(status);
    },
  });
  routes.authorized({
    passes: ["activation"],
    method: "GET",
    url: "/securitydomain/upload/pending",
    operation: "HSMSecurityDomain_UploadPending",
    dataAction: DataAction.SecurityDomainUploadRead,
    scope,
    handler: () => service.status("upload"),
  });
}
