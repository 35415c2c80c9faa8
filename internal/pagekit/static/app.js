// Dyad respondent pages: progressive enhancement only. Without this file
// every page still works; with it, follow-up questions appear as soon as
// they apply, text fields count characters, and the error summary moves
// focus to the field it names.
(function () {
  'use strict';
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  // show_if within the page. The server decides for conditions on other
  // pages (those items carry no data-if; in a data-if, a comparison on
  // another page is its verdict, {c: true|false}) and checks everything
  // again. holds follows survey's rule (internal/survey/shown.go): a
  // comparison on an item that is hidden or unanswered is false, except
  // answered: false; lt, lte, gt and gte never hold for a missing code.
  var form = document.querySelector('form[data-section]');
  if (form) {
    var items = form.querySelectorAll('.item[id^="item-"]');
    var shownField = form.querySelector('input[name="_shown"]');
    var values = function (name) {
      var out = [];
      each(form.querySelectorAll('[name="' + name + '"]'), function (el) {
        // A slider whose "No answer" box is ticked has no value.
        var none = el.type === 'range' && form.querySelector('input[name="_na_' + name + '"]');
        if (none && none.checked) return;
        if (el.type === 'radio' || el.type === 'checkbox') {
          if (el.checked) out.push(Number(el.value));
        } else if (el.getAttribute('inputmode') === 'numeric') {
          if (/^\s*-?\d+\s*$/.test(el.value)) out.push(parseInt(el.value, 10));
        } else if (el.value.trim() !== '') {
          out.push(el.value);
        }
      });
      return out;
    };
    var has = function (list, x) { return list.indexOf(x) >= 0; };
    var holds = function (c, shown) {
      if (c.c !== undefined) return c.c;
      if (c.all) return c.all.every(function (x) { return holds(x, shown); });
      if (c.any) return c.any.some(function (x) { return holds(x, shown); });
      if (c.not) return !holds(c.not, shown);
      var v = shown[c.item] === true ? values(c.item) : [];
      if (c.answered === false) return v.length === 0;
      if (v.length === 0) return false;
      if (c.equals !== undefined && !has(v, c.equals)) return false;
      if (c['in'] && !c['in'].some(function (x) { return has(v, x); })) return false;
      if (c.not_equals !== undefined && has(v, c.not_equals)) return false;
      if (c.lt !== undefined || c.lte !== undefined || c.gt !== undefined || c.gte !== undefined) {
        var x = v[0];
        if (v.length !== 1 || typeof x !== 'number' || has(c.missing || [], x)) return false;
        if ((c.lt !== undefined && x >= c.lt) || (c.lte !== undefined && x > c.lte) ||
            (c.gt !== undefined && x <= c.gt) || (c.gte !== undefined && x < c.gte)) return false;
      }
      return true;
    };
    var conds = {};
    each(items, function (el) {
      var src = el.getAttribute('data-if');
      if (src) { try { conds[el.id] = JSON.parse(src); } catch (e) { /* the server decides */ } }
    });
    var update = function () {
      var shown = {}, ids = [];
      each(items, function (el) {
        var id = el.id.slice(5), visible = !el.hidden;
        if (conds[el.id]) {
          visible = holds(conds[el.id], shown);
          el.hidden = !visible;
        }
        shown[id] = visible;
        if (visible) ids.push(id);
      });
      if (shownField) shownField.value = ids.join(' ');
    };
    form.addEventListener('change', update);
    // Typing changes numbers and whether a text is answered.
    form.addEventListener('input', update);
    update();
  }

  // Character counters, announced politely once typing pauses.
  // The words come from the page (data-count-left/-over: the catalog's
  // plural forms with # for the number), so they are in its language;
  // Intl.PluralRules picks the form by the same CLDR rules as the server.
  var live = document.getElementById('live'), timer;
  var lang = document.documentElement.lang || 'en';
  var forms = function (attr) {
    try { return JSON.parse((form && form.getAttribute(attr)) || '{}'); } catch (e) { return {}; }
  };
  var leftForms = forms('data-count-left'), overForms = forms('data-count-over');
  var numLocale = (form && form.getAttribute('data-number-locale')) || lang;
  var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
  var plural = function (f, n) {
    var cat = rules ? rules.select(n) : (n === 1 ? 'one' : 'other');
    if (n === 0 && f.zero) cat = 'zero';
    var text = f[cat] || f.other || '';
    return text.replace('#', n.toLocaleString(numLocale));
  };
  each(document.querySelectorAll('[data-maxlength]'), function (el) {
    var max = parseInt(el.getAttribute('data-maxlength'), 10);
    var out = document.getElementById('count-' + el.name);
    if (!out) return;
    var count = function () {
      var left = max - Array.from(el.value).length;
      var msg = left >= 0 ? plural(leftForms, left) : plural(overForms, -left);
      out.textContent = msg;
      out.classList.toggle('over', left < 0);
      return msg;
    };
    count();
    el.addEventListener('input', function () {
      var msg = count();
      clearTimeout(timer);
      timer = setTimeout(function () { if (live) live.textContent = msg; }, 1200);
    });
  });

  // Error summary links focus their field and bring its question into view.
  each(document.querySelectorAll('.error-summary a[href^="#"]'), function (a) {
    a.addEventListener('click', function (e) {
      var target = document.getElementById(a.getAttribute('href').slice(1));
      if (!target) return;
      e.preventDefault();
      var box = target.closest('.item') || target;
      box.scrollIntoView({ block: 'start' });
      target.focus({ preventScroll: true });
    });
  });

  // Chrome follows a link on Enter's keydown; when that moves the focus to
  // a radio, the same key's keypress would then submit the form from there.
  // An Enter that went down elsewhere submits nothing.
  var downOn = null;
  document.addEventListener('keydown', function (e) { downOn = e.target; }, true);
  document.addEventListener('keypress', function (e) {
    if (e.key === 'Enter' && e.target !== downOn && e.target.form) e.preventDefault();
  }, true);

  var link = document.getElementById('resume-link');
  if (link) link.addEventListener('focus', function () { link.select(); });

  // One submission per page view; the server is idempotent anyway. Pages
  // restored from the back/forward cache may submit again.
  document.addEventListener('submit', function (e) {
    if (e.target.getAttribute('data-sent')) { e.preventDefault(); return; }
    e.target.setAttribute('data-sent', '1');
  });
  window.addEventListener('pageshow', function () {
    each(document.querySelectorAll('form[data-sent]'), function (f) { f.removeAttribute('data-sent'); });
  });
})();

