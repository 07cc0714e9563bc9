/**
 * The recording proxy as a process of its own. The process that starts the local cloud may block
 * for the whole run (test/run-all.ts waits for each tier with spawnSync): a proxy inside it would
 * stop forwarding and every Lambda call would hang, as a trial run showed. Prints its URL on the
 * first line of stdout, then forwards until SIGTERM or until the process that started it is gone.
 *
 *   node --import tsx test/support/iam/recording-proxy.ts <calls.jsonl> <upstream endpoint> <parent pid>
 */
import { startRecordingProxy } from './recording.ts';

const [path, upstream, parentPid] = process.argv.slice(2);
if (!path || !upstream || !parentPid) {
  process.stderr.write('usage: recording-proxy.ts <calls.jsonl> <upstream endpoint> <parent pid>\n');
  process.exit(2);
}
const proxy = await startRecordingProxy(path);
proxy.setUpstream(upstream);
process.stdout.write(`${proxy.url}\n`);

const stop = () => {
  void proxy.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// A test run killed without its teardown must not leave the proxy listening.
setInterval(() => {
  try {
    process.kill(Number(parentPid), 0);
  } catch {
    stop();
  }
}, 1000).unref();
