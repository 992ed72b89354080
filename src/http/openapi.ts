import { readFileSync } from 'node:fs';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

// src/http and dist/http both sit two levels below the package root.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * OpenAPI 3 generated from the routes' zod schemas, at /api/openapi.json, and Swagger UI
 * at /api/docs. Registered on the root instance before any route module: @fastify/swagger
 * collects routes through an onRoute hook, so routes added earlier (or in a sibling
 * scope) would be missing from the document.
 */
export function registerOpenApi(app: FastifyInstance): void {
  app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Onethread API',
        description: 'The REST API of Onethread, the self-hosted unified customer inbox.',
        version,
      },
    },
    transform: jsonSchemaTransform,
    // Schemas given an id with `.meta({ id })` become shared components referenced by $ref.
    transformObject: jsonSchemaTransformObject,
  });
  // The UI loads the same document from /api/docs/json and makes no outside requests.
  app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  app.register(async (scope) => {
    scope.get('/api/openapi.json', { schema: { hide: true } }, () => scope.swagger());
  });
}
