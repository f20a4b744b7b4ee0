// Node module hooks for development (registered by server.ts): a module in
// rollouts/ imported as a fresh copy (…/rollouts/x.ts?v=N, see registry.ts)
// imports its neighbours in rollouts/ afresh too, by passing the same ?v=N on.
// Everything outside rollouts/ (the engine, node_modules) stays one shared copy.
let dir = "";

export function initialize(data) {
  dir = data.rolloutsUrl.endsWith("/") ? data.rolloutsUrl : `${data.rolloutsUrl}/`;
}

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const parent = context.parentURL;
  if (!dir || !parent || !parent.startsWith(dir) || !result.url.startsWith(dir) || result.url.includes("?")) return result;
  const query = new URL(parent).search;
  return query ? { ...result, url: result.url + query } : result;
}
