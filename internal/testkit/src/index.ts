export * from './fixtures.js';
export * from './chromium.js';
export * from './http-static.js';
export * from './s3.js';
export * from './smtp.js';
export * from './sites.js';
export * from './racket.js';
export * from './faults-http.js';
