/**
 * Server-sent events: the framing, and the live feed that polls the target only while someone watches.
 */
import type { ServerResponse } from 'node:http';
import type { QueueStatus } from '../ops/status.ts';
import type { TailedEvent } from '../ops/tail.ts';
import type { ConsolePorts, EventFeed } from './ports.ts';

/**
 * One SSE message. The data is JSON, split on line breaks (each line its own `data:` field) so a value
 * can never end the message early or forge a field of its own.
 */
export function sseFrame(event: string, data: unknown): string {
  if (!/^[a-z-]+$/.test(event)) throw new Error(`SSE event name ${JSON.stringify(event)} is not a-z or -`);
  const lines = JSON.stringify(data).split(/\r\n|\r|\n/);
  return `event: ${event}\n${lines.map((line) => `data: ${line}`).join('\n')}\n\n`;
}

/** How often the feed reads depths and how long a poll of the tap waits. */
export interface FeedTiming {
  readonly depthMs: number;
  readonly eventWaitSeconds: number;
  /** Pause after a failed read before trying again. */
  readonly retryMs: number;
}

export const DEFAULT_TIMING: FeedTiming = { depthMs: 2_000, eventWaitSeconds: 1, retryMs: 3_000 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

/**
 * Fans depths and bus events out to every open SSE response. The loops run only while at least one
 * client is subscribed: a hidden tab closes its stream, and the target is not polled for nobody. The
 * tap (a rule and a queue on the bus) is opened on first use and kept until `close`, so events that
 * arrive while nobody watches wait in its queue.
 */
export class LiveFeed {
  private readonly clients = new Set<ServerResponse>();
  private loops: Promise<void> | undefined;
  private feed: EventFeed | undefined;
  private lastDepths: QueueStatus[] | undefined;
  private closed = false;

  constructor(
    private readonly ports: Pick<ConsolePorts, 'depths' | 'openEvents'>,
    private readonly timing: FeedTiming = DEFAULT_TIMING,
    /** The drawn edges each event travels (`edgeFlow` of the topology the page draws). @default none */
    private readonly edgesOf: (event: TailedEvent) => string[] = () => [],
  ) {}

  get subscribers(): number {
    return this.clients.size;
  }

  subscribe(response: ServerResponse): void {
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
    if (this.lastDepths) response.write(sseFrame('depths', this.lastDepths));
    if (this.feed) response.write(sseFrame('tap', { open: true }));
    if (!this.loops) this.start();
  }

  /** Ends every stream, waits for the loops to stop, and removes the tap. */
  async close(): Promise<void> {
    this.closed = true;
    for (const client of this.clients) client.end();
    this.clients.clear();
    await this.loops;
    await this.feed?.close();
    this.feed = undefined;
  }

  private broadcast(event: string, data: unknown): void {
    const frame = sseFrame(event, data);
    for (const client of this.clients) client.write(frame);
  }

  private watching(): boolean {
    return !this.closed && this.clients.size > 0;
  }

  private start(): void {
    this.loops = Promise.all([this.depthLoop(), this.eventLoop()]).then(() => {
      this.loops = undefined;
      // A client that subscribed as the loops were ending must not be left without them.
      if (this.watching()) this.start();
    });
  }

  private async depthLoop(): Promise<void> {
    while (this.watching()) {
      try {
        this.lastDepths = await this.ports.depths();
        this.broadcast('depths', this.lastDepths);
        await sleep(this.timing.depthMs);
      } catch (error) {
        this.broadcast('problem', { what: 'depths', message: messageOf(error) });
        await sleep(this.timing.retryMs);
      }
    }
  }

  private async eventLoop(): Promise<void> {
    while (this.watching()) {
      try {
        if (!this.feed) {
          this.feed = await this.ports.openEvents();
          // From here on events put on the bus reach the page: a test (or a person) can now send one.
          this.broadcast('tap', { open: true });
        }
        const events: TailedEvent[] = await this.feed.next(this.timing.eventWaitSeconds);
        for (const event of events) this.broadcast('event', { ...event, edges: this.edgesOf(event) });
      } catch (error) {
        this.broadcast('problem', { what: 'events', message: messageOf(error) });
        await sleep(this.timing.retryMs);
      }
    }
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
