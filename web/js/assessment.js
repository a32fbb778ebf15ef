// The assessment of a space on its page: the latest version (or a button to
// start one), the checklist form grouped by area (each question with why it
// matters, its five answers, a reason; answers computed by agora marked as
// such with their evidence), saved with PUT and the revision it started
// from (409: someone else saved first), the risk of each scenario, the
// protection plan within a budget and the sharing label; after the plan, the
// funding instruments linked to the city's measures (and, for assessors, a
// form linking one) and the publishing of measures as good practices.
// SPDX-License-Identifier: EUPL-1.2

import { api, seg, ApiError } from "./api.js";
import { t, fmt, fmtEur, fmtDate, currentLang } from "./i18n.js";
import { h, clear, append } from "./dom.js";
import { atLeast, notice, errorText } from "./app.js";
import { bandOfProduct, badge } from "./risk.js";
import { publishPanel } from "./practices.js";
import { instruments } from "./partnership.js";

// A catalogue text (scenario or measure name) the API may send in English
// whatever the language asked: translated here through the catalogue of
// GET /i18n, which holds them; a text already translated is kept.
const tr = (text) => t(String(text));

const TLP = ["TLP:RED", "TLP:AMBER", "TLP:GREEN", "TLP:CLEAR"];

function tlpHelp(label) {
    switch (label) {
    case "TLP:RED": return t("only the city's own staff");
    case "TLP:AMBER": return t("also the partner organisations invited to the city");
    case "TLP:GREEN": return t("also the other cities of the partnership");
    case "TLP:CLEAR": return t("every signed-in user");
    default: return "";
    }
}

function sourceName(src) {
    switch (src) {
    case "computed": return t("computed by agora");
    case "override": return t("computed, then changed by an assessor");
    case "assessor": return t("answered by an assessor");
    default: return t("not answered");
    }
}

export function categoryName(c) {
    switch (c) {
    case "hvm": return t("hostile vehicle mitigation");
    case "detection": return t("detection");
    case "training": return t("training");
    case "crowd": return t("crowd management");
    case "lighting": return t("lighting");
    case "procedures": return t("procedures");
    case "communication": return t("communication");
    case "design": return t("design");
    default: return c || "";
    }
}

const catalogues = new Map();

async function catalogue() {
    const lang = currentLang();
    if (!catalogues.has(lang)) {
        catalogues.set(lang, api.get(`/catalogue?lang=${encodeURIComponent(lang)}`).catch(() => null));
    }
    return catalogues.get(lang);
}

// area id → name, from the catalogue (areas as a list or an object)
function areaNames(cat, own) {
    const names = new Map();
    const areas = own || (cat && cat.areas);
    if (Array.isArray(areas)) {
        for (const a of areas) if (a && a.id) names.set(a.id, a.name || a.id);
    } else if (areas && typeof areas === "object") {
        for (const [id, a] of Object.entries(areas)) names.set(id, (a && a.name) || (typeof a === "string" ? a : id));
    }
    return names;
}

function triple(x, digits) {
    if (Array.isArray(x)) {
        return h("span", null, fmt(x[0], digits), " ",
            h("span", { class: "range" }, t("({lo} to {hi})", { lo: fmt(x[1], digits), hi: fmt(x[2], digits) })));
    }
    if (x && typeof x === "object" && "value" in x) return triple([x.value, x.lo, x.hi], digits);
    return fmt(x, digits);
}

// The matrix product likelihood × impact of a scenario's risk: "row" and
// "col", or "matrix": {"likelihood", "impact"}.
function cellOf(r) {
    if (r.row && r.col) return r.row * r.col;
    if (r.matrix && r.matrix.likelihood && r.matrix.impact) return r.matrix.likelihood * r.matrix.impact;
    return 0;
}

