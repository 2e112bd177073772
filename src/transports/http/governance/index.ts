// Public surface of the governance HTTP routes.
export { governanceRoutes, type GovernanceRouteDeps } from './routes.js';
