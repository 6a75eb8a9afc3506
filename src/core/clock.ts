/** Time is passed in, never read from the wall inside the domain, so tests step it forward. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
