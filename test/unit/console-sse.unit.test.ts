import { type IncomingMessage, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningConsole, startConsole } from '../../cli/console/server.ts';
import { sseFrame } from '../../cli/console/sse.ts';
import { FakeConsolePorts } from '../fakes/console-ports.ts';

/** Parses SSE text into messages the way EventSource does (event name, data lines joined by \n). */
function parseFrames(text: string): { event: string; data: string }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '' && !block.startsWith(':'))
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event, data };
    });
}

describe('SSE framing', () => {
  it('writes one named event with its value as JSON data and a blank line after it', () => {
    expect(sseFrame('depths', [{ visible: 1 }])).toBe('event: depths\ndata: [{"visible":1}]\n\n');
  });

  it('keeps a value that contains line breaks and SSE field names inside one data field', () => {
    const hostile = { type: 'x\n\nevent: depths\ndata: {"forged":true}\r\n' };
    const frames = parseFrames(sseFrame('event', hostile));
    expect(frames).toHaveLength(1);
    expect(frames[0]?.event).toBe('event');
    expect(JSON.parse(frames[0]?.data ?? '')).toEqual(hostile);
  });

  it('refuses an event name that could break the framing', () => {
    expect(() => sseFrame('depths\nevent: x', 1)).toThrow(/not a-z/);
  });
});

describe('the live stream', () => {
  let running: RunningConsole | undefined;
  let ports: FakeConsolePorts;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  /** Opens /api/stream and collects its frames; the response stays open until the test closes it. */
  function subscribe(port: number) {
    let text = '';
    let response: IncomingMessage | undefined;
    const opened = new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/stream' }, (res) => {
        response = res;
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        resolve();
      });
      req.on('error', reject);
      req.end();
    });
    return {
      opened,
      frames: () => parseFrames(text),
      close: () => response?.destroy(),
      headers: () => response?.headers,
    };
  }

  const until = async (check: () => boolean, ms = 3000) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('sends depths as they change and every event the bus tap receives', async () => {
    ports = new FakeConsolePorts();
    running = await startConsole({
      ports,
      port: 0,
      timing: { depthMs: 20, eventWaitSeconds: 0.05, retryMs: 20 },
    });
    const stream = subscribe(running.port);
    await stream.opened;
    expect(stream.headers()?.['content-type']).toContain('text/event-stream');
    await until(() => stream.frames().some((f) => f.event === 'depths'));

    ports.queues = ports.queues.map((q) => (q.isDlq ? { ...q, visible: 3 } : q));
    await until(() =>
      stream
        .frames()
        .filter((f) => f.event === 'depths')
        .some((f) =>
          (JSON.parse(f.data) as { isDlq: boolean; visible: number }[]).some(
            (q) => q.isDlq && q.visible === 3,
          ),
        ),
    );
    ports.emit({ time: 't', type: 'OrderPlaced', source: 'orders.api', id: 'e-1', detail: { id: 'e-1' } });
    await until(() => stream.frames().some((f) => f.event === 'event'));
    expect(JSON.parse(stream.frames().find((f) => f.event === 'event')?.data ?? '')).toMatchObject({
      id: 'e-1',
      type: 'OrderPlaced',
    });
    // The page learns when the tap is open, before which an event sent would not reach it.
    expect(stream.frames().findIndex((f) => f.event === 'tap')).toBeLessThan(
      stream.frames().findIndex((f) => f.event === 'event'),
    );
    stream.close();
  });

  it('stops reading the target while nobody watches, resumes for the next subscriber, and removes the tap on close', async () => {
    ports = new FakeConsolePorts();
    running = await startConsole({
      ports,
      port: 0,
      timing: { depthMs: 20, eventWaitSeconds: 0.05, retryMs: 20 },
    });
    const first = subscribe(running.port);
    await first.opened;
    await until(() => ports.depthReads >= 2);
    first.close();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const idle = ports.depthReads;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ports.depthReads).toBe(idle);

    const second = subscribe(running.port);
    await second.opened;
    await until(() => ports.depthReads > idle);
    expect(ports.feedsOpened).toBe(1);
    second.close();
    await running.close();
    running = undefined;
    expect(ports.feedsClosed).toBe(1);
  });
});
