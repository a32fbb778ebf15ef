// Perception surveys (issue 8; API in docs/internals/server.md, the index in
// docs/methodology.md §20):
//   #/survey/{token}      the public form a citizen opens from a link or a QR
//                         code, without an account: one fieldset per
//                         question (scales as five radio buttons, choices as
//                         check boxes), every question optional, anonymous
//   renderSurveys()       the surveys of a space on its page: respondents and
//                         the perception index with its 95 % interval, the
//                         results question by question; for coordinators a
//                         new survey (with the city's own questions), the
//                         form's link to copy, closing and reopening
//   perception*()         the colours and legend of the perception index on
//                         the city map (city.js)
// Every text from the API or a coordinator goes in as text (dom.js h()).
// SPDX-License-Identifier: EUPL-1.2

import { api, seg, ApiError } from "./api.js";
import { t, fmt, fmtDate, currentLang } from "./i18n.js";
import { h, clear, append, uid } from "./dom.js";
import { setTitle, notice, errorText, atLeast } from "./app.js";

const langArg = () => `lang=${encodeURIComponent(currentLang())}`;

// The absolute address of a survey's public form.
export function formUrl(token) {
    return `${location.origin}${location.pathname}#/survey/${encodeURIComponent(token)}`;
}

// "54 (40–68)": an index with its 95 % interval, or "–" without respondents.
export function indexText(index, lo, hi) {
    if (index === null || index === undefined) return "–";
    if (lo === null || lo === undefined || hi === null || hi === undefined) return fmt(index);
    return `${fmt(index)} (${fmt(lo)}–${fmt(hi)})`;
}

// ---------- the public form ----------

// One scale question: five radio buttons in a row, 1 … 5, the texts of 1
// and 5 under the ends of the row; each button's label is its number, at
// the ends with the text of that answer ("1 – Very unsafe"), so that a
// screen reader says it where the eye reads it below.
function scaleField(q, name) {
    const legendId = uid("q");
    const options = [1, 2, 3, 4, 5].map((v) => {
        const end = v === 1 ? q.low : v === 5 ? q.high : null;
        return h("label", { class: "scale-option" },
            h("input", { type: "radio", name, value: String(v) }),
            h("span", { class: "scale-num" }, String(v)),
            end ? h("span", { class: "visually-hidden" }, ` – ${end}`) : null);
    });
    const radios = () => [...options].map((l) => l.querySelector("input"));
    const clearBtn = h("button", {
        type: "button", class: "secondary clear-answer", hidden: true,
        onclick: () => {
            for (const r of radios()) r.checked = false;
            clearBtn.hidden = true;
            const first = radios()[0];
            if (first) first.focus();
        },
    }, t("Clear this answer"));
    const fs = h("fieldset", { class: "survey-q survey-scale", "data-question": q.id, "aria-labelledby": legendId },
        h("legend", { id: legendId }, q.text),
        h("div", { class: "scale-options" }, options),
        h("div", { class: "scale-ends", "aria-hidden": "true" },
            h("span", { class: "scale-low" }, q.low || ""),
            h("span", { class: "scale-high" }, q.high || "")),
        clearBtn);
    fs.addEventListener("change", () => { clearBtn.hidden = !radios().some((r) => r.checked); });
    return {
        el: fs,
        value: () => {
            const r = radios().find((x) => x.checked);
            return r ? Number(r.value) : null;
        },
    };
}

// One choice question: a check box per option, any number ticked.
function choiceField(q) {
    const boxes = (q.options || []).map((o) => h("label", { class: "survey-check" },
        h("input", { type: "checkbox", value: o.id }),
        h("span", null, o.text)));
    const fs = h("fieldset", { class: "survey-q survey-choice", "data-question": q.id },
        h("legend", null, q.text),
        h("p", { class: "hint" }, t("Tick as many as you like.")),
        h("div", { class: "survey-options" }, boxes));
    return {
        el: fs,
        value: () => {
            const ids = boxes.map((l) => l.querySelector("input")).filter((x) => x.checked).map((x) => x.value);
            return ids.length ? ids : null;
        },
    };
}

function closedNotice() {
    return h("div", { class: "notice status survey-closed", role: "status", id: "survey-closed" },
        h("p", null, h("strong", null, t("This survey is closed."))),
        h("p", null, t("It no longer takes answers. Thank you for your interest.")));
}

