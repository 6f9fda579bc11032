// The app's menu in the sidebar (views/menu.py): the pages a person's roles use, by section,
// as plain links. Streamlit's own menu redrew itself on every run, a fragment's too (each
// answer in the form); this one is drawn only when the whole page is.
//
// A click opens the page the way the browser's back and forward buttons do in Streamlit: the
// address changes (history.pushState) and Streamlit is told (a popstate event), so it runs the
// new page in the same session, without a run of the page left. A click with a modifier key,
// or the middle button, is the browser's: the page opens in a new tab. On a narrow screen,
// where the sidebar covers the page, the sidebar closes after a tap, as Streamlit's menu does.
// Everything shown is set as text (textContent, attributes), never parsed as HTML.
const NARROW = "(max-width: 767.98px)";  // Streamlit's "md" breakpoint: the sidebar overlays the page

export default function (component) {
  const { parentElement } = component;
  const data = component.data[0];  // see views/web.py
  let nav = parentElement.querySelector("nav");
  if (!nav) {
    nav = element("nav", "menu");
    parentElement.appendChild(nav);
  }
  nav.setAttribute("aria-label", data.label);
  const parts = [];
  data.sections.forEach((section, n) => {
    const heading = element("p", "section", section.title);
    heading.id = `menu-section-${n}`;
    const list = element("ul", "pages");
    list.setAttribute("aria-labelledby", heading.id);
    for (const page of section.pages) {
      const link = element("a", "page");
      link.href = page.href;
      if (page.path === data.current) link.setAttribute("aria-current", "page");
      const icon = element("span", "icon", page.icon);
      icon.setAttribute("aria-hidden", "true");
      link.append(icon, element("span", "title", page.title));
      link.addEventListener("click", (event) => follow(event, link, nav));
      const item = element("li");
      item.appendChild(link);
      list.appendChild(item);
    }
    parts.push(heading, list);
  });
  nav.replaceChildren(...parts);
}

function follow(event, link, nav) {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  const target = new URL(link.href);
  if (target.pathname !== location.pathname || location.search) history.pushState(null, "", target.pathname);
  dispatchEvent(new PopStateEvent("popstate", { state: null }));
  for (const other of nav.querySelectorAll('a[aria-current="page"]')) other.removeAttribute("aria-current");
  link.setAttribute("aria-current", "page");
  if (matchMedia(NARROW).matches) {
    const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (close) close.click();
  }
}