function riskTable(a) {
    const risk = a.risk || [];
    if (risk.length === 0) return h("p", null, t("No risk computed yet."));
    return h("table", { class: "data risk-table", id: "risk-table" },
        h("caption", null, t("Risk of each threat scenario (likely value and range)")),
        h("thead", null, h("tr", null,
            h("th", { scope: "col" }, t("Scenario")),
            h("th", { scope: "col" }, t("Threat")),
            h("th", { scope: "col" }, t("Likelihood")),
            h("th", { scope: "col" }, t("Vulnerability")),
            h("th", { scope: "col" }, t("Consequence")),
            h("th", { scope: "col" }, t("Risk")),
            h("th", { scope: "col" }, t("Level")),
            h("th", { scope: "col" }, t("Questions answered")))),
        h("tbody", null, risk.map((r) => h("tr", null,
            h("th", { scope: "row" }, r.name ? tr(r.name) : r.scenario || r.id),
            h("td", { class: "num" }, fmt(r.threat, 0)),
            h("td", { class: "num" }, triple(r.likelihood, 2)),
            h("td", { class: "num" }, triple(r.vulnerability, 2)),
            h("td", { class: "num" }, fmt(r.consequence, 2)),
            h("td", { class: "num" }, triple(r.risk, 1)),
            h("td", null, cellOf(r) ? badge(bandOfProduct(cellOf(r))) : "–"),
            h("td", { class: "num" }, t("{a} of {q}", { a: fmt(r.answered), q: fmt(r.questions) })))),
        ),
        a.total !== undefined && a.total !== null
            ? h("tfoot", null, h("tr", null, h("th", { scope: "row", colspan: 5 }, t("Total risk")),
                h("td", { class: "num" }, fmt(a.total, 1)), h("td", { colspan: 2 })))
            : null);
}

function measuresList(a) {
    const ms = (a.measures || []).filter((m) => m.status && m.status !== "candidate");
    if (ms.length === 0) return h("p", null, t("No measure recorded."));
    const status = (s) => {
        switch (s) {
        case "existing": return t("in place");
        case "excluded": return t("excluded");
        default: return s || "";
        }
    };
    return h("table", { class: "data measures-table" },
        h("thead", null, h("tr", null,
            h("th", { scope: "col" }, t("Measure")),
            h("th", { scope: "col" }, t("Category")),
            h("th", { scope: "col" }, t("Status")),
            h("th", { scope: "col" }, t("Cost")))),
        h("tbody", null, ms.map((m) => h("tr", null,
            h("th", { scope: "row" }, m.name || m.id),
            h("td", null, categoryName(m.category)),
            h("td", null, status(m.status)),
            h("td", { class: "num" }, m.cost_min !== undefined && m.cost_min !== null
                ? t("{lo} to {hi}", { lo: fmtEur(m.cost_min), hi: fmtEur(m.cost_max) }) : "–")))));
}

function planView(cid, a) {
    const budget = h("input", { id: "plan-budget", type: "number", min: "0", step: "1000", value: "250000", inputmode: "numeric" });
    const out = h("div", { class: "plan-out", "aria-live": "polite" });
    const show = h("button", { type: "submit" }, t("Show the plan"));
    const form = h("form", { class: "inline" },
        h("div", { class: "field" }, h("label", { for: "plan-budget" }, t("Budget (EUR)")), budget),
        show);
    form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        append(clear(out), h("p", null, t("Loading…")));
        try {
            const b = Math.max(0, Number(budget.value) || 0);
            const p = await api.get(`/cities/${seg(cid)}/assessments/${seg(a.id)}/plan?budget=${encodeURIComponent(b)}&lang=${encodeURIComponent(currentLang())}`);
            append(clear(out), planTable(p));
        } catch (e) {
            append(clear(out), notice("error", errorText(e)));
        }
    });
    return h("div", { class: "plan" }, form, out);
}

