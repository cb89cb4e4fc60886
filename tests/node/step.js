// One step of a flow script: what it returned, or the SDK error's code, status and message (the scripts print them);
// polling until a status is reached.
'use strict';

async function step(results, name, fn) {
  try {
    results[name] = await fn();
  } catch (err) {
    results[name] = { error: err.code || String(err), statusCode: err.statusCode, message: err.message };
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Reads until done(answer) holds, every 25 ms; returns the answer and each value seen(answer) went through (the
// statuses or progress a poll saw). Throws after `tries` reads.
async function poll(read, seen, done, tries = 40) {
  const values = [];
  for (let i = 0; i < tries; i++) {
    const answer = await read();
    const value = seen(answer);
    if (values[values.length - 1] !== value) values.push(value);
    if (done(answer)) return { values, answer };
    await sleep(25);
  }
  throw new Error(`still ${values[values.length - 1]} after ${tries} reads`);
}

module.exports = { step, poll };
