// What the dashboard and the proposal page share: building elements from data (always as text, never as markup),
// calling the API with a bearer token, a refused call's problem in words, and numbers in short form.
window.ScaleControl = (() => {
  'use strict';
  // A token someone typed in is kept here (the dashboard's sign-in); the sandbox's demo admin token is tried after it.
  const TOKEN_KEY = 'scalecontrol.token';
  const SANDBOX_TOKEN = 'sandbox-admin';
  const SVG = 'http://www.w3.org/2000/svg';

  function h(tag, attrs, ...children) {
    const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.setAttribute('class', v);
      else if (k === 'text') node.textContent = v;
      else if (k === 'style') node.style.cssText = v; // through the CSSOM: the pages' CSP refuses style attributes
      else node.setAttribute(k, v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  function api(path, token, options = {}) {
    const headers = { Accept: 'application/json' };
    if (options.body) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    return fetch(path, { ...options, headers, cache: 'no-store' });
  }

  async function problemText(res) {
    try {
      const p = await res.json();
      if (p.errors) return Object.entries(p.errors).map(([k, v]) => `${k}: ${[].concat(v).join(', ')}`).join('; ');
      return p.detail || p.title || `HTTP ${res.status}`;
    } catch { return `HTTP ${res.status}`; }
  }

  // The tokens to try, in order, each with whether a person typed it in: the kept one, then the sandbox's.
  function tokenCandidates() {
    const stored = localStorage.getItem(TOKEN_KEY);
    return stored ? [[stored, true], [SANDBOX_TOKEN, false]] : [[SANDBOX_TOKEN, false]];
  }

  // 48213 → "48.2k", 1234567 → "1.2M", 12.345 → "12.35" (as the card and scalectl write them).
  const fmt = v => {
    if (v === null || v === undefined || Number.isNaN(v)) return '–';
    const a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + 'M';
    if (a >= 1e4) return (v / 1e3).toFixed(a >= 1e5 ? 0 : 1) + 'k';
    if (a >= 100) return Math.round(v).toString();
    return (Math.round(v * 100) / 100).toString();
  };

  return { TOKEN_KEY, h, api, problemText, tokenCandidates, fmt };
})();