// The funding of the city's measures (GET /cities/{cid}/funding: the
// links are the city's, whichever space they were made from), with the
// instruments' names; an assessor or coordinator links a measure of this
// assessment (one not excluded from the plan) to an instrument.
function fundingPanel(cid, a) {
    if (a.detail === "summary" || !atLeast(cid, "viewer")) return null;
    const canLink = atLeast(cid, "assessor");
    const measureName = new Map((a.measures || []).map((m) => [m.id, m.name ? tr(m.name) : m.id]));
    const list = h("div", { class: "funding-list-wrap" }, h("p", { class: "loading" }, t("Loading…")));
    const sec = h("section", { class: "measure-funding", id: "measure-funding", "aria-labelledby": "measure-funding-title" },
        h("h3", { id: "measure-funding-title" }, t("Funding of the city's measures")),
        h("p", { class: "hint" }, t("Funding instruments that could pay for a measure. The links belong to the city: they show on every space it assesses.")),
        list);
    let inst = [];
    const show = (links) => {
        const byId = new Map(inst.map((i) => [i.id, i]));
        clear(list);
        if (!links.length) {
            append(list, h("p", { id: "no-measure-funding" }, t("No measure of the city is linked to a funding instrument yet.")));
            return;
        }
        append(list, h("ul", { class: "funding-links", id: "measure-funding-list" }, links.map((f) => {
            const i = byId.get(f.instrument);
            const name = i ? i.name : f.instrument;
            return h("li", { "data-measure": f.measure || "", "data-instrument": f.instrument },
                h("strong", { class: "funding-measure" }, measureName.get(f.measure) || f.measure || "–"), " – ",
                i && i.url ? h("a", { href: i.url, rel: "noopener noreferrer", target: "_blank", class: "funding-instrument" }, name)
                    : h("span", { class: "funding-instrument" }, name),
                f.note ? [" – ", h("span", { class: "user-text" }, f.note)] : null,
                h("span", { class: "small" }, " · ", t("added {date} by {who}", { date: fmtDate(f.added_at), who: f.added_by || "–" })),
                canLink ? [" ", h("button", {
                    type: "button", class: "secondary small-button funding-remove",
                    onclick: async (ev) => {
                        ev.target.disabled = true;
                        try {
                            await api.del(`/cities/${seg(cid)}/funding/${seg(f.id)}`);
                            await load();
                        } catch (e) {
                            ev.target.disabled = false;
                            append(list, notice("error", errorText(e)));
                        }
                    },
                }, t("Remove {name}", { name }))] : null);
        })));
    };
    const load = () => api.get(`/cities/${seg(cid)}/funding`).then(show);
    const formBox = h("div");
    append(sec, formBox);
    Promise.all([instruments().catch(() => []), api.get(`/cities/${seg(cid)}/funding`)]).then(([got, links]) => {
        inst = got || [];
        show(links || []);
    }).then(() => {
        if (canLink) append(formBox, fundingForm());
    }).catch((e) => append(clear(list), notice("error", errorText(e))));

    function fundingForm() {
        const ms = (a.measures || []).filter((m) => m.status !== "excluded");
        if (!inst.length || !ms.length) return h("p", { class: "hint" }, t("No funding instrument or measure to link."));
        const measure = h("select", { id: "funding-measure" }, ms.map((m) => h("option", { value: m.id },
            m.status === "existing" ? t("{name} (in place)", { name: measureName.get(m.id) }) : measureName.get(m.id))));
        const sel = h("select", { id: "funding-instrument" }, inst.map((i) => h("option", { value: i.id }, i.name)));
        const desc = h("p", { class: "hint small", id: "funding-description", "aria-live": "polite" });
        const showDesc = () => {
            const i = inst.find((x) => x.id === sel.value);
            desc.textContent = i ? i.description || "" : "";
        };
        sel.addEventListener("change", showDesc);
        showDesc();
        const note = h("input", { type: "text", id: "funding-note", maxlength: "500" });
        const msg = h("div", { class: "form-status" });
        const form = h("form", { class: "panel-form", id: "measure-funding-form", novalidate: true },
            h("h4", null, t("Link a measure to a funding instrument")),
            h("div", { class: "field" }, h("label", { for: "funding-measure" }, t("Measure")), measure),
            h("div", { class: "field" }, h("label", { for: "funding-instrument" }, t("Instrument")), sel), desc,
            h("div", { class: "field" }, h("label", { for: "funding-note" }, t("Note")), note),
            msg,
            h("div", { class: "actions" }, h("button", { type: "submit", class: "secondary" }, t("Link the instrument"))));
        form.addEventListener("submit", async (ev) => {
            ev.preventDefault();
            clear(msg);
            const btn = form.querySelector("button[type=submit]");
            btn.disabled = true;
            try {
                await api.post(`/cities/${seg(cid)}/funding`, { measure: measure.value, instrument: sel.value, note: note.value });
                note.value = "";
                await load();
                append(msg, notice("status", t("{measure} is linked to {instrument}.", {
                    measure: measureName.get(measure.value) || measure.value,
                    instrument: (inst.find((x) => x.id === sel.value) || {}).name || sel.value,
                })));
            } catch (e) {
                if (e instanceof ApiError && e.status === 401) throw e;
                append(msg, notice("error", e instanceof ApiError && (e.status === 400 || e.status === 409)
                    ? t("Not linked: {message}", { message: e.message })
                    : e instanceof ApiError && e.status === 403
                        ? t("Not linked: you may not make this change (the server answered “{message}”).", { message: e.message })
                        : errorText(e)));
            } finally {
                btn.disabled = false;
            }
        });
        return form;
    }
    return sec;
}

