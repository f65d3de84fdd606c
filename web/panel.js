// panel.js: the transparency panel.  It shows what the agent sends (from
// its level), what decided it, and separately what this page sends
// (whether it started PostHog), and the last events the agent itself sent,
// from its local log.  It only reads: no control here changes anything.
// Every value goes in as text, never as markup.
import { start } from './telemetry.js';

const LOG_URL = '/api/v1/anonymous-statistics/log';

// What the agent sends at each level, and how the panel shows it.
const AGENT = {
  all: ['sends every event', 'on'],
  crashes: ['sends crash reports only (FATAL, CRASH, INCOMPLETE_SHUTDOWN)', 'on'],
  off: ['sends nothing', 'off'],
};

function text(id, value, cls) {
  const el = document.getElementById(id);
  el.textContent = value;
  if (cls) el.className = cls;
}

function utc(epoch) {
  return new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');
}

async function showLog() {
  const body = document.querySelector('#events tbody');
  let reply = null;
  try {
    const r = await fetch(LOG_URL, { cache: 'no-store', credentials: 'omit' });
    if (r.ok) reply = await r.json();
  } catch (e) {
    reply = null;
  }
  if (!reply || !Array.isArray(reply.events)) {
    text('events-note', 'The agent did not say which events it sent.');
    return;
  }
  for (const e of reply.events.slice().reverse()) {
    let name = '(not JSON)';
    try {
      const doc = JSON.parse(e.event);
      const p = doc.properties || {};
      name = [p.action, p.action_result].filter((x) => typeof x === 'string' && x).join(' ') ||
        String(doc.event);
    } catch (err) {
      // shown as the log holds it
    }
    const tr = document.createElement('tr');
    for (const [v, cls] of [[utc(Number(e.time)), ''], [name, ''], [String(e.status), ''],
      [String(e.event), 'payload']]) {
      const td = document.createElement('td');
      td.textContent = v;
      if (cls) td.className = cls;
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  let note = reply.events.length ? `From ${reply.file}.` : `No event sent yet (${reply.file}).`;
  if (reply.error) note += ` ${reply.error}.`;
  if (reply.skipped) note += ` ${reply.skipped} malformed line(s) skipped.`;
  text('events-note', note);
}

async function main() {
  const root = document.documentElement;
  const r = await start(window);
  const h = r.hello;
  // What the agent sends and what this page sends are two answers: at
  // level crashes the agent still reports crashes while the page sends
  // nothing.
  if (h && typeof h === 'object') {
    const level = String(h.anonymous_statistics_level ?? '');
    const [agent, cls] = AGENT[level] || ['unknown: the agent gave no level', 'off'];
    text('stats-agent', agent, cls);
    text('stats-reason', String(h.anonymous_statistics_reason ?? ''));
    text('stats-level', level);
  } else {
    text('stats-agent', 'unknown: the agent did not answer', 'off');
  }
  text('stats-page', r.started ? 'sends page views to PostHog (only the documented properties; '
    + 'every URL, title and referrer masked)' : `sends nothing: PostHog not loaded (${r.why})`,
  r.started ? 'on' : 'off');
  root.dataset.telemetry = r.started ? 'started' : 'off';
  await showLog();
  root.dataset.panel = 'ready';
}

main();
