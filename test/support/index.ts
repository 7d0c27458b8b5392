export * from './env';
export * from './infra';
export * from './consume';
export * from './stack';
export * from './deps';
export * from './senders';
export * from './raw-http';
export * from './process';
