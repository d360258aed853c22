import { SseParser } from './sse_parser';

test('events split across chunks are put together', () => {
  const p = new SseParser();
  expect(p.push('event: sam')).toEqual([]);
  expect(p.push('ple\ndata: {"id":1}\n')).toEqual([]);
  expect(p.push('\nevent: violation\ndata: {"id":2}\n\n')).toEqual([
    { type: 'sample', data: '{"id":1}' },
    { type: 'violation', data: '{"id":2}' },
  ]);
});

test('comments are skipped, retry is read, data lines join, CRLF works', () => {
  const p = new SseParser();
  const events = p.push('retry: 3000\r\nevent: hello\r\ndata: {}\r\n\r\n: keep-alive\n\ndata: a\ndata: b\n\n');
  expect(events).toEqual([
    { type: 'hello', data: '{}' },
    { type: 'message', data: 'a\nb' },
  ]);
  expect(p.retryMs).toBe(3000);
});

test('a CR at the end of a chunk waits for its LF', () => {
  const p = new SseParser();
  expect(p.push('data: x\r')).toEqual([]);
  expect(p.push('\n\r\n')).toEqual([{ type: 'message', data: 'x' }]);
});
