// Building DOM nodes without innerHTML: every text, from the API or the
// user, goes in as a text node, so markup in it stays inert.
// SPDX-License-Identifier: EUPL-1.2

// h("a", {href: "#/", class: "x"}, "text", child, [more children])
// Attributes: "class", "for", "on<event>" (a function), "dataset" (an
// object), boolean true (attribute present), false/null/undefined (absent);
// everything else set with setAttribute.
export function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    if (attrs) {
        for (const [k, v] of Object.entries(attrs)) {
            if (v === false || v === null || v === undefined) continue;
            if (k.startsWith("on") && typeof v === "function") {
                el.addEventListener(k.slice(2), v);
            } else if (k === "dataset") {
                Object.assign(el.dataset, v);
            } else if (k === "value" && "value" in el) {
                el.value = v;
            } else if (k === "checked" || k === "selected" || k === "disabled") {
                el[k] = !!v;
            } else {
                el.setAttribute(k, v === true ? "" : String(v));
            }
        }
    }
    append(el, children);
    return el;
}

// Appends children (nodes, texts, arrays of them; null, undefined and false
// skipped) to el; returns el. Element.append would write "null".
export function append(el, ...children) {
    for (const c of children) {
        if (c === null || c === undefined || c === false) continue;
        if (Array.isArray(c)) append(el, ...c);
        else if (c instanceof Node) el.appendChild(c);
        else el.appendChild(document.createTextNode(String(c)));
    }
    return el;
}

export function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
}

// A unique id for label/aria links.
let seq = 0;
export function uid(prefix = "id") {
    seq += 1;
    return `${prefix}-${seq}`;
}
