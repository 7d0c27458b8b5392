export * from './domain/types';
export * from './domain/sender';
export * from './errors';
