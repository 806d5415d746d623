import type { ResourceModule } from "../../platform/http/resource-module.js";
import { registerRoleAssignmentRoutes } from "./role-assignment-routes.js";
import type { RoleAssignmentService } from "./role-assignment-service.js";
import { registerRoleDefinitionRoutes } from "./role-definition-routes.js";
import type { RoleDefinitionService } from "./role-definition-service.js";

/** Local RBAC: role definitions and role assignments at "/", "/keys" and "/keys/{name}". */
export function rbacModule(parts: {
  roleDefinitions: RoleDefinitionService;
  roleAssignments: RoleAssignmentService;
  listPageSize: number;
}): ResourceModule {
  return {
    register(routes) {
      registerRoleDefinitionRoutes(routes, parts.roleDefinitions, parts.listPageSize);
      registerRoleAssignmentRoutes(routes, parts.roleAssignments, parts.listPageSize);
    },
  };
}
