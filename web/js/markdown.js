// A small, safe renderer for the Markdown subset of the training lessons
// (docs/internals/training.md): "## " and "### " headings, paragraphs,
// "- " and "1. " lists (a line indented under an item continues it),
// "> " quotes, and inline **bold**, *italic*, `code` and [text](https://…)
// links. Every text goes into the page as a text node (dom.js): raw HTML
// in a lesson stays visible as text, never markup. Links lead only to
// http and https addresses, open in a new tab with rel="noopener"; any
// other link is shown as its text.
// SPDX-License-Identifier: EUPL-1.2

import { h, append } from "./dom.js";
import { t } from "./i18n.js";

// The inline elements of a text, as an array of nodes and strings.
export function inline(text) {
    const out = [];
    const s = String(text ?? "");
    let plain = "";
    let i = 0;
    const flush = () => {
        if (plain) out.push(plain);
        plain = "";
    };
    while (i < s.length) {
        const rest = s.slice(i);
        let m;
        if ((m = /^\*\*(?=\S)([\s\S]*?\S)\*\*/.exec(rest))) {
            flush();
            out.push(h("strong", null, inline(m[1])));
        } else if ((m = /^\*(?=[^\s*])([\s\S]*?[^\s*])\*(?!\*)/.exec(rest))
            || (m = /^\*([^\s*])\*/.exec(rest))) {
            flush();
            out.push(h("em", null, inline(m[1])));
        } else if ((m = /^`([^`\n]+)`/.exec(rest))) {
            flush();
            out.push(h("code", null, m[1]));
        } else if ((m = /^\[([^\]\n]+)\]\(([^()\s]+)\)/.exec(rest))) {
            flush();
            out.push(link(m[1], m[2]));
        } else {
            plain += s[i];
            i += 1;
            continue;
        }
        i += m[0].length;
    }
    flush();
    return out;
}

function link(text, href) {
    let ok = false;
    try {
        const u = new URL(href);
        ok = (u.protocol === "https:" || u.protocol === "http:") && href === href.trim();
    } catch (e) {
        ok = false;
    }
    if (!ok) return h("span", null, inline(text));
    return h("a", { href, target: "_blank", rel: "noopener noreferrer" },
        inline(text), h("span", { class: "visually-hidden" }, ` ${t("(opens in a new tab)")}`));
}

const HEADING = /^(#{2,3})\s+(.*)$/;
const BULLET = /^[-*]\s+(.*)$/;
const NUMBERED = /^(\d{1,3})[.)]\s+(.*)$/;
const QUOTE = /^>\s?(.*)$/;

// The block elements of a lesson body, appended to `into` (an element);
// returns `into`. Headings go one level below the page's h1: "##" → h2,
// "###" → h3 (headingBase 2; pass 3 to shift them down by one).
export function renderMarkdown(into, text, headingBase = 2) {
    const lines = String(text ?? "").replace(/\r\n?/g, "\n").split("\n");
    let i = 0;
    const blank = (ln) => ln.trim() === "";
    // a line that starts a block of its own, ending a paragraph
    const starts = (ln) => HEADING.test(ln) || BULLET.test(ln) || NUMBERED.test(ln) || QUOTE.test(ln);
    while (i < lines.length) {
        const ln = lines[i];
        if (blank(ln)) {
            i += 1;
            continue;
        }
        let m;
        if ((m = HEADING.exec(ln))) {
            const level = Math.min(6, headingBase + m[1].length - 2);
            append(into, h(`h${level}`, { class: "lesson-heading" }, inline(m[2].replace(/\s+#+\s*$/, ""))));
            i += 1;
        } else if (QUOTE.test(ln)) {
            const quoted = [];
            while (i < lines.length && QUOTE.test(lines[i])) {
                quoted.push(QUOTE.exec(lines[i])[1]);
                i += 1;
            }
            const q = h("blockquote");
            renderMarkdown(q, quoted.join("\n"), headingBase + 1);
            append(into, q);
        } else if (BULLET.test(ln) || NUMBERED.test(ln)) {
            const ordered = !BULLET.test(ln);
            const re = ordered ? NUMBERED : BULLET;
            const items = [];
            let first = null;
            while (i < lines.length) {
                const cur = lines[i];
                const mm = re.exec(cur);
                if (mm) {
                    if (first === null && ordered) first = Number(mm[1]);
                    items.push([ordered ? mm[2] : mm[1]]);
                    i += 1;
                } else if (!blank(cur) && /^\s+\S/.test(cur) && items.length) {
                    items[items.length - 1].push(cur.trim()); // continues the item
                    i += 1;
                } else if (!blank(cur) && !starts(cur) && items.length) {
                    items[items.length - 1].push(cur.trim()); // a lazy continuation
                    i += 1;
                } else if (blank(cur) && i + 1 < lines.length && re.test(lines[i + 1])) {
                    i += 1; // a blank line between two items
                } else {
                    break;
                }
            }
            const list = h(ordered ? "ol" : "ul", ordered && first !== 1 ? { start: first } : null,
                items.map((parts) => h("li", null, inline(parts.join(" ")))));
            append(into, list);
        } else {
            const para = [];
            while (i < lines.length && !blank(lines[i]) && !(para.length && starts(lines[i]))) {
                para.push(lines[i].trim());
                i += 1;
            }
            append(into, h("p", null, inline(para.join(" "))));
        }
    }
    return into;
}
