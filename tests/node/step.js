// One step of a flow script: what it returned, or the SDK error's code, status and message (the scripts print them).
'use strict';

async function step(results, name, fn) {
  try {
    results[name] = await fn();
  } catch (err) {
    results[name] = { error: err.code || String(err), statusCode: err.statusCode, message: err.message };
  }
}

module.exports = { step };
