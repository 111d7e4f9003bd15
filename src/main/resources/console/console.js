// Ferry console: reads the unified API with the signed-in gateway key. No framework and
// no build step; every text from the server goes into the page as text, never as markup.
'use strict';

const KEY = 'ferry.console.key';
const ENDED = new Set(['completed', 'failed', 'expired', 'cancelled']);
const ACTIVE_POLL_MS = 2000;
const IDLE_POLL_MS = 10000;
const MAX_BACKOFF_MS = 30000;
const RESULTS_PAGE = 10;

const state = { session: null, timer: null, failures: 0, view: null, token: 0 };

// ---- helpers -------------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// Times are shown in UTC, as the API gives them; the column or line says so.
function when(seconds) {
  if (!seconds) return '—';
  return new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 19);
}

function endedAt(batch) {
  return batch.completed_at || batch.failed_at || batch.expired_at || batch.cancelled_at || null;
}

class ApiFailure extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, options = {}) {
  const key = sessionStorage.getItem(KEY);
  const response = await fetch(path, {
    ...options,
    headers: { 'Authorization': 'Bearer ' + key, 'Accept': 'application/json', ...(options.headers || {}) },
  });
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) {
    signOut('Your key was refused: ' + ((body.error && body.error.message) || 'sign in again.'));
    throw new ApiFailure(401, 'signed out');
  }
  if (!response.ok) {
    throw new ApiFailure(response.status, (body.error && body.error.message) || ('HTTP ' + response.status));
  }
  return body;
}

function batchPath(entry) {
  return '/v1/batches/' + encodeURIComponent(entry.id) + '?provider=' + encodeURIComponent(entry.provider);
}

function statusBadge(status) {
  return h('span', { class: 'status ' + status }, status.replace('_', ' '));
}

function progress(batch) {
  const counts = batch.request_counts || {};
  const total = counts.total || 0;
  const done = (counts.completed || 0) + (counts.failed || 0);
  const label = total ? `${done} of ${total} requests done` : 'no request counts yet';
  const bar = total
    ? h('progress', { max: total, value: done, 'aria-label': label })
    : h('progress', { 'aria-label': label });
  return h('span', { class: 'progress' }, bar, h('span', { class: 'progress-text' }, total ? `${done}/${total}` : '—'));
}

// ---- live updates ----------------------------------------------------------------------

// Each view says how soon it wants to look again; failures back off to 30 s.
function schedule(refresh, activeNow) {
  clearTimeout(state.timer);
  const token = state.token;
  const delay = state.failures
    ? Math.min(MAX_BACKOFF_MS, ACTIVE_POLL_MS * 2 ** state.failures)
    : (activeNow ? ACTIVE_POLL_MS : IDLE_POLL_MS);
  const updates = document.getElementById('updates');
  updates.textContent = state.failures
    ? `Could not reach Ferry; trying again in ${Math.round(delay / 1000)} s.`
    : `Updated ${new Date().toLocaleTimeString()}; next look in ${delay / 1000} s.`;
  state.timer = setTimeout(async () => {
    if (token !== state.token) return;
    try {
      const active = await refresh();
      state.failures = 0;
      if (token === state.token) schedule(refresh, active);
    }
    catch (failure) {
      if (failure.status === 401 || token !== state.token) return;
      state.failures++;
      schedule(refresh, activeNow);
    }
  }, delay);
}

// ---- views ---------------------------------------------------------------------------

