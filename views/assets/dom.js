// Shared by the app's components (views/web.py puts it before each one's own code): an element
// with a class and a text, the text always set as text (textContent), never parsed as HTML.
function element(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined && text !== null) made.textContent = text;
  return made;
}

