// The Live pane: the Page's live video with its item codes and running tally, a comment box with a
// "comment as" picker and a burst button, and beside it the chat of the picked commenter, where the
// Page's one Private Reply to their comment arrives and they can answer and check out. Comments go to
// /simulator/live/*, which posts them to /webhook as real, signed Page `feed` deliveries.
import { el, money } from './render.js';

const POLL_MS = 1500;

export async function setupLive({ root, session, createPane, postJson, adminSend }) {
  let state = await (await fetch('/simulator/live')).json();
  const node = document.getElementById('live-template').content.firstElementChild.cloneNode(true);
  const $ = (sel) => node.querySelector(sel);
  const status = $('.live-status');
  const badge = $('.live-badge');
  const goLive = $('.go-live');
  const codesBox = $('.live-codes');
  const rows = $('.code-rows');
  const cmdNote = $('.live-cmd');
  const post = $('.live-post');
  const log = $('.live-comments');
  const picker = $('.commenter');
  const text = $('.comment-text');
  const burstCount = $('.burst-count');
  burstCount.max = String(state.max_burst);

  const nameOf = (psid) => state.commenters.find((c) => c.psid === psid)?.name ?? psid;
  for (const c of state.commenters) picker.append(Object.assign(el('option', '', c.name), { value: c.psid }));
  const chat = createPane(root, {
    role: 'commenter',
    session,
    psid: picker.value,
    menu: session.menu, // a commenter has no menu of their own: the Page's, as in Messenger
    introText: 'The Page answers a comment here, privately, once. Tap its button to check out.',
    describe: (psid) => `${nameOf(psid)} commented · PSID ${psid}`,
  });
  root.prepend(node, chat.node); // the live video first, then the commenter's chat
  picker.addEventListener('change', () => chat.reset(picker.value));

  const note = (t) => {
    log.append(el('div', 'system', t));
    log.scrollTop = log.scrollHeight;
  };
  function showComment(name, message, extra) {
    const item = el('div', 'comment');
    item.append(el('div', 'c-avatar', name.slice(0, 1)));
    const body = el('div', 'c-body');
    body.append(el('div', 'c-name', name), el('div', 'c-text', message));
    if (extra) body.append(el('div', 'c-extra', extra));
    item.append(body);
    log.append(item);
    log.scrollTop = log.scrollHeight;
  }

  function codeRow(code, productId) {
    const row = el('div', 'code-row');
    const input = Object.assign(el('input', 'code'), { value: code, maxLength: 20, ariaLabel: 'Code' });
    const select = el('select', 'product');
    select.ariaLabel = `Product for ${code}`;
    for (const p of state.products) {
      select.append(Object.assign(el('option', '', `${p.name} · ${money(p.price)} · ${p.available} left`), { value: String(p.id) }));
    }
    if (productId) select.value = String(productId);
    row.append(input, el('span', 'eq', '='), select);
    return row;
  }

  function render() {
    const video = state.video;
    node.classList.toggle('is-live', Boolean(video));
    badge.hidden = !video;
    goLive.hidden = Boolean(video);
    status.textContent = video ? `${video.title ?? 'Live'} · post ${video.post_id}` : 'The Page is not live';
    codesBox.hidden = !video || Boolean(state.sale);
    if (!codesBox.hidden && rows.children.length === 0) {
      const stocked = state.products.filter((p) => p.available > 0);
      rows.append(codeRow('M1', stocked[0]?.id), codeRow('M2', stocked[1]?.id));
    }
    post.hidden = !state.sale;
    if (state.sale) {
      post.querySelector('.post-title').textContent = `🛍️ Live sale #${state.sale.id} — comment "mine ${state.sale.codes[0]?.code ?? 'M1'}" to claim`;
      const list = post.querySelector('.post-codes');
      list.replaceChildren(
        ...state.sale.codes.map((c) => {
          const line = el('div', 'post-code');
          line.dataset.code = c.code;
          line.append(el('span', 'pc-code', c.code), el('span', 'pc-name', `${c.name} ${money(c.price)}`));
          line.append(el('span', 'pc-tally', `${c.claimed}/${c.stock} claimed · ${c.waitlist} waiting`));
          return line;
        }),
      );
      if (!text.value) text.placeholder = `Write a comment… e.g. mine ${state.sale.codes[0]?.code ?? 'M1'}`;
    }
  }

  async function refresh() {
    try {
      state = await (await fetch('/simulator/live')).json();
      render();
    } catch {
      // the server is restarting: the next poll tries again
    }
  }

  goLive.addEventListener('click', async () => {
    const r = await postJson('/simulator/live/video', {});
    if (!r.ok) return note(r.data.error || `could not go live (HTTP ${r.status})`);
    state = r.data;
    rows.replaceChildren();
    log.replaceChildren();
    render();
  });

  $('.start-sale').addEventListener('click', async () => {
    const items = [...rows.querySelectorAll('.code-row')]
      .map((r) => `${r.querySelector('.code').value.trim()}=${r.querySelector('.product').value}`)
      .filter((w) => /^[A-Za-z0-9-]+=\d+$/.test(w));
    const command = `live latest ${items.join(' ')}`;
    cmdNote.textContent = `Sent as the admin: “${command}” (the bot's answer is in the admin pane)`;
    await adminSend(command);
    for (let i = 0; i < 20 && !state.sale; i++) {
      await new Promise((r) => setTimeout(r, 300));
      await refresh();
    }
  });

  $('.live-composer').addEventListener('submit', async (e) => {
    e.preventDefault();
    const message = text.value.trim();
    if (!message || !state.video) return;
    text.value = '';
    const psid = picker.value;
    showComment(nameOf(psid), message);
    const r = await postJson('/simulator/live/comment', { post_id: state.video.post_id, psid, message });
    if (!r.ok) note(r.data.error || `the webhook answered ${r.data.webhookStatus ?? r.status}`);
    setTimeout(refresh, 400);
  });

  $('.burst').addEventListener('click', async () => {
    if (!state.video) return;
    const count = Math.max(1, Math.min(state.max_burst, Number(burstCount.value) || 1));
    const message = text.value.trim() || `mine ${state.sale?.codes[0]?.code ?? 'M1'}`;
    showComment(`⚡ ${count} people`, message, 'a burst: every comment in one signed feed delivery');
    const r = await postJson('/simulator/live/burst', { post_id: state.video.post_id, message, count });
    if (!r.ok) note(r.data.error || `the webhook answered ${r.data.webhookStatus ?? r.status}`);
    setTimeout(refresh, 400);
  });

  let timer = null;
  render();
  return {
    show(on) {
      node.hidden = !on;
      chat.node.hidden = !on;
      clearInterval(timer);
      if (on) {
        void refresh();
        timer = setInterval(refresh, POLL_MS);
      }
    },
  };
}
