// Public surface of the cluster admin API.
export { clusterRoutes, type ClusterRoutesOptions } from './routes.js';
