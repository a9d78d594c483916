import { describe, expect, it } from '@jest/globals';
import { QueryFailedError } from 'typeorm';
import { toErrorResponse } from './error-response.js';

/** What node-postgres and TypeORM throw while PostgreSQL is stopped, restarting or recovering (test/faults sees them). */
const pgError = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});
const queryFailed = (message: string, code: string) => new QueryFailedError('SELECT 1', [], pgError(message, code));

describe('toErrorResponse: an unreachable database is 503 SERVICE_UNAVAILABLE, never 500', () => {
  it.each([
    ['connection refused (server down)', pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['connection reset', pgError('read ECONNRESET', 'ECONNRESET')],
    ['connection ended mid-query', pgError('Connection terminated unexpectedly')],
    ['pool connect timeout', pgError('timeout exceeded when trying to connect')],
    ['immediate or fast shutdown (57P01 admin_shutdown)', queryFailed('terminating connection due to administrator command', '57P01')],
    ['crash of another backend (57P02 crash_shutdown)', queryFailed('terminating connection because of crash of another server process', '57P02')],
    ['starting up or recovering (57P03 cannot_connect_now)', pgError('the database system is starting up', '57P03')],
    ['connection failure class 08', queryFailed('could not receive data from server', '08006')],
  ])('%s', (_, error) => {
    expect(toErrorResponse(error)).toEqual({
      status: 503,
      body: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String) },
      unexpected: false,
    });
  });

  it('other database errors stay 500 INTERNAL (logged as unexpected)', () => {
    expect(toErrorResponse(queryFailed('division by zero', '22012'))).toMatchObject({ status: 500, body: { code: 'INTERNAL' }, unexpected: true });
  });
});
