// The Worker with a queue producer that refuses every batch, as when the day's Queues
// operations are used up (worker.test.mjs: the tick then runs in its invocation).
import worker from "../worker.mjs";

const refusing = {
  sendBatch: async () => {
    throw new Error("Queue sendBatch failed: operations limit exceeded");
  },
};

export default {
  ...worker,
  scheduled: (event, env, ctx) => worker.scheduled(event, { ...env, TICKS: refusing }, ctx),
};
