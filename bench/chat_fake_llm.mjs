// A fake OpenAI-compatible endpoint for bench/chat.sh, answering at once (tests/integration/
// fake_llm.mjs): the first request of a message asks for add_task, the one after the tool
// result answers with text. Prints its port on stdout, then serves until killed.
import { FakeLlm } from '../tests/integration/fake_llm.mjs';

let n = 0;
const llm = new FakeLlm({
  fallback: (req) => {
    const last = req.body?.messages?.at(-1);
    if (last?.role === 'tool') return { text: 'Added it.' };
    n += 1;
    return { calls: [{ name: 'add_task', arguments: { title: `Bench chat task ${n}`, priority: 'high', tags: ['bench'] } }] };
  },
});
await llm.start();
llm.requests = { push() {} };  // keep nothing: a long run would grow it
console.log(llm.port);
