import { describeError } from '../src/http';

/** Errors pg gives while PostgreSQL restarts: a 503 the caller may retry, never a 500. */
describe('describeError: PostgreSQL going away is a 503', () => {
  it.each([
    ['admin shutdown (57P01)', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['starting up (57P03)', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['connection exception (08006)', Object.assign(new Error('connection failure'), { code: '08006' })],
    ['refused while it is down', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['connection cut mid-query', new Error('Connection terminated unexpectedly')],
    ['checked-out client already dead', new Error('Client has encountered a connection error and is not queryable')],
  ])('%s', (_name, err) => {
    expect(describeError(err)).toEqual({ status: 503, message: 'Service temporarily unavailable, try again' });
  });

  it('any other failure stays a 500', () => {
    expect(describeError(Object.assign(new Error('duplicate key'), { code: '23505' })).status).toBe(500);
    expect(describeError(new Error('boom')).status).toBe(500);
  });
});
