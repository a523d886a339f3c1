/*
 * notai pixel: records how a page is used (timings, pointer paths, key classes, lengths),
 * never what is typed, and streams it to the notai collector. See docs/pixel.md.
 *
 * <script src="https://HOST/api.js" data-key="a7f3c2e1" async></script>
 *
 * Message shapes are those of docs/protocol.md; the collector refuses anything else. The
 * pixel sets no cookies, listens passively, and catches every error of its own: a failure
 * here must never reach the page it runs on.
 */
(() => {
 try {
  const w = window;
  const d = document;
  const nav = navigator;
  const loc = location;
  const script =
    d.currentScript || d.querySelector('script[data-key][src*="api.js"]');
  // One pixel per page, even when the tag is pasted twice (theme and course).
  if (!script || (w.notai && w.notai.v)) return;

  // --- small helpers -----------------------------------------------------------------------

  const guard =
    (fn) =>
    (...args) => {
      try {
        return fn(...args);
      } catch (e) {
        // never into the host page
      }
    };
  const on = (target, type, fn, capture) =>
    target.addEventListener(type, guard(fn), { capture: !!capture, passive: true });
  const round = Math.round;
  const clamp = (n, lo, hi) => Math.min(hi, Math.max(lo, round(+n || 0)));
  const coord = (n) => clamp(n, -1e6, 1e6);
  const cut = (s, n) => String(s == null ? '' : s).slice(0, n || 256);
  const attr = (name) => script.getAttribute('data-' + name) || '';
  const text = (selector) => {
    const el = d.querySelector(selector);
    return el ? cut(el.textContent.trim().replace(/\s+/g, ' ')) : '';
  };
  const pick = (source, re) => ((source || '').match(re) || [])[1] || '';
  const now = () => round(performance.timeOrigin + performance.now());
  const at = (e) => round(performance.timeOrigin + e.timeStamp);

  // --- configuration from the script tag ---------------------------------------------------

  const key = attr('key');
  if (!/^[a-z0-9]{8}$/.test(key)) return;
  const sample = parseFloat(attr('sample'));
  if (sample >= 0 && sample < 1 && Math.random() >= sample) return;
  const region = /^(us|eu)$/.test(attr('region')) ? attr('region') : '';
  const endpoint = (attr('endpoint') || new URL(script.src, loc.href).origin).replace(/\/+$/, '');
  const globs = attr('exclude')
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean)
    .map((g) => [
      g[0] === '/',
      new RegExp(
        '^' +
          g
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.') +
          '$',
      ),
    ]);
  // A pattern starting with "/" is matched against the path and query, others the whole URL.
  const excluded = () =>
    globs.some(([path, re]) => re.test(path ? loc.pathname + loc.search : loc.href));
  if (excluded()) return;

  // 128 random bits, 28 characters: each word plus 2^32 is 7 digits in base 36.
  const session = Array.from(crypto.getRandomValues(new Uint32Array(4)), (n) =>
    (n + 2 ** 32).toString(36),
  ).join('');

  // --- the message queue -------------------------------------------------------------------

  const MAX_SAMPLES = 100;
  const MAX_UNACKED = 5000;
  let seq = 1; // 0 is the init message, queued once the page has settled
  let paused = false;
  let lastMessageAt = Date.now();
  const out = []; // messages not yet acknowledged, in seq order

  const push = (type, fields, t, fixedSeq) => {
    if (paused && type !== 'close') return;
    if (type !== 'mouse_move') endMoves();
    if (type !== 'scroll') endScroll();
    const message = { type, seq: fixedSeq === 0 ? 0 : seq++, t: t || now(), ...fields };
    if (fixedSeq === 0) out.unshift(message);
    else out.push(message);
    while (out.length > MAX_UNACKED) out.splice(out[0].seq ? 0 : 1, 1);
    lastMessageAt = Date.now();
    if (type === 'close' || type === 'init' || type === 'identify') flush();
  };

  // A run of samples (pointer, scroll, touch) becomes one message with offsets from its start.
  const trail = (type, extra) => {
    let run = null;
    const end = () => {
      if (run) {
        const r = run;
        run = null;
        push(type, { samples: r.s, ...extra(r) }, r.t);
      }
    };
    const add = (e, x, y, init) => {
      const t = at(e);
      if (run && (run.tr !== e.isTrusted || run.s.length >= MAX_SAMPLES || t - run.t > 1000)) end();
      if (!run) run = { t, s: [], c: 0, tr: e.isTrusted, ...init };
      run.s.push([clamp(t - run.t, -6e5, 6e5), coord(x), coord(y)]);
      return run;
    };
    return [add, end];
  };

  const [addMove, endMoves] = trail('mouse_move', (r) => ({ coalesced: r.c, trusted: r.tr }));
  const [addScroll, endScroll] = trail('scroll', (r) => ({ trusted: r.tr }));
  const [addTouch, endTouch] = trail('touch', (r) => ({ phase: r.p, trusted: r.tr }));

  // --- what the pixel records --------------------------------------------------------------

  const isField = (el) =>
    !!el && (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) || el.isContentEditable === true);
  // Fields whose typing rhythm and lengths stay private too: only key timings are kept.
  const isSecret = (el) =>
    !!el &&
    (el.type === 'password' ||
      /cc-|one-time-code/.test(el.autocomplete || '') ||
      !!(el.closest && el.closest('[data-notai-ignore]')));
  const fieldId = (el) =>
    cut(el.getAttribute('name') || el.id || el.tagName.toLowerCase(), 64);
  const valueLength = (el) =>
    ('value' in el ? String(el.value) : el.textContent || '').length;

  on(d, 'pointermove', (e) => {
    if (e.pointerType === 'touch') return;
    const run = addMove(e, e.clientX, e.clientY);
    run.c += e.getCoalescedEvents ? e.getCoalescedEvents().length : 1;
  }, true);

  const click = (phase) => (e) => {
    const r = e.target && e.target.getBoundingClientRect && e.target.getBoundingClientRect();
    const fromTouch = e.sourceCapabilities && e.sourceCapabilities.firesTouchEvents;
    push(
      'mouse_click',
      {
        phase,
        x: coord(e.clientX),
        y: coord(e.clientY),
        button: clamp(e.button, 0, 16),
        target: r ? { x: coord(r.x), y: coord(r.y), w: coord(r.width), h: coord(r.height) } : undefined,
        // No pointing device behind it (detail 0): the click of Enter or Space on a control,
        // the mousedown and mouseup of a screen reader's or voice control's activation.
        pointer:
          e.isTrusted && !e.detail ? 'keyboard' : e.pointerType || (fromTouch ? 'touch' : 'mouse'),
        trusted: e.isTrusted,
      },
      at(e),
    );
  };
  ['down', 'up', 'click'].forEach((p) => on(d, p === 'click' ? p : 'mouse' + p, click(p), true));

  on(w, 'scroll', (e) => addScroll(e, w.scrollX, w.scrollY));

  const touch = (phase) => (e) => {
    const list = Array.from(e.changedTouches || []);
    if (phase !== 'move') endTouch();
    list.forEach((p) => addTouch(e, p.clientX, p.clientY, { p: phase }));
    if (phase !== 'move') endTouch();
  };
  ['start', 'move', 'end', 'cancel'].forEach((p) => on(d, 'touch' + p, touch(p), true));

  // Keys: when each went down and up, and its class. The key itself is read only to classify
  // it, and never for secret fields; it is never stored or sent.
  const keyClass = (k, el) =>
    isSecret(el)
      ? 'other'
      : k === ' '
        ? 'space'
        : /^\d$/.test(k)
          ? 'digit'
          : /^\p{L}$/u.test(k)
            ? 'letter'
            : /^(Backspace|Delete)$/.test(k)
              ? 'backspace'
              : k === 'Enter'
                ? 'enter'
                : /^(Shift|Control|Alt|AltGraph|Meta|CapsLock|Fn)$/.test(k)
                  ? 'modifier'
                  : 'other';
  let keys = null;
  let keyAt = 0;
  const endKeys = () => {
    if (keys) {
      const k = keys;
      keys = null;
      push('keypress', { keys: k.k, untrusted: k.u, shiftless: k.s }, k.t);
    }
  };
  on(d, 'keydown', (e) => {
    const t = at(e);
    if (keys && (keys.k.length >= MAX_SAMPLES || t - keys.t > 6e4)) endKeys();
    if (!keys) keys = { t, k: [], u: 0, s: 0, down: new Map() };
    const entry = [t - keys.t, -1, keyClass(e.key || '', e.target)];
    keys.k.push(entry);
    keys.down.set(e.code || e.key, entry);
    if (!e.isTrusted) keys.u++;
    keyAt = Date.now();
    // A capital from its own letter key (key C, code KeyC) with neither Shift nor Caps Lock:
    // no keyboard can do it; tools that type by sending key events do. Counted, never which
    // letter; not in secret fields.
    if (
      e.code === 'Key' + e.key &&
      !e.shiftKey &&
      !e.getModifierState('CapsLock') &&
      !isSecret(e.target)
    )
      keys.s++;
  }, true);
  on(d, 'keyup', (e) => {
    const entry = keys && keys.down.get(e.code || e.key);
    if (entry) {
      entry[1] = clamp(at(e) - keys.t, -6e5, 6e5);
      keys.down.delete(e.code || e.key);
    }
    keyAt = Date.now();
  }, true);

  const lengths = new WeakMap();
  ['focus', 'blur'].forEach((kind) => {
    // A field gaining or losing focus, and the window (tab) itself.
    on(d, kind === 'focus' ? 'focusin' : 'focusout', (e) => {
      const el = e.target;
      if (!isField(el)) return;
      lengths.set(el, valueLength(el));
      push('focus', { kind, field: fieldId(el) });
    }, true);
    on(w, kind, (e) => e.target === w && push('focus', { kind }));
  });

  on(d, 'input', (e) => {
    const el = e.target;
    if (!isField(el) || isSecret(el)) return;
    const length = valueLength(el);
    const before = lengths.has(el) ? lengths.get(el) : length - (e.data || '').length;
    lengths.set(el, length);
    push('input', {
      field: fieldId(el),
      inputType: cut(e.inputType),
      delta: clamp(length - before, -1e7, 1e7),
      length: clamp(length, 0, 1e6),
      trusted: e.isTrusted,
    });
  }, true);

  // Only how much: the pasted text's length, or how much was selected for copy or cut.
  const selected = (el) =>
    el && el.selectionEnd != null ? el.selectionEnd - el.selectionStart : String(w.getSelection()).length;
  ['paste', 'copy', 'cut'].forEach((action) =>
    on(d, action, (e) => {
      const el = e.target;
      const length =
        action === 'paste'
          ? ((e.clipboardData && e.clipboardData.getData('text')) || '').length
          : selected(el);
      push('clipboard', {
        action,
        length: isSecret(el) ? 0 : clamp(length, 0, 1e6),
        field: isField(el) ? fieldId(el) : '',
      });
    }, true),
  );

  on(d, 'submit', (e) => {
    const form = e.target;
    push('form_submit', {
      form: cut(form.getAttribute('id') || form.getAttribute('name') || ''),
      fields: clamp(form.elements ? form.elements.length : 0, 0, 1e6),
    });
  }, true);

  // --- navigation: full loads and in-page routes -------------------------------------------

  let lastUrl = loc.href;
  const route = (kind) => {
    if (loc.href === lastUrl) return;
    lastUrl = loc.href;
    paused = excluded(); // an excluded route's URL is not recorded either
    push('navigation', { url: cut(loc.href, 2048), kind });
    identifyFromPage();
  };
  ['pushState', 'replaceState'].forEach((name) => {
    const original = history[name];
    if (typeof original !== 'function') return;
    history[name] = function (...args) {
      const result = original.apply(this, args);
      guard(route)('route');
      return result;
    };
  });
  on(w, 'popstate', () => route('back'));
  on(w, 'hashchange', () => route('route'));

  // --- the LMS user and course -------------------------------------------------------------

  const origin = loc.origin;
  const FIELDS = ['provider', 'userId', 'userName', 'userUrl', 'courseId', 'courseName', 'courseUrl'];
  // An LMS context from values in FIELDS order; empty values are left out.
  const context = (...values) => {
    const lms = {};
    FIELDS.forEach((name, i) => {
      const value = values[i];
      if (value != null && value !== '') lms[name] = cut(value, /Url$/.test(name) ? 2048 : 256);
    });
    return lms;
  };
  const canvas = () => {
    const env = w.ENV;
    if (!env || !(env.current_user_id || env.current_user)) return;
    const user = env.current_user || {};
    const id = String(user.id || env.current_user_id);
    const course =
      pick(loc.pathname, /^\/courses\/(\d+)/) || pick(env.context_asset_string, /^course_(\d+)$/);
    return context(
      'canvas',
      id,
      user.display_name,
      user.html_url || origin + '/about/' + id,
      course,
      course && text('#breadcrumbs a[href$="/courses/' + course + '"]'),
      course && origin + '/courses/' + course,
    );
  };
  const moodle = () => {
    const cfg = w.M && w.M.cfg;
    if (!cfg || !cfg.wwwroot) return;
    const link = d.querySelector('.logininfo a[href*="/user/profile.php?id="]');
    const holder = d.querySelector('[data-userid]');
    const id =
      cfg.userId || (holder && holder.getAttribute('data-userid')) || pick(link && link.href, /id=(\d+)/);
    // The site's front page is course `siteId`: not a course anyone takes.
    const course = cfg.courseId && cfg.courseId !== cfg.siteId ? cfg.courseId : '';
    const avatar = d.querySelector('.userinitials[title], .userpicture[title]');
    return context(
      'moodle',
      id,
      (link && link.textContent.trim()) || (avatar && avatar.title) || text('.usertext'),
      id && cfg.wwwroot + '/user/profile.php?id=' + id,
      course,
      course && text('.page-header-headings h1'),
      course && cfg.wwwroot + '/course/view.php?id=' + course,
    );
  };
  const blackboard = () => {
    const user = (w.__initialContext || {}).user;
    const course =
      pick(loc.pathname, /\/ultra\/courses\/(_\d+_\d+)/) || pick(loc.search, /[?&]course_id=(_\d+_\d+)/);
    if (!user && !course) return;
    const u = user || {};
    return context(
      'blackboard',
      u.id,
      [u.givenName, u.familyName].join(' ').trim() || u.userName || text('#global-nav-link'),
      u.id && origin + '/learn/api/public/v1/users/' + u.id,
      course,
      course && text('#courseMenu_link, .course-title'),
      course && origin + '/ultra/courses/' + course + '/outline',
    );
  };
  const d2l = () => {
    const raw = d.documentElement.getAttribute('data-global-context');
    if (!raw) return;
    const global = JSON.parse(raw);
    const ou =
      pick(loc.pathname, /^\/d2l\/(?:home|le\/[a-z]+|lms\/[a-z]+)\/(\d+)/) || pick(loc.search, /[?&]ou=(\d+)/);
    // The organisation's own home is an org unit too, but not a course.
    const course = ou !== String(global.orgId) && ou;
    return context(
      'd2l',
      global.userId,
      text('.d2l-navigation-s-personal-menu-text'),
      '',
      course,
      course && text('.d2l-navigation-s-title-container a'),
      course && origin + '/d2l/home/' + course,
    );
  };
  const schoology = () => {
    const props = w.siteNavigationUiProps;
    const user = props && props.props && props.props.user;
    if (!user || !user.uid) return;
    const course = pick(loc.pathname, /^\/course\/(\d+)/);
    return context(
      'schoology',
      user.uid,
      user.name,
      origin + '/user/' + user.uid + '/info',
      course,
      course && text('#center-top .page-title'),
      course && origin + '/course/' + course,
    );
  };
  const sakai = () => {
    const portal = w.portal;
    const user = portal && portal.user;
    if (!user || !user.id || !portal.portalPath) return;
    const site = String(portal.siteId || '');
    // "~user" sites are personal workspaces and "!" sites administrative: not courses.
    const course = !/^[~!]/.test(site) && site;
    return context(
      'sakai',
      user.id,
      text('.Mrphs-userNav__submenuitem--fullname') || user.eid,
      portal.portalPath + '/site/~' + user.id,
      course,
      course && portal.siteTitle,
      course && portal.portalPath + '/site/' + course,
    );
  };

  let declared = null; // what the page said through notai('identify', ...)
  let known = {};
  const fromPage = () => {
    for (const adapter of [canvas, moodle, blackboard, d2l, schoology, sakai]) {
      const found = guard(adapter)();
      if (found) return found;
    }
    return {};
  };
  const readLms = () => (declared ? { ...fromPage(), ...declared } : fromPage());
  // The page may learn its user after the pixel started (an LMS that renders late).
  const identifyFromPage = () => {
    const lms = readLms();
    if (lms.userId && (lms.userId !== known.userId || lms.courseId !== known.courseId) && initSent) {
      known = lms;
      push('identify', { lms });
    }
  };

  // --- the page's API: notai('identify', {...}) --------------------------------------------

  const api = guard((command, value) => {
    if (command === 'identify' && value && typeof value === 'object') {
      const given = { provider: 'custom', ...value };
      declared = context(...FIELDS.map((name) => given[name]));
      identifyFromPage();
    }
  });
  const queued = (w.notai && w.notai.q) || [];
  api.v = 1;
  w.notai = api;

  // --- the environment: what the browser says about itself ---------------------------------

  // An element an agent extension adds to the page while its agent works in it, found by its
  // id among window's named properties: Claude for Chrome's glowing frame (1.0.x).
  const AGENT_MARK = 'claude-agent-glow-border';
  // One name per tool where a tool sets several (PhantomJS also sets _phantom; old
  // ChromeDriver also sets domAutomation).
  const AUTOMATION = [
    '__playwright__binding__',
    '__pwInitScripts',
    'callPhantom',
    '__nightmare',
    'domAutomationController',
    '_selenium',
    '__selenium_unwrapped',
    '__webdriver_evaluate',
    '__driver_evaluate',
    '__webdriver_script_fn',
    '__fxdriver_unwrapped',
    AGENT_MARK,
  ];
  const agentAt = () => AGENT_MARK in w;
  const automation = () =>
    AUTOMATION.filter((name) => name in w || name in d)
      .concat(
        // ChromeDriver's and WebDriver's own variables, on window or document
        [...Object.getOwnPropertyNames(w), ...Object.keys(d)].filter((name) => /^\$?[cw]dc_/.test(name)),
        d.documentElement.getAttribute('webdriver') != null ? ['webdriver-attribute'] : [],
      )
      .slice(0, 64)
      .map((name) => cut(name));
  // A DevTools-protocol client that enabled the Runtime domain serialises console arguments,
  // reading an error's stack; a page alone never does.
  const devtoolsProtocol = () => {
    let read = false;
    const probe = new Error();
    Object.defineProperty(probe, 'stack', { get: () => ((read = true), '') });
    console.debug(probe);
    return read;
  };
  const webgl = () => {
    const gl = d.createElement('canvas').getContext('webgl');
    if (!gl) return '';
    const info = /Firefox/.test(nav.userAgent) ? null : gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
    const lose = gl.getExtension('WEBGL_lose_context');
    if (lose) lose.loseContext();
    return cut(renderer, 2048);
  };
  const size = (width, height) => ({ w: clamp(width, 0, 1e5), h: clamp(height, 0, 1e5) });
  const environment = () => {
    const hints = nav.userAgentData;
    const screen = w.screen || {};
    return {
      userAgent: cut(nav.userAgent, 2048),
      webdriver: nav.webdriver === true,
      automation: automation(),
      platform: cut(nav.platform),
      languages: Array.from(nav.languages || []).slice(0, 32).map((l) => cut(l)),
      timezone: cut(Intl.DateTimeFormat().resolvedOptions().timeZone),
      screen: size(screen.width, screen.height),
      viewport: size(w.innerWidth, w.innerHeight),
      // The window with its tabs and address bar; as large as the page only without them.
      outer: size(w.outerWidth, w.outerHeight),
      // A full-screen page fills the screen; otherwise a viewport that large is emulated.
      fullscreen: !!d.fullscreenElement || w.matchMedia('(display-mode: fullscreen)').matches,
      pixelRatio: Math.min(100, w.devicePixelRatio || 1),
      plugins: clamp(nav.plugins ? nav.plugins.length : 0, 0, 1e4),
      webglRenderer: guard(webgl)() || '',
      // Not hardwareConcurrency: no signal reads it, and it would only sharpen a fingerprint.
      touchPoints: clamp(nav.maxTouchPoints, 0, 1e3),
      brands: hints ? hints.brands.slice(0, 32).map((b) => cut(b.brand)) : [],
      mobile: hints ? !!hints.mobile : undefined,
      cdpArtefacts: !!guard(devtoolsProtocol)(),
    };
  };

  // --- transport: WebSocket frames, JSON batches as fallback -------------------------------

  const te = new TextEncoder();
  // MessagePack, for the shapes messages have: maps, arrays, strings, integers, floats, booleans.
  const frame = (kind, number, body) => {
    let buf = new Uint8Array(512);
    let view = new DataView(buf.buffer);
    let pos = 6;
    const room = (n) => {
      if (pos + n > buf.length) {
        const bigger = new Uint8Array((pos + n) * 2);
        bigger.set(buf);
        buf = bigger;
        view = new DataView(buf.buffer);
      }
    };
    // `type` names the DataView setter; its digits say how many bits it writes.
    const put = (code, type, value) => {
      room(9);
      buf[pos++] = code;
      if (type) {
        view['set' + type](pos, value);
        pos += type.replace(/\D/g, '') / 8;
      }
    };
    const head = (n, fix, code) => (n < 16 ? put(fix | n) : put(code, 'Uint32', n));
    const enc = (v) => {
      if (v == null) put(0xc0);
      else if (typeof v === 'boolean') put(v ? 0xc3 : 0xc2);
      else if (typeof v === 'number') {
        if (!Number.isInteger(v)) put(0xcb, 'Float64', v);
        else if (v >= 0 && v < 128) put(v);
        else if (v >= 0 && v < 65536) put(0xcd, 'Uint16', v);
        else if (v >= 0 && v < 2 ** 32) put(0xce, 'Uint32', v);
        else if (v >= 2 ** 32) {
          // uint64 (client times): the high word, then the low word's four bytes.
          put(0xcf, 'Uint32', Math.floor(v / 2 ** 32));
          put(v >>> 24, 'Uint16', (v >>> 8) & 0xffff);
          put(v & 255);
        } else if (v >= -32) put(v & 255);
        else put(0xd2, 'Int32', v);
      } else if (typeof v === 'string') {
        const bytes = te.encode(v);
        if (bytes.length < 32) put(0xa0 | bytes.length);
        else put(0xdb, 'Uint32', bytes.length);
        room(bytes.length);
        buf.set(bytes, pos);
        pos += bytes.length;
      } else if (Array.isArray(v)) {
        head(v.length, 0x90, 0xdd);
        v.forEach(enc);
      } else {
        const names = Object.keys(v).filter((k) => v[k] !== undefined);
        head(names.length, 0x80, 0xdf);
        names.forEach((k) => {
          enc(k);
          enc(v[k]);
        });
      }
    };
    enc(body);
    buf[0] = 1;
    buf[1] = kind;
    view.setUint32(2, number);
    return buf.slice(0, pos);
  };

  // `out` is in seq order (init, seq 0, is queued before anything is sent) and is sent in
  // order, so "acknowledged up to seq N" forgets a prefix of it.
  const FRAME_MESSAGES = 200;
  let ws = null;
  let ready = false;
  let stopped = false;
  let failures = 0;
  let frameNumber = 0;
  let sentSeq = -1; // the last seq sent on this connection
  let retry = 0;
  let posting = false;
  let initSent = false;
  let agentSeen = false; // the last init reported an agent at work
  const frames = new Map(); // frame number -> its last seq, until answered

  const forget = (upTo) => {
    while (out.length && out[0].seq <= upTo) out.shift();
  };
  const stop = () => {
    stopped = true;
    out.length = 0;
    if (ws) ws.close();
  };
  const connect = () => {
    if (stopped || ws) return;
    try {
      ws = new WebSocket(endpoint.replace(/^http/, 'ws') + '/collect/v1/ws');
    } catch (e) {
      // Refused at once (a Content-Security-Policy, say): count it and fall back to batches.
      return reconnect();
    }
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => ws.send(frame(1, 0, { integration: key, session, region: region || undefined }));
    ws.onmessage = guard((e) => {
      const view = new DataView(e.data);
      const kind = view.getUint8(1);
      const number = view.getUint32(2);
      if (kind === 0x81) {
        ready = true;
        failures = 0;
        flush();
      } else if (frames.has(number)) {
        // Acknowledged (0x82), or refused for good (0x83: a frame that can never be stored).
        forget(frames.get(number));
        frames.delete(number);
      }
    });
    ws.onclose = guard((e) => {
      ws = null;
      ready = false;
      sentSeq = -1;
      frames.clear();
      // 1008: refused for good (unknown data-key, origin or region); anything else: retry.
      if (e.code === 1008) stop();
      else reconnect();
    });
  };
  const reconnect = () => {
    failures++;
    clearTimeout(retry);
    retry = setTimeout(guard(connect), Math.min(3e4, 250 * 2 ** failures) * (0.5 + Math.random()));
  };

  const BATCH_URL = endpoint + '/collect/v1/batch';
  const batch = (messages) => JSON.stringify({ v: 1, integration: key, session, events: messages });
  // Without a WebSocket (a proxy that blocks it), batches go over HTTP; the answer acknowledges.
  const post = () => {
    const messages = out.slice(0, FRAME_MESSAGES);
    posting = true;
    fetch(BATCH_URL, {
      method: 'POST',
      body: batch(messages), // a string: sent as text/plain, which needs no CORS preflight
      credentials: 'omit',
    })
      .then((r) => {
        if (r.status === 403 || r.status === 404) stop();
        else if (r.status < 500) forget(messages[messages.length - 1].seq);
      })
      .catch(() => {})
      .finally(() => (posting = false));
  };
  // On page hide: everything unacknowledged, in beacons of what a beacon may carry.
  const beacon = () => {
    for (let i = 0; i < out.length; i += FRAME_MESSAGES) {
      nav.sendBeacon(BATCH_URL, batch(out.slice(i, i + FRAME_MESSAGES)));
    }
  };

  const flush = () => {
    if (!initSent || stopped) return;
    if (!ready) {
      if (failures > 1 && !posting && out.length) post();
      return;
    }
    for (let sent = 0; sent < 10; sent++) {
      const messages = out.filter((m) => m.seq > sentSeq).slice(0, FRAME_MESSAGES);
      if (!messages.length) return;
      sentSeq = messages[messages.length - 1].seq;
      frames.set(++frameNumber, sentSeq);
      ws.send(frame(2, frameNumber, messages));
    }
  };

  // One timer: close idle runs, beat while idle, flush.
  const tick = () => {
    if (keys && Date.now() - keyAt > 1500) endKeys();
    endMoves();
    endScroll();
    const idle = Date.now() - lastMessageAt;
    if (idle >= (d.visibilityState === 'hidden' ? 6e4 : 15e3)) push('heartbeat', {});
    // An agent that starts working after the init: a fresh init says what the page holds now.
    if (initSent && !agentSeen && agentAt()) push('init', initFields());
    flush();
  };

  const hidden = () => {
    endKeys();
    endMoves();
    endScroll();
    if (ready) flush();
    else beacon();
  };
  on(d, 'visibilitychange', () => {
    push('focus', { kind: d.visibilityState === 'hidden' ? 'hidden' : 'visible' });
    if (d.visibilityState === 'hidden') hidden();
  });
  on(w, 'pagehide', () => {
    sendInit(); // in case the page is left before its first idle moment
    endKeys();
    push('close', { reason: 'pagehide' });
    beacon();
    // A page with an open WebSocket cannot enter the back-forward cache.
    if (ws) ws.close(1000);
  });
  on(w, 'pageshow', (e) => {
    if (!e.persisted) return;
    lastUrl = loc.href;
    push('navigation', { url: cut(loc.href, 2048), kind: 'back' });
    connect();
  });

  // --- start -------------------------------------------------------------------------------

  const started = now();
  const entry = performance.getEntriesByType && performance.getEntriesByType('navigation')[0];
  const loadKind = { reload: 'reload', back_forward: 'back' }[entry && entry.type] || 'load';
  push('navigation', { url: cut(loc.href, 2048), kind: loadKind }, started);
  queued.forEach((args) => api(...args));

  // The init message waits for the parsed page (the LMS user menu is near its end) and an
  // idle moment (a WebGL context costs a few milliseconds).
  const initFields = () => {
    const lms = (known = readLms());
    agentSeen = agentAt();
    return {
      url: cut(loc.href, 2048),
      title: cut(d.title, 2048),
      referrer: cut(d.referrer, 2048),
      env: environment(),
      lms: lms.provider || lms.userId ? lms : undefined,
    };
  };
  const sendInit = guard(() => {
    if (initSent) return;
    initSent = true;
    push('init', initFields(), started, 0);
  });
  const whenIdle = () =>
    w.requestIdleCallback ? requestIdleCallback(sendInit, { timeout: 2000 }) : setTimeout(sendInit, 1);
  if (d.readyState === 'loading') on(d, 'DOMContentLoaded', whenIdle);
  else whenIdle();
  on(w, 'load', identifyFromPage);
  setInterval(guard(tick), 1000);
  guard(connect)();
 } catch (e) {
  // A browser without what the pixel needs: record nothing, disturb nothing.
 }
})();
