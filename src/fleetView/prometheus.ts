import type { FleetAnswers, PromSample } from './model.js';

/** Why the fleet has nothing to show, said as the screen says it. */
export class FleetSourceError extends Error {}

/** Each query waits this long at most; a Prometheus that hangs is said, not waited for. */
const QUERY_TIMEOUT_MS = 5000;
/** An answer larger than this is not read: the queries are bounded, a larger one is not the Prometheus we asked. */
const ANSWER_MAX_BYTES = 8 * 1024 * 1024;
/** At most this many alerts a refresh (`topk`): a fleet on fire is shown worst first, not all of it. */
export const FLEET_ALERTS_MAX = 2000;

const NETTRIAGE_ALERTS = 'ALERTS{alertstate="firing", nettriage_rule!=""}';

export const FLEET_QUERIES = {
  firing: `topk(${FLEET_ALERTS_MAX}, ${NETTRIAGE_ALERTS})`,
  activeAt: `topk(${FLEET_ALERTS_MAX}, ALERTS_FOR_STATE{nettriage_rule!=""})`,
  before: `count by (job, instance, netns) (${NETTRIAGE_ALERTS} offset 10m)`,
  endpoints: 'count(nettriage_up)',
} as const;

async function readBounded(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > ANSWER_MAX_BYTES) {
      await reader.cancel();
      throw new FleetSourceError(`its answer is larger than ${ANSWER_MAX_BYTES / 1024 / 1024} MB`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One instant query (GET, read-only): its vector, or why there is none. */
export async function instantQuery(base: URL, query: string): Promise<PromSample[]> {
  const url = new URL('api/v1/query', base.href.endsWith('/') ? base : new URL(`${base.href}/`));
  url.searchParams.set('query', query);
  url.searchParams.set('timeout', `${QUERY_TIMEOUT_MS / 1000}s`);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(QUERY_TIMEOUT_MS), headers: { accept: 'application/json' } });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = (error as Error).name === 'TimeoutError' ? `no answer within ${QUERY_TIMEOUT_MS / 1000} s` : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new FleetSourceError(`cannot reach Prometheus at ${base.origin}: ${why}`);
  }
  const text = await readBounded(response);
  let body: { status?: string; error?: string; data?: { resultType?: string; result?: { metric: Record<string, string>; value: [number, string] }[] } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new FleetSourceError(`${base.origin} answered HTTP ${response.status} with something that is not Prometheus' API (is the URL Prometheus', e.g. http://prometheus:9090?)`);
  }
  if (body.status !== 'success') throw new FleetSourceError(`Prometheus refused the query: ${body.error ?? `HTTP ${response.status}`}`);
  if (body.data?.resultType !== 'vector') return [];
  return (body.data.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

/** Every answer the fleet view needs, asked at once. */
export async function askFleet(base: URL): Promise<FleetAnswers> {
  const [firing, activeAt, before, endpoints] = await Promise.all([
    instantQuery(base, FLEET_QUERIES.firing),
    instantQuery(base, FLEET_QUERIES.activeAt),
    instantQuery(base, FLEET_QUERIES.before),
    instantQuery(base, FLEET_QUERIES.endpoints),
  ]);
  return { firing, activeAt, before, endpoints: endpoints[0]?.value ?? 0 };
}
