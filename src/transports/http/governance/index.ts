// Public surface of the governance HTTP routes.
export { bareModelInterceptor, governanceRoutes, type GovernanceRouteDeps } from './routes.js';
