export {};
export * from './bundle/index.js';
