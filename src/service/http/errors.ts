/**
 * Every failure of a request as one JSON shape `{code, message, hint, retryable, details?}` with
 * the registry's status: zod issues for a malformed payload, 413 for a large body, 415 for a
 * non-JSON body, 429 past the rate limit. The raw body is kept for HMAC checks.
 */
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isMedicError, type MedicError, ServiceError } from '../../core/errors.js';
import type { App, AppDeps } from './app.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received (HMAC signatures are over these bytes). */
    rawBody?: Buffer;
  }
}

export function registerErrorHandling(app: App, deps: Pick<AppDeps, 'log'>): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  // JSON only: every route takes JSON, anything else is a 415 rather than a confusing schema error.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    parseJson(request, raw.toString('utf8'), (error, value) => {
      if (error) {
        done(
          new ServiceError('MEDIC_ERR_SERVICE_INVALID_JSON', `the body is not valid JSON: ${error.message}`),
          undefined,
        );
        return;
      }
      done(null, value);
    });
  });

  app.setErrorHandler((error, request, reply) => {
    const failure = toServiceError(error);
    if (failure.status >= 500) deps.log.error({ err: error, url: request.url }, 'request failed');
    if (failure.code === 'MEDIC_ERR_SERVICE_RATE_LIMITED' && !reply.hasHeader('retry-after'))
      reply.header('retry-after', '1');
    return reply.status(failure.status).send(failure.toJSON());
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ code: 'MEDIC_ERR_SERVICE_NOT_FOUND', message: `no route ${request.method} ${request.url}` }),
  );
}

function toServiceError(error: unknown): MedicError {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((v) => ({
      path: v.instancePath || '/',
      message: v.message ?? 'invalid',
    }));
    const list = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    return new ServiceError(
      'MEDIC_ERR_SERVICE_INVALID_PAYLOAD',
      `the ${error.validationContext ?? 'body'} does not match the schema: ${list}`,
      {
        details: issues,
      },
    );
  }
  if (isMedicError(error)) return error;
  const code = (error as { code?: string }).code;
  const statusCode = (error as { statusCode?: number }).statusCode;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new ServiceError('MEDIC_ERR_SERVICE_BODY_TOO_LARGE', message);
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new ServiceError('MEDIC_ERR_SERVICE_UNSUPPORTED_MEDIA', message);
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
    return new ServiceError('MEDIC_ERR_SERVICE_INVALID_JSON', message);
  }
  if (statusCode === 429) return new ServiceError('MEDIC_ERR_SERVICE_RATE_LIMITED', message);
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return new ServiceError('MEDIC_ERR_SERVICE_INVALID_PAYLOAD', message);
  }
  return new ServiceError('MEDIC_ERR_SERVICE_INTERNAL', message, { cause: error });
}
