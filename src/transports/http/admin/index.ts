// The admin API as one route module for buildHttpServer's `routes`: auth hook and session routes
// first (the hook must see every route), then config, providers, keys, plugins and version.
import type { FastifyInstance } from 'fastify';
import type { RouteModule } from '../server.js';
import { registerAdminAuth } from './auth.js';
import { registerConfigRoutes } from './config-routes.js';
import type { AdminOptions } from './context.js';
import { registerPluginRoutes } from './plugin-routes.js';
import { registerProviderRoutes } from './provider-routes.js';

export type { AdminOptions } from './context.js';
export { isProtectedPath, SESSION_COOKIE } from './auth.js';
export { maskSecret } from './redact.js';

export function adminRoutes(options: AdminOptions): RouteModule {
  return (app: FastifyInstance) => {
    registerAdminAuth(app, options);
    registerConfigRoutes(app, options);
    registerProviderRoutes(app, options);
    registerPluginRoutes(app, options);
  };
}