// The item types of internal/web/itemtypes.go, enhanced: every page works
// without this part; with it, an exclusive option ("None of these")
// unticks the others and is unticked by them, typing in an "Other, please
// specify" box chooses that option, and a slider leaves its "No answer"
// state when moved and reads its position out as "37 of 100".
(function () {
  'use strict';
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var form = document.querySelector('form[data-section]');
  if (!form) return;
  var fire = function (el) { el.dispatchEvent(new Event('change', { bubbles: true })); };

  form.addEventListener('change', function (e) {
    var box = e.target;
    if (box.type !== 'checkbox' || !box.checked || box.hasAttribute('data-slider')) return;
    var exclusive = box.hasAttribute('data-exclusive');
    each(form.querySelectorAll('input[type="checkbox"][name="' + box.name + '"]'), function (other) {
      if (other !== box && other.checked && (exclusive || other.hasAttribute('data-exclusive'))) {
        other.checked = false;
        fire(other);
      }
    });
  });

  each(form.querySelectorAll('input[data-other]'), function (option) {
    var text = document.getElementById(option.getAttribute('data-other'));
    if (!text) return;
    text.addEventListener('input', function () {
      if (text.value.trim() !== '' && !option.checked) {
        option.checked = true;
        fire(option);
      }
    });
  });

  each(form.querySelectorAll('input[data-slider]'), function (none) {
    var range = document.getElementById(none.getAttribute('data-slider'));
    if (!range) return;
    var words = range.getAttribute('data-valuetext') || '#';
    var unsetWords = range.getAttribute('data-unset-text') || '';
    var say = function () {
      range.setAttribute('aria-valuetext', none.checked ? unsetWords : words.replace('#', range.value));
    };
    range.addEventListener('input', function () {
      if (none.checked) none.checked = false;
      say();
    });
    // A click on the thumb where it already is moves nothing: still an answer.
    range.addEventListener('change', function () {
      if (none.checked) { none.checked = false; say(); }
    });
    none.addEventListener('change', say);
    say();
  });
})();
