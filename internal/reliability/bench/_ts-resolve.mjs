// Lets plain Node (>= 22.18 / 24, which strips TypeScript types natively) load
// the testkit's TypeScript source: a relative `./x.js` import that does not
// exist is retried as `./x.ts`. Registered by the bench scripts with
// `module.register()`; nothing else changes.
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && /^\.{1,2}\/.*\.js$/.test(specifier)) {
      return next(specifier.replace(/\.js$/, '.ts'), context);
    }
    throw error;
  }
}
