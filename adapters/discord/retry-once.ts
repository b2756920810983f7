import type { Logger } from 'pino';

/** Ids that say which call failed; never message text. */
export type LogIds = Record<string, string | undefined>;

/**
 * What may be logged about a failed Discord call. The error object itself is not logged:
 * discord.js keeps the request body (message text) and the URL (interaction tokens) on it.
 */
export function errorSummary(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const { status, code, method } = error as Error & { status?: unknown; code?: unknown; method?: unknown };
  return { errorName: error.name, errorMessage: error.message, status, code, method };
}

/** True for answers that a second try cannot change (bad request, no permission, unknown channel). */
function isPermanent(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 429;
}

/** Runs a Discord call; a failure is logged with ids and the call is tried once more unless it cannot succeed. */
export async function retryOnce<T>(logger: Logger, what: string, ids: LogIds, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isPermanent(error)) {
      logger.error({ ...ids, ...errorSummary(error) }, `${what} failed`);
      throw error;
    }
    logger.warn({ ...ids, ...errorSummary(error) }, `${what} failed; retrying once`);
  }
  try {
    return await call();
  } catch (error) {
    logger.error({ ...ids, ...errorSummary(error) }, `${what} failed twice`);
    throw error;
  }
}
