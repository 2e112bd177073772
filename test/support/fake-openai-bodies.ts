// Response bodies of the fake OpenAI upstream, built from the request body as OpenAI's public API
// documents them: chat and text completions (with a tool call when tools are offered), embeddings
// (float or base64), Responses objects, and the usage blocks of each.
export function lastUserText(b: Record<string, unknown>): string {
  const msgs = Array.isArray(b.messages) ? b.messages as Array<Record<string, unknown>> : [];
  const input = b.input ?? b.prompt;
  const last = msgs.length ? msgs[msgs.length - 1]?.content : input;
  if (typeof last === 'string') return last;
  return JSON.stringify(last ?? '');
}

export function usageFor(b: Record<string, unknown>, completion: number): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  const prompt = Math.max(1, lastUserText(b).split(/\s+/).filter(Boolean).length);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Content that proves what was received: echoed text, or JSON when a response_format was asked. */
export function answerText(b: Record<string, unknown>): string {
  const fmt = b.response_format as { type?: string } | undefined;
  const echo = `echo: ${lastUserText(b)}`;
  if (fmt && fmt.type !== 'text') return JSON.stringify({ echo, response_format: fmt });
  return echo;
}

export function toolCall(b: Record<string, unknown>): { id: string; type: 'function'; function: { name: string; arguments: string } } | undefined {
  const tools = Array.isArray(b.tools) ? b.tools as Array<{ function?: { name?: string }; name?: string }> : [];
  const first = tools[0];
  if (!first || b.tool_choice === 'none') return undefined;
  const name = first.function?.name ?? first.name ?? 'tool';
  return { id: 'call_fake_1', type: 'function', function: { name, arguments: JSON.stringify({ tool_count: tools.length }) } };
}

export function chatCompletion(b: Record<string, unknown>, id: string): Record<string, unknown> {
  const call = toolCall(b);
  const message = call ? { role: 'assistant', content: null, tool_calls: [call] } : { role: 'assistant', content: answerText(b) };
  return {
    id: `chatcmpl-fake${id}`, object: 'chat.completion', created: 1700000000, model: b.model, system_fingerprint: 'fp_fake',
    choices: [{ index: 0, message, logprobs: null, finish_reason: call ? 'tool_calls' : 'stop' }],
    usage: usageFor(b, 5),
  };
}

export function textCompletion(b: Record<string, unknown>, id: string): Record<string, unknown> {
  return {
    id: `cmpl-fake${id}`, object: 'text_completion', created: 1700000000, model: b.model,
    choices: [{ text: answerText(b), index: 0, logprobs: null, finish_reason: 'stop' }], usage: usageFor(b, 5),
  };
}

export function embeddings(b: Record<string, unknown>, dims: number): Record<string, unknown> {
  const inputs = Array.isArray(b.input) ? b.input : [b.input];
  const size = typeof b.dimensions === 'number' ? b.dimensions : dims;
  const data = inputs.map((input, index) => {
    const seed = JSON.stringify(input).length;
    const vec = Array.from({ length: size }, (_, i) => ((seed * (i + 1)) % 97) / 97);
    const embedding = b.encoding_format === 'base64' ? Buffer.from(new Float32Array(vec).buffer).toString('base64') : vec;
    return { object: 'embedding', index, embedding };
  });
  const prompt = usageFor(b, 0).prompt_tokens;
  return { object: 'list', data, model: b.model, usage: { prompt_tokens: prompt, total_tokens: prompt } };
}

export function responseObject(b: Record<string, unknown>, id: string, status: string): Record<string, unknown> {
  const call = toolCall(b);
  const text = answerText(b);
  const output = status !== 'completed' ? [] : call
    ? [{ type: 'function_call', id: `fc_fake${id}`, call_id: call.id, name: call.function.name, arguments: call.function.arguments, status: 'completed' }]
    : [{ type: 'message', id: `msg_fake${id}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] }];
  return {
    id: `resp_fake${id}`, object: 'response', created_at: 1700000000, status, model: b.model, output,
    text: { format: b.text && typeof b.text === 'object' ? (b.text as Record<string, unknown>).format ?? { type: 'text' } : { type: 'text' } },
    tools: b.tools ?? [], parallel_tool_calls: true, error: null, incomplete_details: null,
    usage: status !== 'completed' ? null : responsesUsage(b, 5),
  };
}

export function responsesUsage(b: Record<string, unknown>, completion: number): Record<string, unknown> {
  const u = usageFor(b, completion);
  return { input_tokens: u.prompt_tokens, input_tokens_details: { cached_tokens: 0 }, output_tokens: u.completion_tokens,
    output_tokens_details: { reasoning_tokens: 0 }, total_tokens: u.total_tokens };
}
