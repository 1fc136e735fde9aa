/** A small client for Prometheus's HTTP API: instant PromQL queries, answers validated with zod. */
import { z } from 'zod';
import { RolloutError, TransportError } from '../../core/errors.js';

/** `[<unix seconds>, "<value>"]`; the value is a string because it may be NaN or ±Inf. */
const Sample = z.tuple([z.number(), z.string()]);

const QueryAnswer = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.discriminatedUnion('resultType', [
      z.object({
        resultType: z.literal('vector'),
        result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: Sample })),
      }),
      z.object({ resultType: z.literal('scalar'), result: Sample }),
      z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }),
      z.object({ resultType: z.literal('string'), result: z.unknown() }),
    ]),
  }),
  z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() }),
]);

export interface PrometheusOptions {
  /** Base URL, e.g. http://127.0.0.1:9090. */
  url: string;
  /** Per-query time limit. Default 10 s. */
  timeoutMs?: number;
}

export class Prometheus {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(options: PrometheusOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * Evaluates `query` now and returns its single value: undefined when the answer is empty or not
   * a number (no traffic, a division by zero). A vector of several series is an error: every gate
   * query aggregates to one.
   */
  async scalar(query: string): Promise<number | undefined> {
    const answer = await this.query(query);
    const data = answer.data;
    let raw: string | undefined;
    if (data.resultType === 'scalar') raw = data.result[1];
    else if (data.resultType === 'vector') {
      if (data.result.length > 1) {
        throw new RolloutError(
          'MEDIC_ERR_ROLLOUT_PROMETHEUS',
          `query returned ${data.result.length} series, expected one: ${query}`,
        );
      }
      raw = data.result[0]?.value[1];
    } else {
      throw new RolloutError('MEDIC_ERR_ROLLOUT_PROMETHEUS', `query returned a ${data.resultType}: ${query}`);
    }
    if (raw === undefined) return undefined;
    const value = Number(raw);
    return Number.isFinite(value) ? value : undefined;
  }

  private async query(query: string): Promise<Extract<z.infer<typeof QueryAnswer>, { status: 'success' }>> {
    const url = `${this.base}/api/v1/query`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query }).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new TransportError(
        timedOut ? 'MEDIC_ERR_TRANSPORT_TIMEOUT' : 'MEDIC_ERR_TRANSPORT_CONNECTION',
        `Prometheus at ${this.base} ${timedOut ? 'did not answer in time' : 'cannot be reached'}`,
        { cause: error },
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new RolloutError(
        'MEDIC_ERR_ROLLOUT_PROMETHEUS',
        `${url} answered ${response.status} with something else than JSON: ${text.slice(0, 200)}`,
      );
    }
    const parsed = QueryAnswer.safeParse(json);
    if (!parsed.success) {
      throw new RolloutError('MEDIC_ERR_ROLLOUT_PROMETHEUS', `${url} answered an unexpected shape`, {
        details: parsed.error.issues,
      });
    }
    if (parsed.data.status === 'error') {
      throw new RolloutError(
        'MEDIC_ERR_ROLLOUT_PROMETHEUS',
        `Prometheus rejected the query (${parsed.data.errorType}: ${parsed.data.error}): ${query}`,
      );
    }
    return parsed.data;
  }
}
