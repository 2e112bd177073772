// The request every target receives, byte for byte the same: an OpenAI chat completion of about
// 600 bytes (a system prompt and a user question, `max_tokens` set), addressed as
// `openai/gpt-4o-mini` so the gateway routes it to its `openai` provider; the pass-through and the
// mock ignore the model. Streaming requests add `"stream": true` and nothing else.
export const CHAT_PATH = '/v1/chat/completions';

const SYSTEM = 'You are a concise assistant for a logistics company. Answer in plain English, cite the '
  + 'relevant policy section when you can, and never invent shipment numbers.';
const USER = 'A customer in Rotterdam reports that parcel 4471 was marked delivered yesterday but never '
  + 'arrived. Summarise what we should check first, what to tell the customer today, and when we can '
  + 'open a claim with the carrier. Keep it under five bullet points.';

export function requestBody(stream) {
  const body = {
    model: 'openai/gpt-4o-mini',
    messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: USER }],
    max_tokens: 256,
    temperature: 0.2,
  };
  if (stream) body.stream = true;
  return JSON.stringify(body);
}
