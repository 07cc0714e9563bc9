/**
 * Node-only stand-in for `bowser`, the browser user-agent parser, in Lambda bundles.
 *
 * esbuild resolves `@aws-sdk/core/client` through its `module` condition (the ESM build), whose index
 * re-exports the browser user-agent helpers next to the Node ones. One of them,
 * `createUserAgentStringParsingProvider`, does `await import("bowser")`, and a bundler keeps every
 * dynamic import target: ~34 KB of browser detection in every function bundle. That provider only
 * parses `window.navigator.userAgent` and skips the parse when `window` is undefined, which it always
 * is in Node; the Node clients build their user agent with `util-user-agent-node` and never call it.
 * Function bundles alias `bowser` to this module (`LAMBDA_BUNDLE_ALIASES`): if the provider were ever
 * called, it would get what it gets in Node anyway, no parsed browser.
 */
export function parse(_userAgent: string): undefined {
  return undefined;
}

export default { parse };
