// The request every target receives, byte for byte the same: an OpenAI chat completion of about
// 600 bytes (a system prompt and a user question, `max_tokens` set), addressed as
// `openai/gpt-4o-mini` so the gateway routes it to its `openai` provider; the pass-through and the
// mock ignore the model. Streaming requests add `"stream": true` and nothing else. The `history`
// mode sends the same question after 40 earlier turns (about 24 KB), as a long chat or an agent's
// context does: what a proxy does per byte of request shows there.
export const CHAT_PATH = '/v1/chat/completions';

const SYSTEM = 'You are a concise assistant for a logistics company. Answer in plain English, cite the '
  + 'relevant policy section when you can, and never invent shipment numbers.';
const USER = 'A customer in Rotterdam reports that parcel 4471 was marked delivered yesterday but never '
  + 'arrived. Summarise what we should check first, what to tell the customer today, and when we can '
  + 'open a claim with the carrier. Keep it under five bullet points.';
const ANSWER = '- Check the carrier scan history and the GPS position of the delivery scan.\n'
  + '- Ask the customer to check with neighbours and the building reception.\n'
  + '- Tell the customer we are investigating and will update them within 24 hours.\n'
  + '- Open a claim with the carrier once 48 hours have passed without the parcel (policy 7.2).';

export const HISTORY_TURNS = 40;

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

/** The body of a bench mode: `plain`, `stream`, or `history` (plain, after HISTORY_TURNS turns). */
export function requestBodyFor(mode) {
  if (mode !== 'history') return requestBody(mode === 'stream');
  const body = JSON.parse(requestBody(false));
  const earlier = [];
  for (let turn = 1; turn <= HISTORY_TURNS; turn++) {
    earlier.push({ role: 'user', content: `Parcel ${4400 + turn}: ${USER}` }, { role: 'assistant', content: ANSWER });
  }
  body.messages.splice(1, 0, ...earlier);
  return JSON.stringify(body);
}
