// Bounded polling for tests: waits until a condition holds, or fails with a message that says what
// was being waited for. Use it only where there is no event to await.
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** What was expected, for the failure message. */
  message: string;
}

export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await delay(options.intervalMs ?? 25);
  }
  const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${options.message}${detail}`);
}
