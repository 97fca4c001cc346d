export * from './session.js';
export * from './keys.js';
export * from './list.js';
export * from './fuzzy.js';
export * from './dispatch.js';
