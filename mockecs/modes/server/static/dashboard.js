// mockecs dashboard: refreshes the state panel (server-rendered HTML) and the call record (JSON) with
// plain fetch, and sends the buttons' requests to the control API. No framework, nothing fetched elsewhere.
"use strict";
(function () {
  const $ = (selector) => document.querySelector(selector);
  const stateBox = $("#state");
  // A control token (a server that requires one) comes in the page's URL: /_mockecs/?token=...
  const token = new URLSearchParams(location.search).get("token");
  const auth = token ? { "X-Mockecs-Token": token } : {};
  let calls = [];

  async function send(method, url, body) {
    const resp = await fetch(url, {
      method, headers: { "Content-Type": "application/json", ...auth },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new Error(data.error || resp.statusText);
    return data;
  }

  async function refreshState() {
    const resp = await fetch(stateBox.dataset.url, { cache: "no-store", headers: auth });
    if (resp.ok) stateBox.innerHTML = await resp.text();
    stateBox.dataset.refreshed = String(Date.now());
  }

  function cell(row, text, cls) {
    const td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (cls) td.className = cls;
    row.appendChild(td);
  }

  function renderCalls() {
    const action = $("#filter-action").value.trim().toLowerCase();
    const account = $("#filter-account").value.trim();
    const status = $("#filter-status").value;
    const body = $("#calls tbody");
    const shown = calls.filter((c) =>
      (!action || (c.action || "").toLowerCase().includes(action)) &&
      (!account || (c.account || "").includes(account)) &&
      (!status || (status === "ok") === (c.status < 400)));
    body.replaceChildren(...shown.map((c) => {
      const row = document.createElement("tr");
      row.className = c.status < 400 ? "ok" : "failed";
      cell(row, new Date(c.time * 1000).toLocaleTimeString());
      cell(row, c.action, "action");
      cell(row, c.account);
      cell(row, c.region);
      cell(row, c.status, "status");
      cell(row, c.error_code, "code");
      cell(row, c.latency_ms.toFixed(2));
      return row;
    }));
    $("#calls-count").textContent = `(${shown.length} of the newest ${calls.length})`;
  }

  async function refreshCalls() {
    const resp = await fetch("/_mockecs/dashboard/calls", { cache: "no-store", headers: auth });
    if (resp.ok) calls = await resp.json();
    renderCalls();
  }

  async function refresh() {
    await Promise.all([refreshState(), refreshCalls()]);
  }

  async function act(fn) {
    try {
      await fn();
      $("#fault-error").textContent = "";
    } catch (err) {
      $("#fault-error").textContent = err.message;
    }
    await refresh();
  }

  $("#reset").addEventListener("click", () => act(() => send("POST", "/_mockecs/reset")));
  $("#advance-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    act(() => send("POST", "/_mockecs/clock/advance", { seconds: Number($("#advance-seconds").value) }));
  });
  $("#fault-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = ev.target.elements;
    const fault = { action: f.action.value, status: Number(f.status.value), latency: Number(f.latency.value) };
    if (f.code.value) fault.code = f.code.value;
    fault.times = f.times.value === "" ? null : Number(f.times.value);
    act(() => send("POST", "/_mockecs/faults", fault));
  });
  $("#delay-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = ev.target.elements;
    act(() => send("POST", "/_mockecs/transitions", { delays: { [f.target.value]: { seconds: Number(f.seconds.value) } } }));
  });
  stateBox.addEventListener("click", (ev) => {
    const button = ev.target.closest("button");
    if (!button) return;
    if (button.classList.contains("remove-fault")) {
      act(() => send("POST", "/_mockecs/dashboard/faults/remove", { index: Number(button.dataset.index) }));
    } else if (button.classList.contains("remove-delay")) {
      act(() => send("POST", "/_mockecs/dashboard/delays/remove", { target: button.dataset.target }));
    }
  });
  for (const id of ["#account", "#region"]) $(id).addEventListener("change", () => $("#scope").submit());
  for (const id of ["#filter-action", "#filter-account", "#filter-status"]) $(id).addEventListener("input", renderCalls);

  refreshCalls();
  setInterval(() => { if ($("#live").checked) refresh(); }, 1000);
})();
