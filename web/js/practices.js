// The good-practice library (issue 9; docs/internals/partnership.md, "Good
// practices"):
//   #/practices            search box and filters (threat, measure, city,
//                          language) from the facets of GET /practices, with
//                          their counts; the entries found
//   #/practice/{id}        one entry: what was done, where, for which threat
//                          or problem, cost, results, contact, label; changed
//                          by an assessor of its city (PUT), deleted by a
//                          coordinator after a confirmation (DELETE)
//   publishPanel()         on an assessment (assessment.js): each measure in
//                          place published as an entry in one step
// An entry keeps the language it was written in (its lang attribute says
// which); only the interface around it is translated.
// SPDX-License-Identifier: EUPL-1.2

import { api, seg, ApiError } from "./api.js";
import { t, fmt, fmtEur, fmtDate, currentLang, LANGUAGES } from "./i18n.js";
import { h, clear, append, uid } from "./dom.js";
import { setTitle, notice, errorText, atLeast, go } from "./app.js";

const TLP = ["TLP:RED", "TLP:AMBER", "TLP:GREEN", "TLP:CLEAR"];

function tlpHelp(label) {
    switch (label) {
    case "TLP:RED": return t("only the city's own staff");
    case "TLP:AMBER": return t("the city's partners and the cities of its partnerships");
    case "TLP:GREEN": return t("every user working for a city or a partnership");
    case "TLP:CLEAR": return t("every signed-in user");
    default: return "";
    }
}

function langName(code) {
    const l = LANGUAGES.find(([c]) => c === code);
    return l ? l[1] : code;
}

const FILTERS = [
    ["threat", () => t("Threat")],
    ["measure", () => t("Measure")],
    ["city", () => t("City")],
    ["lang", () => t("Language of the entry")],
];

// a message for the next page shown (after a change or a deletion)
let flash = null;
function takeFlash() {
    const f = flash;
    flash = null;
    return f ? notice("status", f) : null;
}

// the scenarios of the catalogue (the threats of an entry), once per language
let scenarioCache = null;
function scenarios() {
    const lang = currentLang();
    if (!scenarioCache || scenarioCache.lang !== lang) {
        scenarioCache = { lang, list: api.get(`/catalogue?lang=${encodeURIComponent(lang)}`)
            .then((c) => (c && c.scenarios) || []).catch(() => { scenarioCache = null; return []; }) };
    }
    return scenarioCache.list;
}

// the search of the page, kept while the application is open
const search = { q: "", threat: "", measure: "", city: "", lang: "" };

function query() {
    const parts = [];
    for (const k of ["q", "threat", "measure", "city", "lang"]) {
        if (search[k]) parts.push(`${k}=${encodeURIComponent(search[k])}`);
    }
    return parts.length ? `?${parts.join("&")}` : "";
}

function summaryItem(p) {
    return h("li", { class: "practice-item", "data-practice": String(p.id) },
        h("h3", { lang: p.lang }, h("a", { href: `#/practice/${seg(p.id)}` }, p.title)),
        h("p", { class: "meta" },
            p.city ? p.city.name : "", p.place ? [" · ", h("span", { lang: p.lang }, p.place)] : null,
            " · ", langName(p.lang), " · ", h("span", { class: "tlp" }, p.sharing),
            p.updated_at ? [" · ", t("updated {date}", { date: fmtDate(p.updated_at) })] : null),
        p.measure ? h("p", { class: "small" }, t("Measure: {name}", { name: p.measure.name })) : null,
        (p.threats || []).length ? h("p", { class: "small" }, t("Threats: {list}", { list: p.threats.map((x) => x.name).join(", ") })) : null,
        p.cost_eur !== null && p.cost_eur !== undefined ? h("p", { class: "small" }, t("Cost: {cost}", { cost: fmtEur(p.cost_eur) })) : null);
}

