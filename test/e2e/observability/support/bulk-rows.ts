// Fast bulk generation of synthetic log rows inside the database (generate_series on PostgreSQL,
// a recursive CTE on SQLite) for the 1M-row filter timings. Row i: provider i%4, model (i/4)%5,
// status error when i%20==0, latency 20+(i*13)%5000, tokens 10+(i*31)%2000, timestamps spread
// over `days` days before `endMs`, content words from i.
import { sql, type Kysely } from 'kysely';
import type { DatabaseKind } from '../../../../src/storage/database.js';

export const BULK_PROVIDERS = ['openai', 'anthropic', 'mistral', 'groq'];
export const BULK_MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'mistral-large', 'llama-3-70b'];
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];

function pick(list: string[], expr: string): string {
  return `case ${expr} ${list.map((v, k) => `when ${k} then '${v}'`).join(' ')} end`;
}

export async function bulkInsert(db: Kysely<object>, kind: DatabaseKind, opts: { from: number; to: number; endMs: number; days: number }): Promise<void> {
  const span = opts.days * 86_400_000;
  const cols = `
    'req-' || i, null, ${opts.endMs} - ((i * 7919) % 1000003) * ${span} / 1000003, 'chat.completion',
    ${pick(BULK_PROVIDERS, 'i % 4')}, ${pick(BULK_MODELS, `(i / 4) % 5`)},
    case when i % 20 = 0 then 'error' else 'success' end,
    20 + (i * 13) % 5000, 5 + (i * 31) % 2000, 5, 10 + (i * 31) % 2000, (10 + (i * 31) % 2000) * 0.000002,
    ${kind === 'postgres' ? 'i % 3 = 0' : 'case when i % 3 = 0 then 1 else 0 end'}, null, null, 'k1', 0, null, null, null,
    ${pick(WORDS, 'i % 8')} || ' ' || ${pick(WORDS, `(i / 8) % 8`)} || ' message ' || (i % 1000)`;
  const columns = `(id, parent_request_id, timestamp, object, provider, model, status, latency, prompt_tokens, completion_tokens,
    total_tokens, cost, stream, virtual_key_id, virtual_key_name, selected_key_name, fallback_index, input_history, output_message,
    error_details, content_summary)`;
  if (kind === 'postgres') {
    await sql.raw(`insert into logs ${columns} select ${cols} from generate_series(${opts.from}::bigint, ${opts.to - 1}::bigint) as g(i)`).execute(db);
  } else {
    await sql.raw(`with recursive seq(i) as (select ${opts.from} union all select i + 1 from seq where i < ${opts.to - 1})
      insert into logs ${columns} select ${cols} from seq`).execute(db);
  }
}
