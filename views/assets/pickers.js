// A row of choices at the top of a page: where in the organisation the page stands (the way
// down from the top as breadcrumbs, each step above the current one a button) and native
// drop-down lists (unit, cycle, a child to go down to). A native list costs the browser a
// fraction of a Streamlit selectbox and is what phones and screen readers know best.
//
// A choice sends the state value "chosen": {nonce, picks}, where picks holds every choice made
// since the row was drawn (name -> the option's value as a string), so two choices made before
// the server has answered the first are both kept; the nonce tells the server a new choice
// from one it has already acted on.
//
// The arrow keys on a closed list open it instead of changing its value at once (Chromium's
// default on Linux and Windows), so that a keyboard user moves through the options before
// choosing one: each choice reruns the page.
// Everything shown is set as text (textContent, attributes), never parsed as HTML.
export default function (component) {
  const { parentElement, setStateValue } = component;
  const data = component.data[0];  // see views/web.py
  let root = parentElement.querySelector(".pickers");
  if (!root) {
    root = element("div", "pickers");
    parentElement.appendChild(root);  // beside the component's own style element
  }
  if (root.dataset.key !== data.key) {
    root.dataset.key = data.key;
    root.picks = {};
  }
  const focused = parentElement.getRootNode().activeElement;
  const refocus = focused && focused.dataset ? focused.dataset.name : null;
  const parts = [];
  if (data.crumbs) parts.push(crumbs(data.crumbs));
  if (data.choices.length) {
    const row = element("div", "row");
    for (const choice of data.choices.filter((c) => c.kind !== "tabs")) row.appendChild(list(choice));
    if (row.childElementCount) parts.push(row);
    for (const choice of data.choices.filter((c) => c.kind === "tabs")) parts.push(tabs(choice));
  }
  root.replaceChildren(...parts);
  if (refocus) {
    const again = root.querySelector(`[data-name="${CSS.escape(refocus)}"]`);
    if (again) again.focus();
  }

  function send(name, value) {
    root.picks = { ...root.picks, [name]: value };
    const nonce = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    setStateValue("chosen", { nonce, picks: root.picks });
  }

  function crumbs(trail) {
    const nav = element("nav", "crumbs");
    nav.setAttribute("aria-label", trail.label);
    const steps = element("ol");
    trail.steps.forEach(([value, name], index) => {
      const step = element("li");
      if (index === trail.steps.length - 1) {
        const here = element("span", "here", name);
        here.setAttribute("aria-current", "location");
        step.appendChild(here);
      } else {
        const button = element("button", "step", name);
        button.type = "button";
        button.dataset.name = `${trail.name}:${value}`;
        button.addEventListener("click", () => send(trail.name, value));
        step.appendChild(button);
      }
      steps.appendChild(step);
    });
    nav.appendChild(steps);
    return nav;
  }

  // Sections of a page, of which only the chosen one is drawn: a tab bar. The arrow keys move
  // between the tabs, Enter or a click opens one (each opening reruns the page).
  function tabs(choice) {
    const bar = element("div", "tabs");
    bar.setAttribute("role", "tablist");
    bar.setAttribute("aria-label", choice.label);
    const buttons = choice.options.map(([value, name]) => {
      const tab = element("button", "tab", name);
      tab.type = "button";
      tab.setAttribute("role", "tab");
      tab.dataset.name = `${choice.name}:${value}`;
      const chosen = value === choice.value;
      tab.setAttribute("aria-selected", String(chosen));
      tab.tabIndex = chosen ? 0 : -1;
      tab.addEventListener("click", () => { if (!chosen) send(choice.name, value); });
      return tab;
    });
    bar.addEventListener("keydown", (event) => {
      const at = buttons.indexOf(parentElement.getRootNode().activeElement);
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (at < 0 || !step) return;
      event.preventDefault();
      buttons[(at + step + buttons.length) % buttons.length].focus();
    });
    bar.append(...buttons);
    return bar;
  }

  function list(choice) {
    const id = `${data.key}-${choice.name}`;
    const box = element("div", "choice");
    const label = element("label", "label", choice.label);
    label.htmlFor = id;
    const select = element("select");
    select.id = id;
    select.dataset.name = choice.name;
    for (const [value, name] of choice.options) {
      const option = element("option", null, name);
      option.value = value;
      option.selected = value === choice.value;
      select.appendChild(option);
    }
    select.addEventListener("keydown", (event) => {
      if ((event.key === "ArrowDown" || event.key === "ArrowUp") && !event.altKey && select.showPicker) {
        event.preventDefault();
        try { select.showPicker(); } catch (error) { /* not allowed here: the arrows act as usual */ }
      }
    });
    select.addEventListener("change", () => send(choice.name, select.value));
    box.append(label, select);
    if (choice.help) {
      const help = element("p", "help", choice.help);
      help.id = `${id}-help`;
      select.setAttribute("aria-describedby", help.id);
      box.appendChild(help);
    }
    return box;
  }
}
