// One request's log row between the engine's events and the store, kept as the facts it is made
// of rather than as built columns. Serializing the content (input messages, output, their text
// for search) is the bulk of a row's cost; doing it when the writer takes the row for a batch
// rather than inside `observe` means a row whose start and end meet in the writer's buffer is
// built once, as its final version, and that the response body is read only after the transport
// has sent it (reading it inside `observe` parses the upstream's bytes and makes the transport
// serialize the parsed object again instead of writing those bytes as they are).
import type { InferenceRequest, RequestContext, RequestSummary } from '../../core/index.js';
import { endEntry, startEntry, type Governance } from './entry.js';
import type { LogEntry } from './types.js';

/** What the writer buffers: a row it can build when it writes it. */
export interface RowSource {
  readonly id: string;
  /** The row as it stands now (the processing row until the request ended). */
  entry(): LogEntry;
}

export class PendingRow implements RowSource {
  private start: LogEntry | undefined;
  private final: LogEntry | undefined;
  private summary: RequestSummary | undefined;

  constructor(
    readonly id: string,
    private readonly timestamp: number,
    private readonly request: InferenceRequest,
    private readonly ctx: RequestContext,
    private readonly content: boolean,
    private readonly gov: Governance,
  ) {}

  /** The request is over: later builds give the finished row. */
  end(summary: RequestSummary): void {
    this.summary = summary;
  }

  entry(): LogEntry {
    if (this.summary === undefined) return this.startEntry();
    return (this.final ??= endEntry(this.summary, this.startEntry()));
  }

  /** The `processing` row, as it was before the request ended. */
  startEntry(): LogEntry {
    return (this.start ??= startEntry(this.request, this.ctx, { now: this.timestamp, content: this.content, gov: this.gov }));
  }
}
