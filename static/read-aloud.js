// 朗读: reads the main text of a page aloud where the browser can (progressive enhancement;
// without script or speech synthesis nothing is shown). The main text is what the page marks
// with data-speak (a ballot: its facts and options; a decision: its verdict, counts and rule),
// read after the page's title with one button before the first mark; otherwise each
// ".card.body" (an item, a disclosure, an order) gets its own button, and failing that the
// page's first dl.facts is read after its title. The button's words
// come from the page (data-read / data-stop on <body>).
(function () {
  if (!('speechSynthesis' in window) || typeof SpeechSynthesisUtterance !== 'function') return;
  var body = document.body;
  var say = body.getAttribute('data-read') || '朗读';
  var stop = body.getAttribute('data-stop') || '停止朗读';
  var lang = document.documentElement.lang || 'zh-CN';
  var blocks = Array.prototype.slice.call(document.querySelectorAll('main .card.body'));
  var title = document.querySelector('main h1');
  var marked = Array.prototype.slice.call(document.querySelectorAll('main [data-speak]'));
  if (!marked.length && !blocks.length) marked = Array.prototype.slice.call(document.querySelectorAll('main dl.facts')).slice(0, 1);
  var facts = marked.length ? marked[0] : null;
  if (facts) blocks = [facts];
  blocks.forEach(function (block) {
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary speak';
    button.textContent = say;
    button.addEventListener('click', function () {
      if (speechSynthesis.speaking) {
        speechSynthesis.cancel();
        button.textContent = say;
        return;
      }
      var words = block === facts
        ? (title ? title.innerText + '。' : '') + marked.map(function (m) { return m.innerText; }).join('。')
        : block.innerText;
      var u = new SpeechSynthesisUtterance(words);
      u.lang = lang;
      u.onend = function () { button.textContent = say; };
      button.textContent = stop;
      speechSynthesis.speak(u);
    });
    block.parentNode.insertBefore(button, block);
  });
})();