async function batchesView(view) {
  const table = h('table', {},
    h('caption', { class: 'caption' }, 'Newest first'),
    h('thead', {}, h('tr', {}, ['Batch', 'Provider', 'Model', 'Status', 'Progress', 'Created (UTC)', 'Ended (UTC)']
      .map((name) => h('th', { scope: 'col' }, name)))));
  const body = h('tbody', { id: 'batch-rows' });
  table.append(body);
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Older batches');
  view.replaceChildren(h('h1', {}, 'Batches'), h('div', { class: 'card' }, table, more));

  function row(entry, batch) {
    const cells = batch
      ? [batch.model || '—', statusBadge(batch.status), progress(batch), when(entry.created_at), when(endedAt(batch))]
      : ['—', statusBadge('gone'), '—', when(entry.created_at), '—'];
    return h('tr', { 'data-batch': entry.id, 'data-status': batch ? batch.status : 'gone' },
      h('td', {}, h('a', { href: `#/batches/${encodeURIComponent(entry.provider)}/${encodeURIComponent(entry.id)}`,
        class: 'mono' }, entry.id)),
      h('td', {}, entry.provider), ...cells.map((cell) => h('td', {}, cell)));
  }

  async function show(entry) {
    let batch = null;
    try { batch = await api(batchPath(entry)); }
    catch (failure) { if (failure.status !== 404) throw failure; }
    return row(entry, batch);
  }

  // Every page shown is read again on each look: new batches appear at the top, and the
  // older pages opened with the button stay.
  let pages = 1;
  async function refresh() {
    const shown = [];
    let page = null;
    for (let n = 0; n < pages && (page === null || page.has_more); n++) {
      const after = page ? '&after=' + encodeURIComponent(page.next_cursor) : '';
      page = await api('/console/api/batches?limit=20' + after);
      shown.push(...await Promise.all(page.data.map(show)));
    }
    body.replaceChildren(...shown);
    more.hidden = !page.has_more;
    if (!shown.length) body.append(h('tr', {}, h('td', { colspan: 7 }, 'No batches yet: create one through any of Ferry\u2019s APIs.')));
    return shown.some((tr) => !ENDED.has(tr.dataset.status) && tr.dataset.status !== 'gone');
  }

  more.addEventListener('click', async () => {
    pages++;
    schedule(refresh, await refresh());
  });
  schedule(refresh, await refresh());
}

async function batchView(view, provider, id) {
  const entry = { id, provider };
  const header = h('div');
  const results = h('div', { class: 'card', id: 'results' });
  view.replaceChildren(h('p', {}, h('a', { href: '#/batches' }, '← All batches')), header, results);
  let resultsShown = false;

  async function refresh() {
    const batch = await api(batchPath(entry));
    header.replaceChildren(...batchCards(batch, entry, refresh));
    const ended = ENDED.has(batch.status);
    if (ended && !resultsShown) {
      resultsShown = true;
      await resultsBrowser(results, entry, [null]);
    }
    else if (!ended) {
      results.replaceChildren(h('h2', {}, 'Results'), h('p', {}, 'Results can be read once the batch has ended.'));
    }
    return !ended;
  }
  schedule(refresh, await refresh());
}