export async function renderPractices(page, ctx) {
    setTitle(t("Good practices"));
    append(page, h("h1", null, t("Good practices")),
        h("p", { class: "lead" }, t("What cities did that worked, for other cities to find. Each entry is written in its city's language and shared under its own label.")),
        takeFlash());
    const qInput = h("input", { type: "search", id: "practice-q", value: search.q, autocomplete: "off" });
    const selects = new Map();
    const filterBox = h("div", { class: "practice-filters" });
    const count = h("p", { class: "count", role: "status", "aria-live": "polite", id: "practice-count" });
    const results = h("div", { class: "practice-results" });
    const form = h("form", { id: "practice-search", role: "search", novalidate: true },
        h("div", { class: "inline" },
            h("div", { class: "field" }, h("label", { for: "practice-q" }, t("Words in the title, what was done or the results")), qInput),
            h("button", { type: "submit" }, t("Search"))),
        filterBox,
        h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", id: "practice-reset",
            onclick: () => {
                for (const k of Object.keys(search)) search[k] = "";
                qInput.value = "";
                load();
            } }, t("Clear the filters"))));
    for (const [k, label] of FILTERS) {
        const id = `practice-filter-${k}`;
        const sel = h("select", { id, "data-filter": k });
        sel.addEventListener("change", () => {
            search[k] = sel.value;
            load();
        });
        selects.set(k, sel);
        append(filterBox, h("div", { class: "field" }, h("label", { for: id }, label()), sel));
    }
    form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        search.q = qInput.value.trim();
        load();
    });
    append(page, form, count, results);

    let seq = 0;
    async function load() {
        const mine = ++seq;
        let r;
        try {
            r = await api.get(`/practices${query()}`);
        } catch (e) {
            if (e instanceof ApiError && e.status === 401) throw e;
            if (mine !== seq || ctx.stale()) return;
            append(clear(results), notice("error", errorText(e)));
            return;
        }
        if (mine !== seq || ctx.stale()) return;
        const facets = r.facets || {};
        for (const [k] of FILTERS) {
            const sel = selects.get(k);
            const opts = (facets[k] || []).map((f) => ({
                id: String(f.id), name: k === "lang" ? langName(f.id) : f.name || String(f.id), count: f.count,
            }));
            if (search[k] && !opts.some((o) => o.id === search[k])) opts.push({ id: search[k], name: search[k], count: 0 });
            clear(sel);
            append(sel, h("option", { value: "" }, t("any")),
                opts.map((o) => h("option", { value: o.id, selected: o.id === search[k] }, `${o.name} (${fmt(o.count)})`)));
            sel.value = search[k];
        }
        const list = r.practices || [];
        count.textContent = list.length === 1 ? t("1 good practice found") : t("{n} good practices found", { n: fmt(list.length) });
        clear(results);
        append(results, list.length
            ? h("ul", { class: "practice-list", id: "practice-list" }, list.map(summaryItem))
            : h("p", { id: "practice-none" }, t("No good practice matches.")));
    }
    await load();
}