export async function renderSurveyForm(page, ctx, token) {
    page.classList.add("survey-page");
    setTitle(t("Survey"));
    let form;
    try {
        form = await api.get(`/public/surveys/${seg(token)}?${langArg()}`);
    } catch (e) {
        if (ctx.stale()) return;
        if (e instanceof ApiError && (e.status === 404 || e.status === 400)) {
            append(page, h("h1", null, t("Survey not found")),
                h("p", null, t("This survey does not exist. Check the address, or scan the code again.")));
        } else {
            append(page, h("h1", null, t("Survey")), notice("error", errorText(e)));
        }
        return;
    }
    if (ctx.stale()) return;
    setTitle(form.title);
    append(page,
        h("h1", null, form.title),
        form.space ? h("p", { class: "survey-space" }, t("Place: {space}", { space: form.space })) : null);

    if (!form.open) {
        append(page, closedNotice());
        return;
    }

    append(page,
        h("p", { class: "lead" }, t("Tell the city how safe you feel in this place. Your answers help it decide what to change.")),
        h("ul", { class: "survey-promises", id: "survey-promises" },
            h("li", null, h("strong", null, t("Anonymous:")), " ",
                t("no account, no name, no e-mail address.")),
            h("li", null, h("strong", null, t("Every question is optional:")), " ",
                t("answer only those you wish to.")),
            h("li", null, h("strong", null, t("What is kept:")), " ",
                t("your answers and the day you send them. Nothing else, not even the address of your connection."))));

    const fields = (form.questions || []).map((q) => (q.kind === "scale"
        ? scaleField(q, `survey-${q.id}`) : choiceField(q)));
    const message = h("div", { class: "survey-message", id: "survey-message" });
    const submit = h("button", { type: "submit", id: "survey-submit" }, t("Send my answers"));
    const el = h("form", { class: "survey-form", id: "survey-form", novalidate: true },
        fields.map((f) => f.el),
        message,
        h("div", { class: "actions" }, submit));
    const questions = form.questions || [];
    let sending = false;
    el.addEventListener("change", () => clear(message));

    el.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        if (sending) return;
        clear(message);
        const answers = {};
        fields.forEach((f, i) => {
            const v = f.value();
            if (v !== null) answers[questions[i].id] = v;
        });
        if (Object.keys(answers).length === 0) {
            append(message, notice("error", t("Answer at least one question before sending.")));
            return;
        }
        sending = true;
        submit.disabled = true;
        try {
            await api.post(`/public/surveys/${seg(token)}/responses`, { answers });
        } catch (e) {
            sending = false;
            submit.disabled = false;
            if (e instanceof ApiError && e.status === 409) {
                el.replaceWith(closedNotice());
                return;
            }
            let text;
            if (e instanceof ApiError && e.status === 429) {
                text = t("Too many answers have come from this connection. Please try again later.");
            } else if (e instanceof ApiError && e.status === 400) {
                text = t("Your answers were not accepted: {message}", { message: e.message });
            } else {
                text = errorText(e);
            }
            append(message, notice("error", text));
            return;
        }
        // sent: the form goes, so that nothing is sent twice by accident
        const thanks = h("section", { class: "notice status survey-thanks", id: "survey-thanks", "aria-labelledby": "thanks-title" },
            h("h2", { id: "thanks-title", tabindex: "-1" }, t("Thank you!")),
            h("p", null, t("Your answers have been recorded.")),
            h("p", null, t("You may close this page.")));
        el.replaceWith(thanks);
        const promises = page.querySelector("#survey-promises");
        if (promises) promises.hidden = true;
        thanks.querySelector("h2").focus();
    });
    append(page, el);
}

// ---------- the perception index on the city map ----------

// Five bands of the index, least safe (purple) to safest (green): a
// diverging scale read by the colour blind, unlike the risk colours.
const BANDS = [
    { min: 0, max: 20, fill: "#7b3294", ink: "#ffffff" },
    { min: 20, max: 40, fill: "#c2a5cf", ink: "#000000" },
    { min: 40, max: 60, fill: "#f7f7f7", ink: "#000000" },
    { min: 60, max: 80, fill: "#a6dba0", ink: "#000000" },
    { min: 80, max: 100, fill: "#008837", ink: "#ffffff" },
];
export const NOT_SURVEYED = "#8c8c8c";

export function perceptionBand(index) {
    if (index === null || index === undefined || Number.isNaN(Number(index))) return null;
    const i = Math.max(0, Math.min(4, Math.floor(Number(index) / 20)));
    return BANDS[i];
}

