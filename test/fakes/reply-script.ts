/** What a scripted model server answers next: queued replies in order, then responders (newest first), then a default. */
export class ReplyScript<Body, Reply> {
  private queue: Reply[] = [];
  private responders: Array<(body: Body) => Reply | undefined> = [];

  /** Queues replies for the next calls, in order. */
  push(...replies: Reply[]): void {
    this.queue.push(...replies);
  }

  /** Adds a responder consulted (newest first) when the queue is empty; it returns undefined to fall through. */
  respond(responder: (body: Body) => Reply | undefined): void {
    this.responders.unshift(responder);
  }

  /** Forgets the queue and the responders. */
  clear(): void {
    this.queue = [];
    this.responders = [];
  }

  /** The reply to this request. */
  next(body: Body, fallback: (body: Body) => Reply): Reply {
    return this.queue.shift() ?? this.responders.map((responder) => responder(body)).find((found) => found !== undefined) ?? fallback(body);
  }
}
