/** Follows `nextToken` until the last page; the console shows whole lists (with a safety cap). */
export async function listAll<O extends { nextToken?: string }, T>(
  page: (nextToken: string | undefined) => Promise<O>,
  items: (output: O) => T[] | undefined,
  maxPages = 50,
): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const output = await page(token);
    all.push(...(items(output) ?? []));
    token = output.nextToken;
    if (!token) break;
  }
  return all;
}