export function perceptionLegend() {
    const items = BANDS.slice().reverse().map((b) => h("li", {
        dataset: { min: String(b.min), max: String(b.max), colour: b.fill },
    },
    h("span", { class: "swatch", style: `background:${b.fill}`, "aria-hidden": "true" }),
    b.max === 100 ? t("{a}–{b}: safest", { a: fmt(b.min), b: fmt(b.max) })
        : b.min === 0 ? t("{a}–{b}: least safe", { a: fmt(b.min), b: fmt(b.max) })
            : `${fmt(b.min)}–${fmt(b.max)}`));
    items.push(h("li", null, h("span", { class: "swatch", style: `background:${NOT_SURVEYED}`, "aria-hidden": "true" }),
        t("no survey answers")));
    items.push(h("li", null, h("span", { class: "swatch dashed", "aria-hidden": "true" }),
        t("dashed outline: fear and incidents diverge")));
    return h("figure", { class: "legend", id: "perception-legend" },
        h("figcaption", null, t("Perception index (0 least safe … 100 safest)")), h("ul", null, items));
}

export function divergenceLabel(d) {
    switch (d) {
    case "fear": return t("feared more than its incidents suggest");
    case "incidents": return t("more incidents than fear");
    case "agree": return t("in line");
    default: return "—";
    }
}

// ---------- the surveys of a space (space.js) ----------

// A bar for the eye; the count is written beside it.
function bar(count, max) {
    const b = h("span", { class: "tally-bar", "aria-hidden": "true" }, h("span", { class: "tally-fill" }));
    b.firstChild.style.width = `${max > 0 ? Math.round((100 * count) / max) : 0}%`;
    return b;
}

function tallyRows(rows) {
    const max = Math.max(0, ...rows.map((r) => r.count || 0));
    return h("ul", { class: "tally" }, rows.map((r) => h("li", null,
        h("span", { class: "tally-label" }, r.label),
        bar(r.count || 0, max),
        h("span", { class: "tally-count" }, fmt(r.count || 0)))));
}

// "Responses: 12 · perception index 54 (40–68) (95 % interval), respondents: 11": the
// index counts only those who answered its scales.
function answersLine(x) {
    if (!x.responses) return t("No answers yet.");
    return [t("Responses: {n}", { n: fmt(x.responses) }), " · ",
        x.respondents && x.index !== null && x.index !== undefined
            ? t("perception index {index} (95 % interval), respondents: {r}", {
                index: indexText(x.index, x.lo, x.hi), r: fmt(x.respondents),
            })
            : t("no perception index yet: nobody answered its scales")];
}

function resultsView(res) {
    const tally = res.tally || {};
    const out = h("div", { class: "survey-results" },
        h("p", null, answersLine(tally)));
    for (const q of tally.questions || []) {
        const head = h("h4", null, q.text, q.own ? h("span", { class: "own-tag" }, " ", t("(the city's own question)")) : null);
        if (q.kind === "scale") {
            const counts = q.counts || [0, 0, 0, 0, 0];
            append(out, h("section", { class: "question-result", "data-question": q.id }, head,
                h("p", { class: "small" }, t("Answers: {n} · mean {mean} (1 {low} … 5 {high})", {
                    n: fmt(q.n || 0), mean: q.mean === null || q.mean === undefined ? "–" : fmt(q.mean, 1),
                    low: q.low || "", high: q.high || "",
                })),
                tallyRows(counts.map((c, i) => ({
                    label: i === 0 ? `1 – ${q.low || ""}` : i === 4 ? `5 – ${q.high || ""}` : String(i + 1),
                    count: c,
                })))));
        } else {
            append(out, h("section", { class: "question-result", "data-question": q.id }, head,
                h("p", { class: "small" }, t("Answers: {n}", { n: fmt(q.n || 0) })),
                tallyRows((q.options || []).map((o) => ({ label: o.text, count: o.count })))));
        }
    }
    return out;
}

