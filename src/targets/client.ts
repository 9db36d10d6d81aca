import pg from 'pg';

/**
 * Runs fn with one connected client and always closes it. The client gets an 'error'
 * listener: a server that goes away (shutdown, SIGINT teardown) then fails the pending
 * query instead of crashing the process with an unhandled 'error' event.
 */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'pgspec' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
