// Runs tasks for the same key one after another (tasks for different keys run concurrently).
// An uncontended key costs one map entry while its task runs: the task starts at once, and only
// tasks that find their key busy wait in its queue.

export class KeyedMutex {
  /** Keys with a task running, and the tasks waiting behind it. */
  private readonly queues = new Map<string, Array<() => void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const queue = this.queues.get(key);
    if (queue !== undefined) return new Promise<T>((resolve, reject) => queue.push(() => this.start(key, queue, task).then(resolve, reject)));
    const fresh: Array<() => void> = [];
    this.queues.set(key, fresh);
    return this.start(key, fresh, task);
  }

  private start<T>(key: string, queue: Array<() => void>, task: () => Promise<T>): Promise<T> {
    let result: Promise<T>;
    try {
      result = task();
    } catch (err) {
      result = Promise.reject(err);
    }
    const next = (): void => {
      const waiting = queue.shift();
      if (waiting === undefined) this.queues.delete(key);
      else waiting();
    };
    result.then(next, next);
    return result;
  }
}