// The editor of one own question of a new survey.
function ownEditor(kind, onRemove) {
    const id = uid("own");
    const text = h("input", { type: "text", id: `${id}-text`, maxlength: "300", class: "own-text" });
    const fs = h("fieldset", { class: "own-question", "data-kind": kind },
        h("legend", null, kind === "scale" ? t("Your question: a scale from 1 to 5") : t("Your question: a choice")),
        h("div", { class: "field" }, h("label", { for: `${id}-text` }, t("Question")), text));
    let get;
    if (kind === "scale") {
        const low = h("input", { type: "text", id: `${id}-low`, maxlength: "100", class: "own-low" });
        const high = h("input", { type: "text", id: `${id}-high`, maxlength: "100", class: "own-high" });
        append(fs, h("div", { class: "inline" },
            h("div", { class: "field" }, h("label", { for: `${id}-low` }, t("Text of answer 1 (the least)")), low),
            h("div", { class: "field" }, h("label", { for: `${id}-high` }, t("Text of answer 5 (the most)")), high)));
        get = () => ({ kind, text: text.value.trim(), low: low.value.trim(), high: high.value.trim() });
    } else {
        const opts = h("textarea", { id: `${id}-options`, rows: "4", class: "own-options" });
        append(fs, h("div", { class: "field" },
            h("label", { for: `${id}-options` }, t("Options, one per line (2 to 12)")), opts));
        get = () => ({
            kind, text: text.value.trim(),
            options: opts.value.split("\n").map((x) => x.trim()).filter(Boolean),
        });
    }
    append(fs, h("button", { type: "button", class: "secondary", onclick: () => onRemove(fs) }, t("Remove this question")));
    return { el: fs, get, focus: () => text.focus() };
}

function createForm(cid, sid, onCreated) {
    const title = h("input", { type: "text", id: "survey-new-title", maxlength: "200", required: true });
    const list = h("div", { class: "own-list" });
    const message = h("div", { class: "survey-create-message" });
    const editors = [];
    const remove = (el) => {
        const i = editors.findIndex((x) => x.el === el);
        if (i >= 0) editors.splice(i, 1);
        el.remove();
        title.focus();
    };
    const add = (kind) => {
        if (editors.length >= 10) {
            clear(message);
            append(message, notice("error", t("At most 10 questions of your own.")));
            return;
        }
        const ed = ownEditor(kind, remove);
        editors.push(ed);
        append(list, ed.el);
        ed.focus();
    };
    const submit = h("button", { type: "submit", id: "survey-create" }, t("Create the survey"));
    const form = h("form", { class: "survey-create", id: "survey-create-form", novalidate: true },
        h("h3", null, t("New survey")),
        h("div", { class: "field" }, h("label", { for: "survey-new-title" }, t("Title of the survey")), title),
        h("p", { class: "hint" }, t("Every survey asks the standard questions: how safe people feel here by day and after dark, how often they worry about becoming a victim, whether they avoid the place, and what would make it feel safer. You may add questions of your own: they are shown as you write them and reported one by one, but they do not count in the perception index.")),
        list,
        h("div", { class: "actions" },
            h("button", { type: "button", class: "secondary", id: "add-scale", onclick: () => add("scale") },
                t("Add a scale question (1 to 5)")),
            h("button", { type: "button", class: "secondary", id: "add-choice", onclick: () => add("choice") },
                t("Add a choice question"))),
        message,
        h("div", { class: "actions" }, submit));
    form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        clear(message);
        if (!title.value.trim()) {
            append(message, notice("error", t("Give the survey a title.")));
            title.focus();
            return;
        }
        const body = { space: Number(sid), title: title.value.trim() };
        if (editors.length) body.questions = editors.map((e) => e.get());
        submit.disabled = true;
        try {
            const r = await api.post(`/cities/${seg(cid)}/surveys`, body);
            onCreated(r);
        } catch (e) {
            if (e instanceof ApiError && e.status === 401) throw e;
            append(message, notice("error", e instanceof ApiError && e.status === 400
                ? t("The survey was not created: {message}", { message: e.message }) : errorText(e)));
        } finally {
            submit.disabled = false;
        }
    });
    return form;
}

async function copyText(input) {
    try {
        await navigator.clipboard.writeText(input.value);
        return true;
    } catch (e) {
        input.focus();
        input.select();
        try {
            return document.execCommand("copy");
        } catch (e2) {
            return false;
        }
    }
}

