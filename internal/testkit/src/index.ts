export * from './chromium.js';
export * from './http-static.js';
