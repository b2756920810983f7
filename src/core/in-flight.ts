/** Work that is running, so shutdown can wait for it within a bound. */
export class InFlight {
  private readonly tasks = new Set<Promise<unknown>>();

  /** Tracks `task` until it settles and returns it. */
  track<T>(task: Promise<T>): Promise<T> {
    this.tasks.add(task);
    void task.then(
      () => this.tasks.delete(task),
      () => this.tasks.delete(task),
    );
    return task;
  }

  /** Resolves when everything tracked now has settled, or after `ms` when given, whichever comes first. */
  async settled(ms?: number): Promise<void> {
    const all = Promise.allSettled([...this.tasks]);
    if (ms === undefined) return void (await all);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms).unref()));
    await Promise.race([all, grace]);
    clearTimeout(timer);
  }
}
