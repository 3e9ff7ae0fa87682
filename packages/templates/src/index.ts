export {};
export * from './bundle/index.js';
export * from './render/index.js';
