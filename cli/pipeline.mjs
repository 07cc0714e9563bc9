#!/usr/bin/env node
// The `pipeline` command. Sources stay TypeScript; tsx compiles them on the fly so there is no build step.
import { register } from 'tsx/esm/api';

// The SDK warns on every command that Node 20 support ends in 2027; `engines` already documents it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('./main.ts');
