// The stream's messages as the UI reads them (lib/liveUpdates.tsx): each known event type
// becomes its message; anything else (an unknown type, data that is not JSON) is ignored
// rather than breaking the page.
import { describe, expect, test } from 'vitest';

import { parseLiveMessage, streamUrl } from './liveUpdates';

describe('parseLiveMessage', () => {
  test('task, notification, notifications and reset', () => {
    const event = { event_id: 'e', event_type: 'updated', user_id: 'u', task_id: 3, task_version: 2, task_data: { id: 3 } };
    expect(parseLiveMessage('task', JSON.stringify(event))).toEqual({ kind: 'task', event });
    const n = { id: 9, kind: 'reminder', task_id: 3, title: 'x', read: false };
    expect(parseLiveMessage('notification', JSON.stringify(n))).toEqual({ kind: 'notification', notification: n });
    expect(parseLiveMessage('notifications', '{"unread_count":4}')).toEqual({ kind: 'notifications', unreadCount: 4 });
    expect(parseLiveMessage('reset', '{}')).toEqual({ kind: 'reset' });
  });

  test('unknown types and bad data are ignored', () => {
    expect(parseLiveMessage('something-new', '{}')).toBeNull();
    expect(parseLiveMessage('task', 'not json')).toBeNull();
    expect(parseLiveMessage('notifications', '{"unread":4}')).toBeNull();
  });

  test("the stream URL is the user's, escaped", () => {
    expect(streamUrl('u_a/b')).toBe('/api/u_a%2Fb/stream');
  });
});
