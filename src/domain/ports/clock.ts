/** Time, as the domain sees it: the system clock in Lambda, a virtual one in replay and tests. */
interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` of this clock's time. */
  sleep(ms: number): Promise<void>;
}

export type { Clock };
