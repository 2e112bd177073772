// Watches a stream on its way to the caller: records a usage chunk when one passes, counts produced
// content so a stream cut short can still be billed, and settles exactly once when the stream
// ends — normally, on an upstream error, or because the caller went away (the transport stops
// iterating).
import type { JsonObject, StreamEvent, Usage } from '../../core/index.js';
import { chunkContentChars, chunkUsage } from './estimate.js';

export interface MeterState {
  usage: Usage | undefined;
  producedChars: number;
}

export async function* meterStream(events: AsyncIterable<StreamEvent>, state: MeterState,
  onEnd: () => void): AsyncGenerator<StreamEvent> {
  try {
    for await (const event of events) {
      const chunk: JsonObject = event.chunk;
      const usage = chunkUsage(chunk);
      if (usage) state.usage = usage;
      state.producedChars += chunkContentChars(chunk);
      yield event;
    }
  } finally {
    onEnd();
  }
}
