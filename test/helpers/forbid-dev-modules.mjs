// Loaded with `node --import` before the production server: any import or
// require of a development-only package (tsx, TypeScript, esbuild, vitest,
// drizzle-kit) kills the process with a message naming it.
import Module, { register } from "node:module";

const FORBIDDEN = /^(tsx|typescript|esbuild|vitest|drizzle-kit|@esbuild\/[^/]+)(\/|$)/;
const refuse = (what) => {
  process.stderr.write(`FORBIDDEN development-only module loaded in production: ${what}\n`);
  process.exit(99);
};

const load = Module._load;
Module._load = function (request, ...rest) {
  if (FORBIDDEN.test(request)) refuse(request);
  return load.call(this, request, ...rest);
};

const hook = `
const FORBIDDEN = ${FORBIDDEN};
export async function resolve(specifier, context, next) {
  if (FORBIDDEN.test(specifier)) throw new Error("FORBIDDEN development-only module loaded in production: " + specifier);
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
