// The /api/governance/* admin routes (virtual keys, teams, customers, budgets, rate limits, and the
// self-service quota route authenticated by the virtual key itself), plus Bifrost's transport
// interceptor for governance: a bare model name on an inference route is resolved through the
// caller's virtual key provider configs before the body is parsed into a request.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminResult, GovernanceAdmin, GovernancePlugin } from '../../../plugins/governance/index.js';
import { virtualKeyFromHeaders } from '../../../plugins/governance/index.js';
import { httpError, sendError, type InferenceBodyInterceptor } from '../index.js';
import type { RouteModule } from '../server.js';

export interface GovernanceRouteDeps {
  admin: GovernanceAdmin;
  plugin: GovernancePlugin;
}

const BASE = '/api/governance';

function reply(res: FastifyReply, result: AdminResult): FastifyReply {
  if ('error' in result) return sendError(res, httpError(result.status, result.error.type, result.error.message), {});
  return res.code(result.status).type('application/json').send(JSON.stringify(result.body));
}

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

function headersOf(request: FastifyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) out[name] = Array.isArray(value) ? value[0] : value;
  return out;
}

/**
 * Rewrites `model: "gpt-4o"` to `provider/model` (+ fallbacks) from the caller's VK provider
 * configs, for the inference fast path (HttpServerOptions.inferenceInterceptors).
 */
export function bareModelInterceptor(plugin: GovernancePlugin): InferenceBodyInterceptor {
  return (body, headers) => {
    if (typeof body.model !== 'string' || body.model.includes('/')) return;
    const vk = virtualKeyFromHeaders(headers);
    if (!vk) return;
    const route = plugin.resolveBareModel(vk, body.model);
    if (!route) return;
    body.model = route.target;
    if (!Array.isArray(body.fallbacks) || body.fallbacks.length === 0) {
      if (route.fallbacks.length > 0) body.fallbacks = route.fallbacks;
    }
  };
}

export function governanceRoutes(deps: GovernanceRouteDeps): RouteModule {
  const { admin } = deps;
  return (app) => {
    // Registered before /virtual-keys/:id so "quota" is not taken for an id.
    app.get(`${BASE}/virtual-keys/quota`, async (request, res) => reply(res, admin.quota(virtualKeyFromHeaders(headersOf(request)))));

    app.get(`${BASE}/virtual-keys`, async (_req, res) => reply(res, admin.listVirtualKeys()));
    app.post(`${BASE}/virtual-keys`, async (req, res) => reply(res, await admin.createVirtualKey(req.body)));
    app.get(`${BASE}/virtual-keys/:id`, async (req: IdRequest, res) => reply(res, admin.getVirtualKey(req.params.id)));
    app.put(`${BASE}/virtual-keys/:id`, async (req: IdRequest, res) => reply(res, await admin.updateVirtualKey(req.params.id, req.body)));
    app.delete(`${BASE}/virtual-keys/:id`, async (req: IdRequest, res) => reply(res, await admin.deleteVirtualKey(req.params.id)));

    app.get(`${BASE}/teams`, async (_req, res) => reply(res, admin.listTeams()));
    app.post(`${BASE}/teams`, async (req, res) => reply(res, await admin.writeTeam(undefined, req.body)));
    app.get(`${BASE}/teams/:id`, async (req: IdRequest, res) => reply(res, admin.getTeam(req.params.id)));
    app.put(`${BASE}/teams/:id`, async (req: IdRequest, res) => reply(res, await admin.writeTeam(req.params.id, req.body)));
    app.delete(`${BASE}/teams/:id`, async (req: IdRequest, res) => reply(res, await admin.deleteTeam(req.params.id)));

    app.get(`${BASE}/customers`, async (_req, res) => reply(res, admin.listCustomers()));
    app.post(`${BASE}/customers`, async (req, res) => reply(res, await admin.writeCustomer(undefined, req.body)));
    app.get(`${BASE}/customers/:id`, async (req: IdRequest, res) => reply(res, admin.getCustomer(req.params.id)));
    app.put(`${BASE}/customers/:id`, async (req: IdRequest, res) => reply(res, await admin.writeCustomer(req.params.id, req.body)));
    app.delete(`${BASE}/customers/:id`, async (req: IdRequest, res) => reply(res, await admin.deleteCustomer(req.params.id)));

    app.get(`${BASE}/budgets`, async (_req, res) => reply(res, admin.listBudgets()));
    app.get(`${BASE}/rate-limits`, async (_req, res) => reply(res, admin.listRateLimits()));
  };
}