function planTable(p) {
    const steps = (p && p.steps) || [];
    const summary = h("p", null,
        t("Within {budget}: {spent} spent, total risk from {before} to {after}.", {
            budget: fmtEur(p.budget_eur), spent: fmtEur(p.spent_eur),
            before: fmt(p.total_risk_before, 1), after: fmt(p.total_risk_after, 1),
        }));
    if (steps.length === 0) return h("div", null, summary, h("p", null, t("No measure fits the budget.")));
    return h("div", null, summary, h("table", { class: "data plan-table" },
        h("caption", null, t("Measures ranked by risk removed per euro")),
        h("thead", null, h("tr", null,
            h("th", { scope: "col" }, "#"),
            h("th", { scope: "col" }, t("Measure")),
            h("th", { scope: "col" }, t("Category")),
            h("th", { scope: "col" }, t("Cost")),
            h("th", { scope: "col" }, t("Risk removed")),
            h("th", { scope: "col" }, t("Cumulative cost")),
            h("th", { scope: "col" }, t("Total risk after")))),
        h("tbody", null, steps.map((s) => h("tr", null,
            h("td", { class: "num" }, fmt(s.rank)),
            h("th", { scope: "row" }, s.name ? tr(s.name) : s.measure),
            h("td", null, categoryName(s.category)),
            h("td", { class: "num" }, fmtEur(s.cost_eur)),
            h("td", { class: "num" }, fmt(s.risk_reduced, 1)),
            h("td", { class: "num" }, fmtEur(s.cumulative_eur)),
            h("td", { class: "num" }, fmt(s.total_risk_after, 1)))))));
}

function sharingView(cid, a, onSaved) {
    const label = a.sharing || "TLP:AMBER";
    const wrap = h("div", { class: "sharing" },
        h("p", null, t("Sharing:"), " ", h("span", { class: "tlp", id: "sharing-label" }, label), " – ", tlpHelp(label),
            a.share_details ? [" ", t("(with the full details)")] : null));
    if (!atLeast(cid, "coordinator")) return wrap;
    const sel = h("select", { id: "sharing-select" }, TLP.map((l) =>
        h("option", { value: l, selected: l === label }, `${l} – ${tlpHelp(l)}`)));
    const details = h("input", { type: "checkbox", id: "sharing-details", checked: !!a.share_details });
    const status = h("div", { "aria-live": "polite" });
    const form = h("form", { class: "inline" },
        h("div", { class: "field" }, h("label", { for: "sharing-select" }, t("Who may see this assessment")), sel),
        h("div", { class: "field check" }, details,
            h("label", { for: "sharing-details" }, t("Share the full details (answers, risk, plan), not only a summary"))),
        h("button", { type: "submit", class: "secondary" }, t("Change the sharing")),
        status);
    form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        clear(status);
        try {
            await api.put(`/cities/${seg(cid)}/assessments/${seg(a.id)}/sharing`,
                { sharing: sel.value, share_details: details.checked });
            a.sharing = sel.value;
            a.share_details = details.checked;
            onSaved();
        } catch (e) {
            append(status, notice("error", errorText(e)));
        }
    });
    append(wrap, form);
    return wrap;
}

const LEVEL_FIELDS = [
    ["symbolic", () => t("Symbolic value of the site")],
    ["crowd", () => t("Crowds the site draws")],
    ["media", () => t("Media exposure")],
    ["critical", () => t("Critical functions of the site")],
];

function levelSelect(id, value, editable, unsetText) {
    return h("select", { id, disabled: !editable },
        h("option", { value: "0", selected: !value, disabled: !!value }, unsetText),
        [1, 2, 3, 4, 5].map((n) => h("option", { value: String(n), selected: value === n }, String(n))));
}