export async function renderPractice(page, ctx, id) {
    const p = await api.get(`/practices/${seg(id)}`);
    if (ctx.stale()) return;
    setTitle(p.title);
    const block = (title, text) => (text ? [h("h2", null, title), h("p", { class: "user-text", lang: p.lang }, text)] : null);
    append(page,
        h("nav", { class: "crumbs", "aria-label": t("Breadcrumb") }, h("ol", null,
            h("li", null, h("a", { href: "#/practices" }, t("Good practices"))),
            h("li", null, h("span", { "aria-current": "page", lang: p.lang }, p.title)))),
        h("h1", { lang: p.lang }, p.title),
        takeFlash(),
        h("p", { class: "meta" }, p.city ? p.city.name : "", " · ", h("span", { class: "tlp", id: "practice-sharing" }, p.sharing),
            " – ", tlpHelp(p.sharing)),
        h("dl", { class: "facts", id: "practice-facts" },
            h("dt", null, t("Place")), h("dd", { lang: p.lang }, p.place || "–"),
            h("dt", null, t("Measure")), h("dd", { id: "practice-measure" }, p.measure ? p.measure.name : "–"),
            h("dt", null, t("Threats")), h("dd", null, (p.threats || []).map((x) => x.name).join(", ") || "–"),
            h("dt", null, t("Cost")), h("dd", null, p.cost_eur !== null && p.cost_eur !== undefined ? fmtEur(p.cost_eur) : "–"),
            h("dt", null, t("Written in")), h("dd", null, langName(p.lang)),
            h("dt", null, t("Contact")), h("dd", { lang: p.lang }, p.contact || "–"),
            h("dt", null, t("Published")), h("dd", null, t("{date} by {who}", { date: fmtDate(p.created_at), who: p.created_by || "–" }))),
        block(t("What was done"), p.what),
        block(t("The problem"), p.problem),
        block(t("Results"), p.results),
        p.assessment ? h("p", { class: "hint" }, t("Published from a measure in place in one of the city's assessments.")) : null);
    const cid = p.city && p.city.id;
    if (cid && atLeast(cid, "assessor")) {
        const threats = await scenarios();
        if (ctx.stale()) return;
        append(page, editPanel(p, threats, () => {
            flash = t("Saved.");
            go(`#/practice/${seg(p.id)}`);
        }));
    }
    if (cid && atLeast(cid, "coordinator")) append(page, deletePanel(p));
}

// The error of a change refused: what the server said for a 400 or 403.
function refusal(e, what) {
    if (e instanceof ApiError && (e.status === 400 || e.status === 409)) return t("{what}: {message}", { what, message: e.message });
    if (e instanceof ApiError && e.status === 403) {
        return t("{what}: you may not make this change (the server answered “{message}”).", { what, message: e.message });
    }
    return errorText(e);
}

function labelled(label, control) {
    control.id = control.id || uid("pe");
    return h("div", { class: "field" }, h("label", { for: control.id }, label), control);
}

