const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Job payloads come from outside the process (the queue): processors check them before use. */
export const isUuid = (x: unknown): x is string => typeof x === 'string' && UUID.test(x);