// The context of the assessment: threat level per scenario, the site's
// attractiveness, critical functions and people. Returns {el, changes()}.
function contextFields(a, editable) {
    const ctx = a.context || {};
    const threat = ctx.threat || {};
    const inputs = [];
    const rows = [];
    for (const [key, label] of LEVEL_FIELDS) {
        const id = `ctx-${key}`;
        const was = Number(ctx[key]) || 0;
        const sel = levelSelect(id, was, editable, t("not given (counts as 3)"));
        inputs.push({ get: () => Number(sel.value), was, put: (out, v) => { out[key] = v; } });
        rows.push(h("div", { class: "field" }, h("label", { for: id }, label()), sel));
    }
    const people = h("input", {
        id: "ctx-people", type: "number", min: "0", max: "10000000", step: "1", inputmode: "numeric",
        value: ctx.people === null || ctx.people === undefined || ctx.people < 0 ? "" : String(ctx.people),
        disabled: !editable,
    });
    const peopleWas = people.value;
    rows.push(h("div", { class: "field" }, h("label", { for: "ctx-people" }, t("People at the busiest time")), people));
    const threatRows = (a.risk || []).map((r) => {
        const sid = r.id || r.scenario;
        const id = `ctx-threat-${sid}`;
        const was = Number(threat[sid]) || 0;
        const sel = levelSelect(id, was, editable,
            t("scenario default ({n})", { n: was ? "–" : fmt(r.threat) }));
        inputs.push({ get: () => Number(sel.value), was, put: (out, v) => { (out.threat = out.threat || {})[sid] = v; } });
        return h("div", { class: "field" }, h("label", { for: id }, r.name ? tr(r.name) : sid), sel);
    });
    const el = h("details", { class: "context" },
        h("summary", null, t("Context: threat levels, attractiveness and people")),
        h("p", { class: "hint" }, t("Levels from 1 (low) to 5 (high). They set the likelihood and the consequence of each scenario.")),
        h("div", { class: "grid" }, rows),
        threatRows.length ? h("fieldset", { class: "threats" },
            h("legend", null, t("Threat level per scenario")), h("div", { class: "grid" }, threatRows)) : null);
    return {
        el,
        changes() {
            const out = {};
            let any = false;
            for (const i of inputs) {
                const v = i.get();
                if (v >= 1 && v !== i.was) {
                    i.put(out, v);
                    any = true;
                }
            }
            if (people.value !== peopleWas) {
                out.people = people.value === "" ? null : Number(people.value);
                any = true;
            }
            return any ? out : null;
        },
    };
}

// The measures of the space: each in place, excluded or a candidate for
// the plan. Returns {el, changes()}.
function measureFields(a, editable) {
    const ms = a.measures || [];
    const sels = [];
    const rows = ms.map((m, i) => {
        const id = `measure-${i}`;
        const sel = h("select", { id, disabled: !editable },
            h("option", { value: "candidate", selected: m.status === "candidate" }, t("not in place")),
            h("option", { value: "existing", selected: m.status === "existing" }, t("in place")),
            h("option", { value: "excluded", selected: m.status === "excluded" }, t("excluded from the plan")));
        sels.push({ m, sel });
        return h("tr", null,
            h("th", { scope: "row" }, h("label", { for: id }, m.name || m.id)),
            h("td", null, categoryName(m.category)),
            h("td", { class: "num" }, m.cost_min !== undefined && m.cost_min !== null
                ? t("{lo} to {hi}", { lo: fmtEur(m.cost_min), hi: fmtEur(m.cost_max) }) : "–"),
            h("td", null, sel));
    });
    const inPlace = ms.filter((m) => m.status === "existing").length;
    const el = h("details", { class: "measures" },
        h("summary", null, t("Measures: {n} in place", { n: fmt(inPlace) })),
        h("table", { class: "data measures-table" },
            h("thead", null, h("tr", null,
                h("th", { scope: "col" }, t("Measure")),
                h("th", { scope: "col" }, t("Category")),
                h("th", { scope: "col" }, t("Cost")),
                h("th", { scope: "col" }, t("Status")))),
            h("tbody", null, rows)));
    return {
        el,
        changes() {
            const out = {};
            let any = false;
            for (const { m, sel } of sels) {
                if (sel.value !== m.status) {
                    (out[sel.value] = out[sel.value] || []).push(m.id);
                    any = true;
                }
            }
            return any ? out : null;
        },
    };
}

