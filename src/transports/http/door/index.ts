// The HTTP door: what every request passes before any route sees it.
export { headerValue } from './header-value.js';
export { isTargetProblem, isUnder, normalizeTarget, type RequestTarget } from './request-target.js';
export { attachUpgradeDoor, refuse, type AccessGuard, type UpgradeHandler } from './upgrades.js';