function batchCards(batch, entry, refresh) {
  const counts = batch.request_counts || {};
  const facts = [['Provider', entry.provider], ['Model', batch.model || '—'], ['Endpoint', batch.endpoint || '—'],
    ['Status', statusBadge(batch.status)], ['Progress', progress(batch)], ['Input file', batch.input_file_id || '—'],
    ['Output file', batch.output_file_id || '—'], ['Error file', batch.error_file_id || '—']];
  const steps = [['created_at', 'Created'], ['in_progress_at', 'Started'], ['finalizing_at', 'Finalizing'],
    ['completed_at', 'Completed'], ['failed_at', 'Failed'], ['expired_at', 'Expired'],
    ['cancelling_at', 'Cancel requested'], ['cancelled_at', 'Cancelled']]
    .filter(([field]) => batch[field]).sort((a, b) => batch[a[0]] - batch[b[0]]);
  const errors = (batch.errors && batch.errors.data) || [];
  const cards = [
    h('h1', {}, 'Batch ', h('span', { class: 'mono' }, batch.id)),
    h('div', { class: 'grid2' },
      h('section', { class: 'card', 'aria-labelledby': 'facts-title' }, h('h2', { id: 'facts-title' }, 'Overview'),
        h('dl', { class: 'facts' }, facts.map(([name, value]) => [h('dt', {}, name), h('dd', {}, value)]))),
      h('section', { class: 'card', 'aria-labelledby': 'timeline-title' }, h('h2', { id: 'timeline-title' }, 'Timeline'),
        h('ol', { class: 'timeline' }, steps.map(([field, name]) => h('li', {}, h('strong', {}, name), ' ', when(batch[field]), ' UTC'))),
        h('h2', { style: 'margin-top:1rem' }, 'Requests'),
        h('table', {}, h('tbody', {}, ['total', 'succeeded', 'completed', 'failed', 'expired', 'canceled', 'pending']
          .filter((name) => counts[name] !== undefined)
          .map((name) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', { class: 'num' }, counts[name])))))))];
  if (errors.length) {
    cards.push(h('section', { class: 'card' }, h('h2', {}, 'Errors'), h('ul', {}, errors.map((error) =>
      h('li', {}, error.line ? `line ${error.line}: ` : '', h('code', {}, error.code || 'error'), ' ', error.message || '')))));
  }
  if (!ENDED.has(batch.status) && batch.status !== 'cancelling') {
    cards.push(cancelControl(entry, refresh));
  }
  return cards;
}

// Cancelling takes two presses, so that a stray click or key press cannot stop a batch.
function cancelControl(entry, refresh) {
  const message = h('p', { class: 'error', role: 'alert' });
  const confirm = h('button', { type: 'button', class: 'danger', hidden: true, id: 'confirm-cancel' }, 'Yes, cancel this batch');
  const keep = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Keep it running');
  const ask = h('button', { type: 'button', class: 'danger', id: 'cancel' }, 'Cancel batch');
  ask.addEventListener('click', () => { ask.hidden = true; confirm.hidden = false; keep.hidden = false; confirm.focus(); });
  keep.addEventListener('click', () => { ask.hidden = false; confirm.hidden = true; keep.hidden = true; ask.focus(); });
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    try {
      await api(batchPath(entry).replace('?', '/cancel?'), { method: 'POST' });
      await refresh();
    }
    catch (failure) {
      message.textContent = 'Cancel refused: ' + failure.message;
      confirm.disabled = false;
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'cancel-title' },
    h('h2', { id: 'cancel-title' }, 'Cancel'), ask, ' ', confirm, ' ', keep, message);
}

// A page of results at a time from the unified results API; `cursors` holds where each
// page seen so far starts, so that the browser can go back.
async function resultsBrowser(card, entry, cursors) {
  const cursor = cursors[cursors.length - 1];
  const path = '/v1/batches/' + encodeURIComponent(entry.id) + '/results?provider=' + encodeURIComponent(entry.provider)
    + '&limit=' + RESULTS_PAGE + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
  let page;
  try { page = await api(path); }
  catch (failure) {
    card.replaceChildren(h('h2', {}, 'Results'), h('p', { class: 'error' }, 'Could not read the results: ' + failure.message));
    return;
  }
  const first = (cursors.length - 1) * RESULTS_PAGE;
  const rows = page.results.map((item, index) => h('tr', { 'data-custom-id': item.custom_id },
    h('td', { class: 'num' }, first + index + 1), h('td', { class: 'mono' }, item.custom_id),
    h('td', {}, item.error ? h('span', { class: 'status failed' }, item.error.code || 'error') : h('span', { class: 'status completed' }, 'ok')),
    h('td', { class: 'excerpt' }, excerpt(item))));
  const previous = h('button', { type: 'button', class: 'secondary', disabled: cursors.length === 1, id: 'results-previous' }, 'Previous page');
  const next = h('button', { type: 'button', class: 'secondary', disabled: !page.has_more, id: 'results-next' }, 'Next page');
  previous.addEventListener('click', () => resultsBrowser(card, entry, cursors.slice(0, -1)));
  next.addEventListener('click', () => resultsBrowser(card, entry, [...cursors, page.next_cursor]));
  card.replaceChildren(h('h2', {}, 'Results'),
    h('table', {}, h('thead', {}, h('tr', {}, ['#', 'custom_id', 'Outcome', 'Answer or error'].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', { id: 'result-rows' }, rows.length ? rows : h('tr', {}, h('td', { colspan: 4 }, 'No results.')))),
    h('div', { class: 'pager' }, previous, next,
      h('span', { 'aria-live': 'polite' }, rows.length ? `Results ${first + 1}–${first + rows.length}` : '')));
}

function excerpt(item) {
  if (item.error) return item.error.message || '';
  const body = item.response && item.response.body;
  const choice = body && body.choices && body.choices[0];
  const text = (choice && choice.message && choice.message.content)
    || (item.result && item.result.message && item.result.message.content && item.result.message.content[0] && item.result.message.content[0].text)
    || JSON.stringify(item.response || item.result || {});
  return String(text).slice(0, 160);
}

async function providersView(view) {
  const page = await api('/v1/providers');
  const yes = (value) => (value ? 'yes' : 'no');
  view.replaceChildren(h('h1', {}, 'Providers'), h('div', { class: 'card' }, h('table', {},
    h('thead', {}, h('tr', {}, ['Provider', 'Family', 'Format', 'Native batches', 'Key configured', 'Cancels', 'Endpoints']
      .map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, page.data.map((provider) => h('tr', { 'data-provider': provider.name },
      h('td', { class: 'mono' }, provider.name), h('td', {}, provider.family), h('td', {}, provider.format),
      h('td', {}, yes(provider.native_batches)), h('td', {}, yes(provider.key_configured)),
      h('td', {}, yes(provider.cancels)), h('td', { class: 'mono' }, (provider.endpoints || []).join(', '))))))));
  return false;
}

// ---- sign-in and routing -------------------------------------------------------------------

function signOut(reason) {
  sessionStorage.removeItem(KEY);
  state.session = null;
  state.token++;
  clearTimeout(state.timer);
  document.getElementById('view').replaceChildren();
  document.getElementById('nav').hidden = true;
  document.getElementById('sign-out').hidden = true;
  document.getElementById('who').textContent = '';
  document.getElementById('updates').textContent = '';
  document.getElementById('sign-in').hidden = false;
  document.getElementById('sign-in-error').textContent = reason || '';
  document.getElementById('key').focus();
}

async function signIn(key) {
  sessionStorage.setItem(KEY, key);
  try {
    state.session = await api('/console/api/session');
  }
  catch (failure) {
    if (failure.status !== 401) signOut('Could not sign in: ' + failure.message);
    return;
  }
  document.getElementById('sign-in').hidden = true;
  document.getElementById('nav').hidden = false;
  document.getElementById('sign-out').hidden = false;
  const session = state.session;
  document.getElementById('who').textContent = `${session.name} · team ${session.team}${session.admin ? ' · admin' : ''}`;
  route();
}

async function route() {
  if (!state.session) return;
  state.token++;
  state.failures = 0;
  clearTimeout(state.timer);
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const view = document.getElementById('view');
  const name = parts[0] === 'providers' ? 'providers' : 'batches';
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.view === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  try {
    if (parts[0] === 'providers') await providersView(view);
    else if (parts[0] === 'batches' && parts.length === 3) await batchView(view, parts[1], parts[2]);
    else await batchesView(view);
  }
  catch (failure) {
    if (failure.status !== 401) view.replaceChildren(h('p', { class: 'error', role: 'alert' }, failure.message));
  }
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = document.getElementById('key');
    signIn(input.value.trim());
    input.value = '';
  });
  document.getElementById('sign-out').addEventListener('click', () => signOut('Signed out.'));
  window.addEventListener('hashchange', route);
  const key = sessionStorage.getItem(KEY);
  if (key) signIn(key);
  else signOut('');
});
