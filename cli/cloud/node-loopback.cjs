/**
 * Preloaded (NODE_OPTIONS=--require) into the Node processes LocalStack starts on the host: a server
 * that asks to listen on every interface (no host, 0.0.0.0 or ::) listens on 127.0.0.1 instead.
 * LocalStack's kinesis-mock (npm kinesis-local 0.5.2, behind DynamoDB streams) has no host setting
 * and was measured listening on 0.0.0.0 with its plain and TLS ports.
 */
'use strict';
const net = require('node:net');

const loopback = process.env.PIPELINE_BIND_HOST || '127.0.0.1';
const wildcard = (host) => host === undefined || host === null || ['', '0.0.0.0', '::', '::0'].includes(host);
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first, second] = args;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof second === 'string') {
      if (wildcard(second)) args[1] = loopback;
    } else {
      args.splice(1, 0, loopback);
    }
  } else if (
    first &&
    typeof first === 'object' &&
    first.port !== undefined &&
    !first.path &&
    wildcard(first.host)
  ) {
    args[0] = { ...first, host: loopback };
  }
  return listen.apply(this, args);
};
