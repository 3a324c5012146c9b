export * from './client';
export * from './mapping';
export * from './port';
export * from './webhook';
