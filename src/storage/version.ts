// The gateway's version as reported by GET /api/version (kept in step with package.json by the
// release process; a test checks they agree).
export const BIFROST_TS_VERSION = '0.1.0';
