// The simulator page: one pane per person (the shopper, and the admin behind the switch). Each pane
// streams its conversation over Server-Sent Events and posts what the person does to /simulator/send,
// which signs it as a Messenger webhook event and delivers it to /webhook.
import { el, pageNode, userNode } from './render.js';
import { setupLive } from './live.js';

const DEMO_PHONE = '09171234567';
const DEMO_EMAIL = 'shopper@example.com';

function newCustomerPsid() {
  let digits = '7';
  const bytes = crypto.getRandomValues(new Uint8Array(15));
  for (const b of bytes) digits += String(b % 10);
  return digits;
}

function customerPsid() {
  let psid = localStorage.getItem('qs-sim-psid');
  if (!psid) {
    psid = newCustomerPsid();
    localStorage.setItem('qs-sim-psid', psid);
  }
  return psid;
}

async function postJson(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const data = await res.json().catch(() => ({}));
  return { ok: res.ok, status: res.status, data };
}

function createPane(root, opts) {
  const node = document.getElementById('pane-template').content.firstElementChild.cloneNode(true);
  node.dataset.pane = opts.role;
  node.querySelector('.avatar').textContent = opts.session.shopName.slice(0, 1).toUpperCase();
  node.querySelector('.title').textContent = opts.session.shopName;
  const sub = node.querySelector('.sub');
  const thread = node.querySelector('.thread');
  const typing = node.querySelector('.typing');
  const qrBar = node.querySelector('.quick-replies');
  const menu = node.querySelector('.menu');
  const form = node.querySelector('.composer');
  const input = node.querySelector('.text');
  const photo = node.querySelector('.photo-input');
  root.append(node);

  let psid = opts.psid;
  let lastId = 0;
  let source = null;
  let queue = Promise.resolve();
  let typingTimer = null;

  let live = false; // false while the server replays the conversation so far
  const scroll = () => {
    thread.style.scrollBehavior = live ? 'smooth' : 'auto';
    thread.scrollTop = thread.scrollHeight;
  };
  const note = (text) => {
    thread.append(el('div', 'system', text));
    scroll();
  };
  const setTyping = (on) => {
    typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) typingTimer = setTimeout(() => (typing.hidden = true), 20_000);
  };

  // Taps and texts go out one after another, so the webhook sees them in the order they were made.
  function send(event) {
    qrBar.replaceChildren();
    menu.hidden = true;
    queue = queue.then(async () => {
      try {
        const r = await postJson('/simulator/send', { psid, event });
        if (!r.ok && r.status !== 502) note(r.data.error || `send failed (HTTP ${r.status})`);
      } catch (err) {
        note(`Could not reach the server: ${err.message}`);
      }
    });
    return queue;
  }

  function intro() {
    const box = el('div', 'intro');
    box.append(el('div', 'intro-title', opts.session.shopName));
    box.append(el('div', 'intro-text', opts.introText));
    const start = el('button', 'get-started', opts.session.getStarted.title);
    start.type = 'button';
    start.addEventListener('click', () => send({ type: 'postback', ...opts.session.getStarted }));
    box.append(start);
    return box;
  }

  function quickReplies(list) {
    qrBar.replaceChildren();
    for (const q of list) {
      let title = q.title;
      let payload = q.payload;
      if (q.content_type === 'user_phone_number') title = payload = DEMO_PHONE;
      if (q.content_type === 'user_email') title = payload = DEMO_EMAIL;
      const chip = el('button', 'qr', title);
      chip.type = 'button';
      chip.dataset.payload = payload ?? '';
      if (q.image_url) chip.prepend(Object.assign(el('img'), { src: q.image_url, alt: '' }));
      chip.addEventListener('click', () => send({ type: 'quick_reply', text: title, payload }));
      qrBar.append(chip);
    }
  }

  function show(item) {
    if (item.id <= lastId) return; // replayed after a reconnect: already on screen
    lastId = item.id;
    thread.querySelector('.intro')?.remove();
    if (item.from === 'system') return note(item.text);
    if (item.from === 'user') {
      qrBar.replaceChildren();
      const row = el('div', 'row mine');
      row.append(userNode(item.event));
      thread.append(row);
      return scroll();
    }
    const req = item.request;
    if (req.sender_action) return setTyping(req.sender_action === 'typing_on');
    setTyping(false);
    const content = pageNode(req, { send });
    if (!content) return;
    const row = el('div', 'row theirs');
    row.append(content);
    thread.append(row);
    if (req.message?.quick_replies?.length) quickReplies(req.message.quick_replies);
    else qrBar.replaceChildren();
    if (live) opts.onPageMessage?.();
    scroll();
  }

  function clear() {
    lastId = 0;
    live = false;
    thread.replaceChildren(intro());
    qrBar.replaceChildren();
    setTyping(false);
  }

  function connect() {
    source?.close();
    clear();
    let boot = null;
    sub.textContent = opts.describe(psid);
    node.dataset.psid = psid;
    source = new EventSource(`/simulator/events?psid=${encodeURIComponent(psid)}`);
    source.addEventListener('hello', (e) => {
      // A restarted server numbers items from 1 again and replays only what it still has.
      const now = JSON.parse(e.data).boot;
      if (boot !== null && boot !== now) clear();
      boot = now;
    });
    source.addEventListener('item', (e) => show(JSON.parse(e.data)));
    source.addEventListener('live', () => {
      live = true;
      scroll();
    });
    source.addEventListener('open', () => node.classList.remove('offline'));
    source.addEventListener('error', () => node.classList.add('offline'));
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    send({ type: 'text', text });
  });

  photo.addEventListener('change', async () => {
    const file = photo.files?.[0];
    photo.value = '';
    if (!file) return;
    try {
      const res = await fetch('/simulator/upload', { method: 'POST', headers: { 'content-type': file.type || 'application/octet-stream' }, body: file });
      const data = await res.json().catch(() => ({}));
      if (!res.ok) return note(data.error || data.message || `upload failed (HTTP ${res.status})`);
      send({ type: 'image', url: data.url });
    } catch (err) {
      note(`Could not upload the photo: ${err.message}`);
    }
  });

  // The persistent menu, as the bot set it: the Page's (Messenger Profile API), or this person's own
  // (Custom User Settings API: the admin's).
  const menuBtn = node.querySelector('.menu-btn');
  menuBtn.hidden = opts.menu.length === 0;
  for (const m of opts.menu) {
    const item = el('button', 'menu-item', m.title);
    item.type = 'button';
    item.addEventListener('click', () => {
      menu.hidden = true;
      if (m.type === 'web_url') window.open(m.url, '_blank', 'noopener');
      else send({ type: 'postback', title: m.title, payload: m.payload });
    });
    menu.append(item);
  }
  menuBtn.addEventListener('click', () => (menu.hidden = !menu.hidden));

  connect();
  return {
    node,
    send,
    reset(newPsid) {
      psid = newPsid;
      connect();
    },
  };
}

