// One step of the answering form: how far the form has come, the step's heading, then each
// question with its notes, its answers as native radio buttons, and (where the form takes them) a comment and an evidence field; in a workshop's
// agreement, how many participants chose each answer. A choice or a finished text (the
// field's change event: leaving it, or Enter in the evidence field) sends the step's whole
// state, "choices" and "texts", so that a change that follows another at once loses nothing.
//
// The page's own inputs are the truth while it is open: what the server sends is set into the
// inputs only when the step is drawn anew (a new data.key: another step, or the form reloaded
// from the store), so a run that answers an earlier click never undoes a later one.
// Everything shown is set as text (textContent, attributes), never parsed as HTML.
export default function (component) {
  const { parentElement, setStateValue } = component;
  const data = component.data[0];  // see views/web.py
  const key = data.key + "|" + data.lang;
  let root = parentElement.querySelector(".sheet");
  if (!root || root.dataset.key !== key) {
    const old = root;
    root = build();
    root.dataset.key = key;
    if (old) old.replaceWith(root);
    else parentElement.appendChild(root);  // beside the component's own style element
    // a step drawn anew after "Neste" on a phone starts far above the screen, where the
    // button was: bring its top into view (on a page's first drawing it is in view already)
    requestAnimationFrame(() => {
      if (root.isConnected && root.getBoundingClientRect().top < 0) root.scrollIntoView({ block: "start" });
    });
  }
  drawProgress(root.querySelector(".progress"), data.progress);
  for (const item of data.items) drawCounts(root, item);

  function build() {
    const sheet = element("div", "sheet");
    sheet.choices = {};
    sheet.texts = {};
    const progress = element("div", "progress");
    progress.setAttribute("role", "progressbar");
    progress.setAttribute("aria-valuemin", "0");
    const track = element("div", "track");
    track.appendChild(element("div", "fill"));
    progress.append(element("p", "text"), track);
    sheet.append(progress, element("h2", "title", data.title));
    if (data.description) sheet.appendChild(element("p", "note", data.description));
    if (data.help) sheet.appendChild(element("p", "note", data.help));
    data.items.forEach((item, index) => sheet.appendChild(card(sheet, item, index)));
    return sheet;
  }

  function drawProgress(box, progress) {
    box.querySelector(".text").textContent = progress.text;
    box.querySelector(".fill").style.width = `${progress.total ? (100 * progress.answered) / progress.total : 0}%`;
    box.setAttribute("aria-valuemax", String(progress.total));
    box.setAttribute("aria-valuenow", String(progress.answered));
    box.setAttribute("aria-valuetext", progress.text);
  }

  function card(sheet, item, index) {
    const id = (suffix) => `${data.key}-${index}-${suffix}`;
    const box = element("section", "item");
    box.dataset.item = item.id;
    const group = element("fieldset", "question");
    const legend = element("legend", "heading", item.heading);
    legend.id = id("q");
    if (data.heading_hidden) legend.classList.add("hidden");
    group.appendChild(legend);
    const notes = item.notes.filter(Boolean);
    if (notes.length) {
      const list = element("div", "notes");
      list.id = id("n");
      for (const note of notes) list.appendChild(element("p", "note", note));
      group.appendChild(list);
      group.setAttribute("aria-describedby", list.id);
    }
    if (item.counts) {
      const shown = element("div", "counts");
      shown.setAttribute("role", "group");
      shown.setAttribute("aria-label", item.counts.caption);
      group.appendChild(shown);
    }
    if (item.after) group.appendChild(element("p", "note", item.after));
    const options = element("div", "options");
    options.setAttribute("role", "radiogroup");
    options.setAttribute("aria-labelledby", legend.id);
    for (const [value, label, anchor] of item.options) {
      const option = element("label", "option");
      const input = document.createElement("input");
      input.type = "radio";
      input.name = id("choice");
      input.value = String(value);
      input.checked = item.chosen !== null && String(item.chosen) === String(value);
      input.addEventListener("change", () => {
        if (!input.checked) return;
        sheet.choices = { ...sheet.choices, [item.id]: value };
        setStateValue("choices", sheet.choices);
      });
      const text = element("span", "text");
      text.appendChild(element("span", "level", label));
      if (anchor) text.appendChild(document.createTextNode(": " + anchor));
      option.append(input, text);
      options.appendChild(option);
    }
    group.appendChild(options);
    box.appendChild(group);
    for (const field of item.fields) box.appendChild(textField(sheet, item, field, id(field.name)));
    return box;
  }

  function textField(sheet, item, field, id) {
    const wrap = element("div", "field");
    const label = element("label", null, field.label);
    label.htmlFor = id;
    const input = document.createElement(field.name === "comment" ? "textarea" : "input");
    if (field.name === "comment") input.rows = 2;
    else input.type = "text";
    input.id = id;
    input.maxLength = field.max;
    input.value = field.value || "";
    input.addEventListener("change", () => {
      const mine = { ...(sheet.texts[item.id] || {}), [field.name]: input.value };
      sheet.texts = { ...sheet.texts, [item.id]: mine };
      setStateValue("texts", sheet.texts);
    });
    wrap.append(label, input);
    if (field.hint) {
      const hint = element("p", "note", field.hint);
      hint.id = id + "-hint";
      input.setAttribute("aria-describedby", hint.id);
      wrap.appendChild(hint);
    }
    return wrap;
  }

  // The participants' answers to one item: a bar per answer, its name and count written
  // beside it (the colour is never the only sign of which answer it is).
  function drawCounts(sheet, item) {
    if (!item.counts) return;
    const box = sheet.querySelector(`section[data-item="${CSS.escape(item.id)}"] .counts`);
    if (!box) return;
    const most = Math.max(1, ...item.counts.bars.map((bar) => bar.count));
    const rows = [element("p", "note", item.counts.caption)];
    for (const bar of item.counts.bars) {
      const row = element("div", "bar");
      const fill = element("span", "fill");
      fill.style.width = `${(100 * bar.count) / most}%`;
      fill.style.background = bar.colour;
      const track = element("span", "track");
      track.appendChild(fill);
      row.append(element("span", "name", bar.label), track, element("span", "count", String(bar.count)));
      rows.push(row);
    }
    box.replaceChildren(...rows);
  }
}