// The form that changes an entry (its city's assessors): every text, the
// threats, the cost and the label; only what changed is sent.
function editPanel(p, scenarioList, saved) {
    const title = h("input", { type: "text", id: "pe-title", maxlength: "200", value: p.title || "" });
    const what = h("textarea", { id: "pe-what", rows: "4" }, p.what || "");
    const place = h("input", { type: "text", id: "pe-place", maxlength: "300", value: p.place || "" });
    const problem = h("textarea", { id: "pe-problem", rows: "3" }, p.problem || "");
    const results = h("textarea", { id: "pe-results", rows: "4" }, p.results || "");
    const contact = h("input", { type: "text", id: "pe-contact", maxlength: "500", value: p.contact || "" });
    const hasCost = p.cost_eur !== null && p.cost_eur !== undefined;
    const cost = h("input", { type: "number", id: "pe-cost", min: "0", step: "any", inputmode: "decimal",
        value: hasCost ? String(p.cost_eur) : "" });
    const sharing = h("select", { id: "pe-sharing" }, TLP.map((l) => h("option", { value: l, selected: l === p.sharing }, `${l} – ${tlpHelp(l)}`)));
    const had = (p.threats || []).map((x) => x.id);
    const checks = scenarioList.map((sc) => {
        const id = uid("pe-threat");
        return h("div", { class: "field check" },
            h("input", { type: "checkbox", id, name: "pe-threat", value: sc.id, checked: had.includes(sc.id) }),
            h("label", { for: id }, sc.name || sc.id));
    });
    const msg = h("div", { class: "form-status" });
    const panelId = "practice-edit-form";
    const form = h("form", { class: "panel-form", id: panelId, hidden: true, novalidate: true, lang: p.lang },
        labelled(t("Title"), title),
        labelled(t("What was done"), what),
        labelled(t("Place"), place),
        labelled(t("The problem"), problem),
        checks.length ? h("fieldset", { class: "checks" }, h("legend", null, t("Threats")), checks) : null,
        labelled(t("Results"), results),
        labelled(t("Contact"), contact),
        labelled(t("Cost (EUR, empty if unknown)"), cost),
        labelled(t("Who may read it"), sharing),
        msg,
        h("div", { class: "actions" },
            h("button", { type: "submit" }, t("Save the good practice")),
            h("button", { type: "button", class: "secondary", onclick: () => toggle.click() }, t("Cancel"))));
    // the interface around the entry is in the user's language, its texts
    // in the entry's
    for (const el of form.querySelectorAll("label, legend, button, option")) el.lang = currentLang();
    const toggle = h("button", {
        type: "button", class: "secondary", id: "edit-practice", "aria-expanded": "false", "aria-controls": panelId,
        onclick: () => {
            const open = toggle.getAttribute("aria-expanded") !== "true";
            toggle.setAttribute("aria-expanded", open ? "true" : "false");
            form.hidden = !open;
            if (open) title.focus();
            else toggle.focus();
        },
    }, t("Change the good practice"));
    form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        clear(msg);
        const body = {};
        for (const [k, el, old] of [["title", title, p.title], ["place", place, p.place], ["contact", contact, p.contact]]) {
            if (el.value.trim() !== (old || "")) body[k] = el.value.trim();
        }
        for (const [k, el, old] of [["what", what, p.what], ["problem", problem, p.problem], ["results", results, p.results]]) {
            if (el.value !== (old || "")) body[k] = el.value;
        }
        if (!title.value.trim()) {
            append(msg, notice("error", t("Give the good practice a title.")));
            title.focus();
            return;
        }
        const picked = [...form.querySelectorAll('input[name="pe-threat"]:checked')].map((x) => x.value);
        if (checks.length && picked.slice().sort().join(",") !== had.slice().sort().join(",")) body.threats = picked;
        const c = cost.value.trim();
        if (c === "") {
            if (hasCost) body.cost_eur = null;
        } else if (!Number.isFinite(Number(c)) || Number(c) < 0) {
            append(msg, notice("error", t("The cost is an amount in euros, 0 or more, or empty.")));
            cost.focus();
            return;
        } else if (!hasCost || Number(c) !== Number(p.cost_eur)) {
            body.cost_eur = Number(c);
        }
        if (sharing.value !== p.sharing) body.sharing = sharing.value;
        if (!Object.keys(body).length) {
            append(msg, notice("status", t("Nothing to save: nothing changed.")));
            return;
        }
        const btn = form.querySelector("button[type=submit]");
        btn.disabled = true;
        try {
            await api.put(`/cities/${seg(p.city.id)}/practices/${seg(p.id)}`, body);
            saved();
        } catch (e) {
            if (e instanceof ApiError && e.status === 401) throw e;
            append(msg, notice("error", refusal(e, t("Not saved"))));
        } finally {
            btn.disabled = false;
        }
    });
    return h("section", { id: "practice-edit", "aria-labelledby": "practice-edit-title" },
        h("h2", { id: "practice-edit-title" }, t("Change the good practice")),
        h("p", null, toggle), form);
}

// Deleting an entry (its city's coordinators), in two steps: the button,
// then a confirmation naming the entry.
function deletePanel(p) {
    const msg = h("div", { class: "form-status" });
    const confirmId = "practice-delete-confirm";
    const no = h("button", { type: "button", class: "secondary", id: "practice-delete-cancel" }, t("Keep it"));
    const yes = h("button", { type: "button", class: "danger", id: "practice-delete-yes" }, t("Yes, delete it"));
    const confirm = h("div", { class: "confirm", id: confirmId, role: "group", "aria-labelledby": "practice-delete-question", hidden: true },
        h("p", { id: "practice-delete-question" },
            t("Delete the good practice “{title}”? Other cities will no longer find it, and this cannot be undone.", { title: p.title })),
        h("p", { class: "inline" }, yes, " ", no));
    const start = h("button", {
        type: "button", class: "secondary danger", id: "delete-practice", "aria-expanded": "false", "aria-controls": confirmId,
        onclick: () => {
            confirm.hidden = false;
            start.setAttribute("aria-expanded", "true");
            no.focus();
        },
    }, t("Delete the good practice"));
    no.addEventListener("click", () => {
        confirm.hidden = true;
        start.setAttribute("aria-expanded", "false");
        start.focus();
    });
    yes.addEventListener("click", async () => {
        clear(msg);
        yes.disabled = true;
        try {
            await api.del(`/cities/${seg(p.city.id)}/practices/${seg(p.id)}`);
            flash = t("The good practice “{title}” was deleted.", { title: p.title });
            go("#/practices");
        } catch (e) {
            yes.disabled = false;
            if (e instanceof ApiError && e.status === 401) throw e;
            append(msg, notice("error", refusal(e, t("Not deleted"))));
        }
    });
    return h("section", { id: "practice-delete", "aria-labelledby": "practice-delete-title" },
        h("h2", { id: "practice-delete-title" }, t("Delete the good practice")),
        h("p", null, start), confirm, msg);
}

