// Builds the DOM for one chat item the way Messenger shows it. Text always goes in through
// textContent (never innerHTML), so nothing a user or the bot sends can inject markup.

/** @param {string} tag @param {string} [cls] @param {string} [text] */
export function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** Images on this server are shown from the page's own origin, whatever host the seed wrote. */
export function localUrl(url) {
  try {
    const u = new URL(url, location.href);
    if (/^\/simulator\/(images|uploads)\//.test(u.pathname) && /^(localhost|127\.0\.0\.1|\[::1\])$/.test(u.hostname)) return u.pathname;
    return u.href;
  } catch {
    return url;
  }
}

export function money(amount, currency) {
  const n = Number(amount);
  if (!Number.isFinite(n)) return String(amount ?? '');
  try {
    return new Intl.NumberFormat('en-PH', { style: 'currency', currency: currency || 'PHP' }).format(n);
  } catch {
    return n.toFixed(2);
  }
}

function image(url, cls, alt) {
  const img = el('img', cls);
  img.src = localUrl(url);
  img.alt = alt || '';
  img.loading = 'lazy';
  return img;
}

/** A template button: postback → a tap sent to the webhook; web_url → a link; phone_number → tel:. */
function button(b, ctx) {
  if (b.type === 'web_url' && b.url) {
    const a = el('a', 'tpl-btn', b.title);
    a.href = localUrl(b.url);
    a.target = '_blank';
    a.rel = 'noopener';
    return a;
  }
  if (b.type === 'phone_number') {
    const a = el('a', 'tpl-btn', b.title);
    a.href = `tel:${b.payload}`;
    return a;
  }
  const btn = el('button', 'tpl-btn', b.title);
  btn.type = 'button';
  btn.dataset.payload = b.payload ?? '';
  btn.addEventListener('click', () => ctx.send({ type: 'postback', title: b.title, payload: b.payload }));
  return btn;
}

function buttons(list, ctx) {
  const box = el('div', 'tpl-buttons');
  for (const b of list ?? []) box.append(button(b, ctx));
  return box;
}

function generic(p, ctx) {
  const carousel = el('div', 'carousel');
  for (const e of p.elements ?? []) {
    const card = el('div', 'card');
    if (e.image_url) card.append(image(e.image_url, 'card-img', e.title));
    const body = el('div', 'card-body');
    body.append(el('div', 'card-title', e.title));
    if (e.subtitle) body.append(el('div', 'card-sub', e.subtitle));
    card.append(body);
    if (e.buttons?.length) card.append(buttons(e.buttons, ctx));
    carousel.append(card);
  }
  return carousel;
}

function buttonTemplate(p, ctx) {
  const box = el('div', 'bubble bot button-tpl');
  box.append(el('div', 'button-text', p.text));
  box.append(buttons(p.buttons, ctx));
  return box;
}

function row(label, value, cls) {
  const r = el('div', `r-row ${cls || ''}`);
  r.append(el('span', 'r-label', label), el('span', 'r-value', value));
  return r;
}

function receipt(p) {
  const box = el('div', 'receipt');
  box.append(el('div', 'r-head', 'Order confirmation'));
  box.append(el('div', 'r-number', p.order_number ? `Order ${p.order_number}` : ''));
  for (const e of p.elements ?? []) {
    const item = el('div', 'r-item');
    if (e.image_url) item.append(image(e.image_url, 'r-img', e.title));
    const text = el('div', 'r-item-text');
    text.append(el('div', 'r-item-title', e.title));
    if (e.subtitle) text.append(el('div', 'r-item-sub', e.subtitle));
    if (e.quantity !== undefined) text.append(el('div', 'r-item-sub', `Qty ${e.quantity}`));
    item.append(text, el('div', 'r-item-price', money(e.price, e.currency || p.currency)));
    box.append(item);
  }
  if (p.payment_method) box.append(row('Paid with', p.payment_method));
  if (p.address) {
    const a = p.address;
    box.append(row('Ship to', [p.recipient_name, a.street_1, a.street_2, a.city, a.state, a.postal_code].filter(Boolean).join(', ')));
  }
  const s = p.summary || {};
  for (const adj of p.adjustments ?? []) box.append(row(adj.name, `−${money(adj.amount, p.currency)}`));
  if (s.subtotal !== undefined) box.append(row('Subtotal', money(s.subtotal, p.currency)));
  if (s.shipping_cost !== undefined) box.append(row('Shipping', money(s.shipping_cost, p.currency)));
  if (s.total_tax) box.append(row('Tax', money(s.total_tax, p.currency)));
  box.append(row('Total', money(s.total_cost, p.currency), 'r-total'));
  return box;
}

function attachment(a, ctx) {
  const p = a.payload || {};
  if (a.type === 'image' && p.url) return image(p.url, 'photo', 'photo');
  if (a.type === 'file' && p.url) {
    const link = el('a', 'bubble bot', 'File');
    link.href = localUrl(p.url);
    return link;
  }
  if (a.type === 'template') {
    if (p.template_type === 'generic') return generic(p, ctx);
    if (p.template_type === 'button') return buttonTemplate(p, ctx);
    if (p.template_type === 'receipt') return receipt(p);
    if (p.template_type === 'media' && p.elements?.[0]?.url) return image(p.elements[0].url, 'photo', 'media');
  }
  return el('div', 'bubble bot unknown', `[${a.type}${p.template_type ? `: ${p.template_type}` : ''} attachment]`);
}

/** What the shopper (or admin) did, shown on the right. */
export function userNode(event) {
  if (event.type === 'image') return image(event.url, 'photo mine', 'your photo');
  const text = event.type === 'postback' ? event.title || event.payload : event.text;
  return el('div', 'bubble me', text);
}

/** What the Page sent, shown on the left: text, then any attachment. Returns null for sender actions. */
export function pageNode(request, ctx) {
  const m = request.message;
  if (!m) return null;
  const wrap = el('div', 'from-page');
  // a Private Reply (Send API recipient.comment_id): Messenger shows which comment it answers
  if (request.recipient?.comment_id) wrap.append(el('div', 'meta private-reply', '↩ Private reply to your comment on the live video'));
  if (m.text) wrap.append(el('div', 'bubble bot', m.text));
  if (m.attachment) wrap.append(attachment(m.attachment, ctx));
  if (request.tag) wrap.append(el('div', 'meta', `sent with tag ${request.tag}`));
  return wrap;
}