// The assessment form: context, checklist grouped by area, measures; one
// Save for all. Returns the form element.
function checklistForm(cid, a, areas, editable, handlers) {
    const groups = new Map();
    for (const q of a.answers || []) {
        const area = q.area || "";
        if (!groups.has(area)) groups.set(area, []);
        groups.get(area).push(q);
    }
    const initial = new Map();
    const fields = new Map(); // question → {radios, reason, computed, legend}
    const form = h("form", { class: "checklist", id: "checklist", novalidate: true });
    const context = contextFields(a, editable);
    append(form, context.el);
    let n = 0;
    for (const [area, qs] of groups) {
        const answered = qs.filter((q) => q.answer).length;
        const sec = h("section", { class: "area" },
            h("h4", null, areas.get(area) || area || t("Other questions"), " ",
                h("span", { class: "small" }, t("{a} of {q} answered", { a: fmt(answered), q: fmt(qs.length) }))));
        for (const q of qs) {
            n += 1;
            const base = `q${n}`;
            initial.set(q.question, { answer: q.answer || null, reason: q.reason || "" });
            const radios = [];
            const choices = (q.choices || []).slice(0, 5);
            const opts = choices.map((text, i) => {
                const id = `${base}-a${i + 1}`;
                const r = h("input", {
                    type: "radio", id, name: base, value: String(i + 1),
                    checked: q.answer === i + 1, disabled: !editable,
                });
                radios.push(r);
                return h("div", { class: "choice" }, r,
                    h("label", { for: id }, h("span", { class: "level" }, String(i + 1)), " ", text,
                        q.computed === i + 1 ? h("span", { class: "computed-tag" }, " ", t("(computed)")) : null));
            });
            const reason = h("textarea", { id: `${base}-reason`, rows: "2", disabled: !editable }, q.reason || "");
            const isComputed = q.source === "computed" || q.source === "override" || (q.computed !== null && q.computed !== undefined);
            const legend = h("legend", null, q.text || q.question);
            fields.set(q.question, { radios, reason, computed: q.computed || null, legend });
            append(sec, h("fieldset", { class: `question${isComputed ? " computed" : ""}`, "data-question": q.question },
                legend,
                q.why ? h("p", { class: "why" }, h("strong", null, t("Why it matters:")), " ", q.why) : null,
                isComputed ? h("div", { class: "evidence" },
                    h("p", null, h("strong", null, sourceName(q.source)),
                        q.computed ? [" – ", t("computed answer: {n}", { n: q.computed })] : null),
                    q.summary ? h("p", null, q.summary) : null)
                    : h("p", { class: "small source" }, sourceName(q.source)),
                h("div", { class: "choices" }, opts),
                h("div", { class: "field" },
                    h("label", { for: `${base}-reason` }, t("Reason or comment")), reason)));
        }
        append(form, sec);
    }
    const measures = measureFields(a, editable);
    append(form, measures.el);
    const status = h("div", { class: "save-status", "aria-live": "polite" });
    const save = h("button", { type: "submit", id: "save-assessment" }, t("Save"));
    if (editable) append(form, h("div", { class: "actions sticky" }, save, status));

    form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        clear(status);
        const answers = [];
        let missingReason = null;
        for (const [qid, f] of fields) {
            const picked = f.radios.find((r) => r.checked);
            const ans = picked ? Number(picked.value) : null;
            const reason = f.reason.value;
            const was = initial.get(qid);
            if (ans !== was.answer || reason !== was.reason) {
                answers.push({ question: qid, answer: ans, reason });
                if (f.computed && ans !== f.computed && !reason.trim() && !missingReason) missingReason = f;
            }
        }
        if (missingReason) {
            append(status, notice("error", t("An answer computed by agora may be changed only with a reason: write it under the question “{q}”.",
                { q: missingReason.legend.textContent })));
            missingReason.reason.focus();
            return;
        }
        const body = { rev: a.rev };
        if (answers.length) body.answers = answers;
        const ctx = context.changes();
        if (ctx) body.context = ctx;
        const ms = measures.changes();
        if (ms) body.measures = ms;
        if (!answers.length && !ctx && !ms) {
            append(status, notice("status", t("Nothing to save: nothing changed.")));
            return;
        }
        save.disabled = true;
        try {
            const updated = await api.put(`/cities/${seg(cid)}/assessments/${seg(a.id)}?lang=${encodeURIComponent(currentLang())}`, body);
            handlers.saved(updated, t("Saved."));
        } catch (e) {
            save.disabled = false;
            if (e instanceof ApiError && e.status === 409) {
                const reload = h("button", { type: "button", class: "secondary", onclick: () => handlers.reload() },
                    t("Reload the assessment"));
                append(status, notice("error",
                    h("p", null, t("Someone else saved this assessment after you opened it, so your changes were not saved.")),
                    h("p", null, t("Reload it to see their answers, then make your changes again.")),
                    reload));
                reload.focus();
            } else {
                append(status, notice("error", t("Not saved. {message}", { message: errorText(e) })));
            }
        }
    });
    return form;
}