function surveyItem(cid, sv, coordinator, refresh) {
    const titleId = uid("survey");
    const resultsId = uid("results");
    const results = h("div", { id: resultsId, class: "results-panel", hidden: true });
    const toggle = h("button", {
        type: "button", class: "secondary show-results", "aria-expanded": "false", "aria-controls": resultsId,
    }, t("Show the results"));
    toggle.addEventListener("click", async () => {
        if (toggle.getAttribute("aria-expanded") === "true") {
            toggle.setAttribute("aria-expanded", "false");
            toggle.textContent = t("Show the results");
            results.hidden = true;
            return;
        }
        toggle.setAttribute("aria-expanded", "true");
        toggle.textContent = t("Hide the results");
        results.hidden = false;
        clear(results);
        append(results, h("p", { class: "loading" }, t("Loading…")));
        try {
            const r = await api.get(`/cities/${seg(cid)}/surveys/${seg(sv.id)}?${langArg()}`);
            append(clear(results), resultsView(r));
        } catch (e) {
            append(clear(results), notice("error", errorText(e)));
        }
    });

    const li = h("li", { class: "survey-item", "data-survey": String(sv.id), "aria-labelledby": titleId },
        h("h3", { id: titleId }, sv.title),
        h("p", { class: "meta" },
            h("span", { class: `survey-state ${sv.open ? "open" : "closed"}` }, sv.open ? t("open") : t("closed")),
            sv.created_at ? [" · ", t("created {date}", { date: fmtDate(sv.created_at) })] : null),
        h("p", { class: "survey-index" }, answersLine(sv)));
    if (coordinator && sv.token) {
        const linkId = uid("link");
        const input = h("input", { type: "text", id: linkId, class: "survey-link", readonly: true, value: formUrl(sv.token) });
        const copied = h("span", { class: "copy-status", role: "status" });
        append(li, h("div", { class: "field survey-link-field" },
            h("label", { for: linkId }, t("Address of the public form")),
            h("div", { class: "copy-row" }, input,
                h("button", {
                    type: "button", class: "secondary copy-link",
                    onclick: async () => {
                        copied.textContent = (await copyText(input))
                            ? t("Link copied.") : t("Copying failed: select the address and copy it.");
                    },
                }, t("Copy the link")),
                h("a", { href: formUrl(sv.token), target: "_blank", rel: "noopener", class: "open-form" }, t("Open the form"))),
            copied));
    }
    const actions = h("div", { class: "actions" }, toggle);
    if (coordinator) {
        append(actions, h("button", {
            type: "button", class: "secondary toggle-open",
            onclick: async (ev) => {
                ev.target.disabled = true;
                try {
                    await api.put(`/cities/${seg(cid)}/surveys/${seg(sv.id)}`, { open: !sv.open });
                    await refresh(sv.open ? t("Survey “{title}” closed.", { title: sv.title })
                        : t("Survey “{title}” reopened.", { title: sv.title }), sv.id);
                } catch (e) {
                    ev.target.disabled = false;
                    if (e instanceof ApiError && e.status === 401) throw e;
                    append(li, notice("error", errorText(e)));
                }
            },
        }, sv.open ? t("Close the survey") : t("Reopen the survey")));
    }
    append(li, actions, results);
    return li;
}

// The section "Perception surveys" of a space page, into sec.
export async function renderSurveys(sec, ctx, cid, sid) {
    const coordinator = atLeast(cid, "coordinator");
    append(sec,
        h("h2", { id: "surveys-title" }, t("Perception surveys")),
        h("p", { class: "lead" }, t("How safe people feel in this place, asked on a public form that needs no account. The perception index goes from 0 (least safe) to 100 (safest).")));
    const status = h("div", { class: "surveys-status" });
    const body = h("div", { class: "surveys-body" });
    append(sec, status, body);

    async function refresh(message, focusId) {
        let all;
        try {
            all = await api.get(`/cities/${seg(cid)}/surveys`);
        } catch (e) {
            if (e instanceof ApiError && e.status === 401) throw e;
            if (ctx.stale()) return;
            append(clear(body), notice("error", errorText(e)));
            return;
        }
        if (ctx.stale()) return;
        clear(status);
        if (message) append(status, notice("status", message));
        const mine = (all || []).filter((s) => String(s.space) === String(sid));
        clear(body);
        append(body, mine.length
            ? h("ul", { class: "survey-list", id: "survey-list" }, mine.map((s) => surveyItem(cid, s, coordinator, refresh)))
            : h("p", { id: "survey-list-empty" }, t("No survey of this place yet.")));
        if (coordinator) {
            append(body, createForm(cid, sid, (r) => refresh(t("Survey created. Give its public form to the people who use this place."), r.id)));
        }
        if (focusId !== undefined) {
            const item = body.querySelector(`li.survey-item[data-survey="${focusId}"] h3`);
            if (item) {
                item.setAttribute("tabindex", "-1");
                item.focus();
            }
        }
    }
    await refresh();
}