// The measures in place of an assessment, each publishable as a good
// practice by an assessor or coordinator of the city.
export function publishPanel(cid, a) {
    if (!atLeast(cid, "assessor") || a.detail === "summary") return null;
    const inPlace = (a.measures || []).filter((m) => m.status === "existing");
    const sec = h("section", { class: "publish-practices", id: "publish-practices", "aria-labelledby": "publish-title" },
        h("h3", { id: "publish-title" }, t("Share a measure in place as a good practice")));
    if (!inPlace.length) {
        append(sec, h("p", { class: "hint" }, t("No measure is in place yet: mark one “in place” in the measures above to publish it.")));
        return sec;
    }
    append(sec, h("p", { class: "hint" }, t("The entry is filled from the measure: its name and description in your language, this space as the place, the threats it reduces and the midpoint of its cost range. You may change it afterwards.")));
    const ul = h("ul", { class: "publish-list" });
    for (const m of inPlace) {
        const panelId = uid("publish");
        const selId = uid("label");
        const sel = h("select", { id: selId }, TLP.map((l) => h("option", { value: l, selected: l === "TLP:GREEN" }, `${l} – ${tlpHelp(l)}`)));
        const msg = h("div", { class: "form-status" });
        const form = h("form", { class: "inline publish-form", id: panelId, hidden: true, novalidate: true },
            h("div", { class: "field" }, h("label", { for: selId }, t("Who may read it")), sel),
            h("button", { type: "submit" }, t("Publish")));
        const toggle = h("button", {
            type: "button", class: "secondary publish-practice", "aria-expanded": "false", "aria-controls": panelId,
            "data-measure": m.id,
            onclick: () => {
                const open = toggle.getAttribute("aria-expanded") !== "true";
                toggle.setAttribute("aria-expanded", open ? "true" : "false");
                form.hidden = !open;
                if (open) sel.focus();
            },
        }, t("Publish as good practice"));
        form.addEventListener("submit", async (ev) => {
            ev.preventDefault();
            clear(msg);
            const btn = form.querySelector("button[type=submit]");
            btn.disabled = true;
            try {
                const p = await api.post(`/cities/${seg(cid)}/practices/from-measure?lang=${encodeURIComponent(currentLang())}`,
                    { assessment: Number(a.id), measure: m.id, sharing: sel.value });
                form.hidden = true;
                toggle.setAttribute("aria-expanded", "false");
                const link = h("a", { href: `#/practice/${seg(p.id)}`, class: "published-link" },
                    t("Open the good practice “{title}”", { title: p.title }));
                append(msg, notice("status", t("Published ({label}).", { label: p.sharing }), " ", link));
                link.focus();
            } catch (e) {
                if (e instanceof ApiError && e.status === 401) throw e;
                append(msg, notice("error", e instanceof ApiError && (e.status === 400 || e.status === 409)
                    ? t("Not published: {message}", { message: e.message }) : errorText(e)));
            } finally {
                btn.disabled = false;
            }
        });
        append(ul, h("li", { "data-measure": m.id },
            h("span", { class: "publish-name" }, m.name || m.id), " ", toggle, form, msg));
    }
    append(sec, ul);
    return sec;
}
