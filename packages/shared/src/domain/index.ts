/**
 * `@herald/shared/domain`: what pure code may import. Nothing here loads Kafka, Postgres, Redis or
 * Fastify clients.
 */
export * from './types';
export * from './sender';
export * from './validation';
export * from './failure';
export * from './delivery-key';
export * from './delay';
export * from './retry';
export * from './policy';
export * from './templates';
export * from './breaker';
export * from './unsubscribe-token';
export * from './kafka-lag';
export * from './redaction';
export * from '../errors';
export { z } from 'zod';
