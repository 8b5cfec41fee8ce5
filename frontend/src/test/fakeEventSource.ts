// A stand-in for the browser's EventSource (vi.stubGlobal('EventSource', FakeEventSource)):
// the streams opened, and a way to deliver events to them inside act().
import { act } from '@testing-library/react';

export class FakeEventSource {
  static opened: FakeEventSource[] = [];
  closed = false;
  private handlers = new Map<string, ((e: MessageEvent<string>) => void)[]>();
  constructor(
    public url: string,
    public init: EventSourceInit = {},
  ) {
    FakeEventSource.opened.push(this);
  }
  addEventListener(type: string, h: (e: MessageEvent<string>) => void) {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), h]);
  }
  close() {
    this.closed = true;
  }
  emit(type: string, data = '') {
    act(() => {
      for (const h of this.handlers.get(type) ?? []) h(new MessageEvent(type, { data }));
    });
  }
}
