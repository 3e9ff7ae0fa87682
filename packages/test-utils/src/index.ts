export {
  testDialects,
  adminUrl,
  postgresUnavailable,
  createTestDatabase,
  requireOrSkip,
} from './test-databases.js';
export type { Dialect } from './test-databases.js';
export { startTestServer, startTestWorker, TEST_ROOT_KEY } from './start-test-server.js';
export type { TestServer } from './start-test-server.js';
export { waitFor } from './wait-for.js';