async function main() {
  const session = await (await fetch('/simulator/session')).json();
  document.getElementById('shop-name').textContent = session.shopName;
  document.title = `${session.shopName} · Messenger simulator`;
  document.getElementById('dashboard-link').href = session.dashboardUrl;
  if (session.demoAdminKey) {
    // demo mode, seen from this machine: the demo admin key opens the dashboard (any user name)
    const key = el('code', 'demo-key', session.demoAdminKey);
    document.getElementById('dashboard-key').replaceChildren('use the demo key ', key, ' (any user name)');
  }
  const root = document.getElementById('panes');
  const badge = document.getElementById('admin-badge');
  const adminSwitch = document.getElementById('admin-switch');
  let unread = 0;

  const customer = createPane(root, {
    role: 'customer',
    session,
    psid: customerPsid(),
    menu: session.menu,
    introText: 'Shop by chatting: browse, add to cart and check out without leaving the conversation.',
    describe: (psid) => `You are a shopper · PSID ${psid}`,
  });
  const admin = createPane(root, {
    role: 'admin',
    session,
    psid: session.adminPsid,
    menu: session.adminMenu ?? session.menu,
    introText: 'New-order alerts arrive here with Confirm / Cancel / Details quick replies.',
    describe: (psid) => `You are the shop's admin · PSID ${psid}`,
    onPageMessage: () => {
      if (!adminSwitch.checked) {
        unread += 1;
        badge.textContent = String(unread);
        badge.hidden = false;
      }
    },
  });

  const applySwitch = () => {
    admin.node.hidden = !adminSwitch.checked;
    document.body.classList.toggle('admin-on', adminSwitch.checked);
    if (adminSwitch.checked) {
      unread = 0;
      badge.hidden = true;
    }
  };
  adminSwitch.addEventListener('change', applySwitch);
  applySwitch();

  // The Live pane (and its commenter's chat) behind the "Live sale" switch; the shopper's pane steps aside.
  const live = await setupLive({ root, session, createPane, postJson, adminSend: (text) => admin.send({ type: 'text', text }) });
  const liveSwitch = document.getElementById('live-switch');
  const applyLive = () => {
    document.body.classList.toggle('live-on', liveSwitch.checked);
    live.show(liveSwitch.checked);
  };
  liveSwitch.addEventListener('change', applyLive);
  applyLive();

  document.getElementById('new-customer').addEventListener('click', () => {
    const psid = newCustomerPsid();
    localStorage.setItem('qs-sim-psid', psid);
    customer.reset(psid);
  });
  document.body.dataset.ready = 'true';
}

main().catch((err) => {
  document.body.prepend(el('div', 'fatal', `The simulator could not start: ${err.message}`));
});
