// One request's log row between the engine's events and the store, kept as the facts it is made
// of until it is built. Serializing the content (input messages, output, their text for search)
// is the bulk of a row's cost; doing it after `observe` returns (right after the request, or when
// the writer takes a still-running request's row for a batch) means a row whose start and end
// meet in the writer's buffer is built once, as its final version, and that the response body is
// read only after the transport has sent it (reading it inside `observe` parses the upstream's
// bytes and makes the transport serialize the parsed object again instead of writing them as is).
// Where the request's and response's texts exist the built row carries them and its content
// columns are derived by the store; only a live subscriber makes them be derived here.
import type { InferenceRequest, RequestContext, RequestSummary } from '../../core/index.js';
import { endEntry, failedAttemptEntry, governanceOf, resolveContent, splitsIntoAttempts, startEntry, type Governance } from './entry.js';
import type { LogEntry } from './types.js';
import { rowSize, textLength, withoutContent } from './writer.js';

/** What the writer buffers: a row it can build when it writes it. */
export interface RowSource {
  readonly id: string;
  /** False while the request runs (its row is `processing`); absent for rows that are final. */
  readonly ended?: boolean;
  /** The row as it stands now (the processing row until the request ended). */
  entry(): LogEntry;
  /** About how many characters of text the row carries (rowSize), without building it. */
  size?(): number;
  /** Gives up the row's content (request and response texts) for good; true if it had any. */
  shedContent?(): boolean;
}

export class PendingRow implements RowSource {
  private start: LogEntry | undefined;
  private final: LogEntry | undefined;
  private summary: RequestSummary | undefined;
  // Dropped once the final row is built: a row waiting for its batch (and its retry, should the
  // write fail) then holds only its strings, not the request's object graph, which would otherwise
  // survive young-generation collections and be promoted for nothing.
  private source: { request: InferenceRequest; ctx: RequestContext } | undefined;

  constructor(
    readonly id: string,
    private readonly timestamp: number,
    request: InferenceRequest,
    ctx: RequestContext,
    private content: boolean,
    private gov: Governance,
  ) {
    this.source = { request, ctx };
  }

  get ended(): boolean {
    return this.final !== undefined || this.summary !== undefined;
  }

  size(): number {
    if (this.final) return rowSize(this.final);
    if (this.start && this.summary === undefined) return rowSize(this.start);
    if (!this.content) return 200;
    // Not built yet: the texts it will carry (a request logged from its parsed body counts less).
    return 200 + (this.source?.request.rawBody?.length ?? 0) + (this.summary?.outputText?.length ?? 0)
      + textLength(this.summary?.outputChunks);
  }

  shedContent(): boolean {
    if (!this.content) return false;
    this.content = false;
    if (this.start) this.start = withoutContent(this.start);
    if (this.final) this.final = withoutContent(this.final);
    return true;
  }

  /** The request is over: later builds give the finished row. */
  end(summary: RequestSummary): void {
    this.summary = summary;
    // The virtual key is known only once governance's pre-hook has run, after `request.start`
    // (when the processing row was made): the finished row, and any fallback rows, take it now.
    const gov = governanceOf(summary.ctx);
    if (gov.virtual_key_id !== this.gov.virtual_key_id || gov.virtual_key_name !== this.gov.virtual_key_name) {
      const vk = { virtual_key_id: gov.virtual_key_id, virtual_key_name: gov.virtual_key_name };
      this.gov = { ...this.gov, ...vk };
      if (this.start) this.start = { ...this.start, ...vk };
    }
  }

  entry(): LogEntry {
    if (this.final) return this.final;
    if (this.summary === undefined) return this.startEntry();
    const start = this.startEntry();
    // A request that went on to fallbacks keeps the primary's failure here; the fallbacks' rows
    // are separate (see fallbackEntries).
    this.final = splitsIntoAttempts(this.summary)
      ? failedAttemptEntry(start, this.summary.failedTargets[0]!, { id: start.id, parent: start.parent_request_id })
      : endEntry(this.summary, start);
    this.summary = undefined;
    this.source = undefined;
    return this.final;
  }

  /** The finished (or processing) row with its content columns derived now, for a live subscriber. */
  liveEntry(): LogEntry {
    const entry = this.entry();
    if (entry.raw === undefined) return entry;
    const resolved = resolveContent(entry);
    // The derived row is also the one written: the store need not derive it again.
    if (this.final === entry) this.final = resolved;
    else this.start = resolved;
    return resolved;
  }

  /** The `processing` row with its content columns derived now, for a live subscriber. */
  liveStartEntry(): LogEntry {
    const entry = this.startEntry();
    if (entry.raw === undefined) return entry;
    this.start = resolveContent(entry);
    return this.start;
  }

  /** The `processing` row, as it was before the request ended. */
  startEntry(): LogEntry {
    if (!this.start) {
      const { request, ctx } = this.source!;
      this.start = startEntry(request, ctx, { now: this.timestamp, content: this.content, gov: this.gov });
    }
    return this.start;
  }
}
