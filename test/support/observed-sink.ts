import { InFlight } from '../../src/core/in-flight.js';
import type { Chat, ChatEvent, EventSink } from '../../src/core/ports.js';

/** Hands events to a real sink and records each one once it has been handled, so tests wait for work instead of assuming its order. */
export class ObservedSink implements EventSink {
  /** Events whose handling has finished, in the order they finished. */
  readonly handled: ChatEvent[] = [];
  private readonly inFlight = new InFlight();

  constructor(private readonly inner: EventSink) {}

  handle(event: ChatEvent, chat: Chat): ReturnType<EventSink['handle']> {
    return this.inFlight.track(
      (async () => {
        try {
          return await this.inner.handle(event, chat);
        } finally {
          this.handled.push(event);
        }
      })(),
    );
  }

  /** Resolves once every event handed over so far has been handled. */
  settled(): Promise<void> {
    return this.inFlight.settled();
  }

  /** How many handled events match. */
  count(matches: (event: ChatEvent) => boolean): number {
    return this.handled.filter(matches).length;
  }
}