export async function renderAssessment(sec, ctx, cid, sid, space) {
    const versions = (space.assessments || []).slice().sort((x, y) => (y.version || 0) - (x.version || 0));
    const canAssess = atLeast(cid, "assessor");
    const body = h("div");
    append(sec, h("h2", { id: "assessment-title" }, t("Assessment")), body);

    async function startNew() {
        append(clear(body), h("p", null, t("Loading…")));
        try {
            const a = await api.post(`/cities/${seg(cid)}/spaces/${seg(sid)}/assessments`, {});
            versions.unshift({ id: a.id, version: a.version, created_at: a.created_at, updated_at: a.updated_at,
                assessor: a.assessor, sharing: a.sharing });
            await show(a.id, a, t("Version {v} started.", { v: a.version }));
        } catch (e) {
            append(clear(body), notice("error", errorText(e)));
        }
    }

    async function show(aid, preloaded, message) {
        let a = preloaded && (preloaded.answers || preloaded.detail === "summary") ? preloaded
            : await api.get(`/cities/${seg(cid)}/assessments/${seg(aid)}?lang=${encodeURIComponent(currentLang())}`);
        const cat = a.areas ? null : await catalogue();
        if (ctx.stale()) return;
        clear(body);
        const vsel = versions.length > 1
            ? h("div", { class: "field inline-field" },
                h("label", { for: "version-select" }, t("Version")),
                h("select", {
                    id: "version-select",
                    onchange: (ev) => show(ev.target.value).catch((e) => append(body, notice("error", errorText(e)))),
                }, versions.map((v) => h("option", { value: v.id, selected: String(v.id) === String(a.id) },
                    t("version {v} of {date}", { v: v.version, date: fmtDate(v.updated_at || v.created_at) })))))
            : null;
        append(body,
            message ? notice("status", message) : null,
            h("p", { class: "meta" },
                t("Version {v}", { v: a.version }),
                a.assessor ? [" · ", t("assessor: {name}", { name: a.assessor })] : null,
                " · ", t("last saved {date}", { date: fmtDate(a.updated_at) })),
            vsel,
            canAssess ? h("p", null, h("button", { type: "button", class: "secondary", onclick: startNew },
                t("Start a new version"))) : null,
            sharingView(cid, a, () => show(a.id, a, t("Sharing changed."))));
        if (a.detail === "summary") {
            append(body, h("p", null, t("Only a summary of this assessment is shared with you.")), measuresList(a));
            return;
        }
        const editable = canAssess && String(a.id) === String(versions[0] && versions[0].id);
        append(body,
            h("h3", null, t("Checklist")),
            editable ? h("p", { class: "hint" }, t("Answer 1 for the most vulnerable situation, 5 for the best protected. Answers marked as computed come from agora's own analyses; you may change them, giving a reason."))
                : h("p", { class: "hint" }, t("Read only.")),
            checklistForm(cid, a, areaNames(cat, a.areas), editable, {
                saved: (updated, msg) => show(updated.id, updated, msg).then(() => {
                    const s = document.getElementById("save-assessment");
                    if (s) s.focus();
                }),
                reload: () => show(a.id, null, t("Reloaded: the answers saved by others are shown.")),
            }),
            h("h3", { id: "risk-title" }, t("Risk per scenario")),
            riskTable(a),
            h("h3", null, t("Protection plan")),
            planView(cid, a),
            fundingPanel(cid, a),
            publishPanel(cid, a));
    }

    if (versions.length === 0) {
        append(body, h("p", null, t("This space has not been assessed yet.")),
            canAssess ? h("button", { type: "button", id: "start-assessment", onclick: startNew }, t("Start an assessment"))
                : h("p", null, t("An assessor of the city can start its assessment.")));
        return;
    }
    try {
        await show(versions[0].id);
    } catch (e) {
        if (e instanceof ApiError && e.status === 401) throw e;
        append(body, notice("error", errorText(e)));
    }
}
