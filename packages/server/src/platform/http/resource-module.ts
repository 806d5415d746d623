import type { RouteRegistry } from "./route-registry.js";

/**
 * What a resource (resources/*) gives the server: its routes, and the lifecycle of whatever it
 * runs in the background. The composition root builds one per resource and hands app.ts the list;
 * the platform knows no resource by name.
 */
export interface ResourceModule {
  /** Registers the resource's routes, each with its data action (and the gates it passes). */
  register(routes: RouteRegistry): void;
  /** Starts background work (timers, job handlers) once the server listens. */
  start?(): void | Promise<void>;
  /** Stops it; called once, in reverse order of the module list. */
  close?(): Promise<void>;
}
