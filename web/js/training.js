// The training modules (issue 8; API in docs/internals/server.md, content
// in docs/internals/training.md):
//   #/training                 the modules: lessons done, self-evaluation and
//                              practical scores against the pass mark, the
//                              certificate once every module is passed
//   #/training/{lesson}        a lesson: its text, then its exercises, each
//                              scored by the server (the right answers come
//                              only with the score); a self-evaluation is a
//                              lesson of exercises; the practical lesson shows
//                              the checklist of Place d'Armes as a form,
//                              scored against the reference question by
//                              question
// Everything in the user's language (?lang= on every request).
// SPDX-License-Identifier: EUPL-1.2

import { api, seg, BASE, ApiError } from "./api.js";
import { t, fmt, currentLang } from "./i18n.js";
import { h, clear, append, uid } from "./dom.js";
import { setTitle, notice, errorText } from "./app.js";
import { renderMarkdown, inline } from "./markdown.js";

const langArg = () => `lang=${encodeURIComponent(currentLang())}`;

// A percentage (0–100) in the current language: "80%", "80 %".
function pct(p) {
    if (p === null || p === undefined || Number.isNaN(Number(p))) return "–";
    return new Intl.NumberFormat(currentLang(), { style: "percent", maximumFractionDigits: 0 })
        .format(Number(p) / 100);
}

function kindName(kind) {
    switch (kind) {
    case "self-evaluation": return t("Self-evaluation");
    case "practical": return t("Practical assessment");
    default: return t("Lesson");
    }
}

function minutes(n) {
    return t("about {n} min", { n: fmt(n) });
}

// The message when the training API answers 404 for the whole training.
function trainingError(e) {
    if (e instanceof ApiError && e.status === 404 && /not installed/.test(e.message)) {
        return t("The training content is not installed on this server.");
    }
    return errorText(e);
}

// A bar drawn for the eye (the same facts are in the text beside it): the
// score filled in, the pass mark as a tick.
function scoreBar(score, pass) {
    const bar = h("span", { class: "score-bar", "aria-hidden": "true" },
        h("span", { class: `score-fill${score !== null && score >= pass ? " passed" : ""}` }),
        h("span", { class: "score-mark" }));
    bar.firstChild.style.width = `${Math.max(0, Math.min(100, Number(score) || 0))}%`;
    bar.lastChild.style.left = `${Math.max(0, Math.min(100, Number(pass) || 0))}%`;
    return bar;
}

function passedBadge(passed) {
    return passed
        ? h("span", { class: "badge passed" }, t("Passed"))
        : h("span", { class: "badge not-passed" }, t("Not passed yet"));
}

function lessonStatus(l) {
    if (l.done) return h("span", { class: "lesson-state done" }, t("done"));
    if (l.kind !== "practical" && l.answered > 0) {
        return h("span", { class: "lesson-state" },
            t("{a} of {n} exercises answered", { a: fmt(l.answered), n: fmt(l.exercises) }));
    }
    return h("span", { class: "lesson-state" }, t("not started"));
}

// One line of a module's scores: "Self-evaluation: 80 % (pass mark 70 %)".
function scoreLine(label, score, pass) {
    return h("div", { class: "score-line" },
        h("span", { class: "score-label" }, label, " "),
        h("span", { class: "score-text" },
            score === null || score === undefined
                ? t("not taken yet (pass mark {pass})", { pass: pct(pass) })
                : t("{score} (pass mark {pass})", { score: pct(score), pass: pct(pass) })),
        scoreBar(score, pass));
}

function certificateHref() {
    return `${BASE}/training/certificate?${langArg()}`;
}

export async function renderTraining(page, ctx) {
    setTitle(t("Training"));
    let tr;
    try {
        tr = await api.get(`/training?${langArg()}`);
    } catch (e) {
        if (e instanceof ApiError && e.status === 401) throw e;
        if (ctx.stale()) return;
        append(page, h("h1", null, t("Training")), notice("error", trainingError(e)));
        return;
    }
    if (ctx.stale()) return;
    const modules = tr.modules || [];
    const passed = modules.filter((m) => m.passed).length;
    append(page,
        h("h1", null, t("Training")),
        h("p", { class: "lead" }, t("Modules for the staff who protect public spaces: lessons with exercises, a self-evaluation at the end of each module, and a practical assessment of Place d'Armes. Your progress is kept; you may answer an exercise again at any time.")));
    append(page, tr.certificate
        ? notice("status",
            h("p", null, t("You have passed every module.")),
            h("p", null, h("a", { href: certificateHref(), download: "", id: "certificate-link", class: "button-link" },
                t("Download the certificate"), " ", h("span", { class: "small" }, t("(PDF)")))))
        : h("p", { class: "certificate-note" },
            t("The certificate (PDF) is given when every module is passed: {n} of {m} passed so far.",
                { n: fmt(passed), m: fmt(modules.length) })));

    const list = h("ol", { class: "modules" });
    modules.forEach((m, mi) => {
        const lessons = m.lessons || [];
        const titleId = uid("module");
        const progId = uid("progress");
        const hasSelf = lessons.some((l) => l.kind === "self-evaluation");
        const hasPractical = lessons.some((l) => l.kind === "practical");
        append(list, h("li", { class: "module", id: `module-${m.id}` },
            h("section", { "aria-labelledby": titleId },
                h("h2", { id: titleId },
                    h("span", { class: "module-number" }, t("Module {n}", { n: fmt(mi + 1) })), " ",
                    m.title || m.id),
                h("div", { class: "module-status" },
                    passedBadge(m.passed),
                    h("div", { class: "score-line" },
                        h("label", { for: progId, class: "score-label" }, t("Lessons done:")), " ",
                        h("span", { class: "score-text" },
                            t("{done} of {total}", { done: fmt(m.lessons_done), total: fmt(lessons.length) })),
                        h("progress", { id: progId, max: String(lessons.length || 1), value: String(m.lessons_done || 0) })),
                    hasSelf ? scoreLine(t("Self-evaluation:"), m.self_evaluation_percent, m.pass_percent) : null,
                    hasPractical ? scoreLine(t("Practical assessment:"), m.practical_percent, m.pass_percent) : null),
                h("ol", { class: "lessons" }, lessons.map((l) => h("li", { class: `lesson-item${l.done ? " is-done" : ""}` },
                    h("a", { href: `#/training/${seg(l.id)}` }, l.title || l.id),
                    h("span", { class: "small" }, " · ", kindName(l.kind), " · ", minutes(l.minutes)),
                    " ", lessonStatus(l)))))));
    });
    append(page, list);
}

// ---------- exercises ----------

function kindHint(kind) {
    switch (kind) {
    case "multiple": return t("Choose every right answer.");
    case "order": return t("Put the items in the right order with the buttons Move up and Move down.");
    default: return t("Choose one answer.");
    }
}

// One exercise as a form. onScored(e) is called with the exercise as the
// server returns it after an answer.
function exerciseForm(ex, n, onScored) {
    const base = `ex-${ex.id}`;
    const options = ex.options || [];
    const result = h("div", { class: "exercise-result", "aria-live": "polite" });
    const submit = h("button", { type: "submit" }, t("Check my answer"));
    const form = h("form", { class: "exercise", id: base, "data-exercise": ex.id, novalidate: true });
    const legendId = `${base}-legend`;
    const fieldset = h("fieldset", null,
        h("legend", { id: legendId }, h("span", { class: "exercise-number" }, t("Question {n}", { n: fmt(n) })),
            " ", inline(ex.question)),
        h("p", { class: "hint" }, kindHint(ex.kind)));
    let getAnswer; // → array of option indices, or null when incomplete
    let marks; // (e) → marks the options right or wrong
    let clearMarks;

    if (ex.kind === "order") {
        // the server shuffles the options (never in the right order); the
        // learner's last order when there is one
        let order = Array.isArray(ex.answer) && ex.answer.length === options.length
            ? ex.answer.slice() : options.map((_, k) => k);
        const live = h("div", { class: "visually-hidden", "aria-live": "assertive" });
        const ol = h("ol", { class: "order-list" });
        let lastResult = null;
        const draw = (focus) => {
            clear(ol);
            order.forEach((opt, pos) => {
                const text = h("span", null, inline(options[opt])).textContent;
                const up = h("button", {
                    type: "button", class: "secondary move", "data-move": "up",
                    "aria-disabled": pos === 0 ? "true" : null,
                }, h("span", { "aria-hidden": "true" }, "↑"),
                h("span", { class: "visually-hidden" }, t("Move up: {item}", { item: text })));
                const down = h("button", {
                    type: "button", class: "secondary move", "data-move": "down",
                    "aria-disabled": pos === order.length - 1 ? "true" : null,
                }, h("span", { "aria-hidden": "true" }, "↓"),
                h("span", { class: "visually-hidden" }, t("Move down: {item}", { item: text })));
                up.addEventListener("click", () => move(pos, -1, "up"));
                down.addEventListener("click", () => move(pos, 1, "down"));
                const li = h("li", { class: "order-item", "data-option": String(opt) },
                    h("span", { class: "order-pos", "aria-hidden": "true" }, `${pos + 1}.`),
                    h("span", { class: "order-text" }, inline(options[opt])),
                    h("span", { class: "order-tag" }),
                    h("span", { class: "order-buttons" }, up, down));
                append(ol, li);
                if (focus && focus.opt === opt) (focus.dir === "up" ? up : down).focus();
            });
            if (lastResult) marks(lastResult);
        };
        const move = (pos, d, dir) => {
            const to = pos + d;
            if (to < 0 || to >= order.length) return;
            const opt = order[pos];
            [order[pos], order[to]] = [order[to], order[pos]];
            lastResult = null;
            draw({ opt, dir });
            live.textContent = t("“{item}” moved to position {n} of {total}.",
                { item: h("span", null, inline(options[opt])).textContent, n: fmt(to + 1), total: fmt(order.length) });
        };
        getAnswer = () => order.slice();
        marks = (e) => {
            lastResult = e;
            const correct = e.correct || [];
            ol.querySelectorAll("li.order-item").forEach((li, pos) => {
                const ok = Number(li.dataset.option) === correct[pos];
                li.classList.toggle("right", ok);
                li.classList.toggle("wrong", !ok);
                li.querySelector(".order-tag").textContent = ok ? t("right place") : t("wrong place");
            });
        };
        clearMarks = () => {
            lastResult = null;
            ol.querySelectorAll("li.order-item").forEach((li) => {
                li.classList.remove("right", "wrong");
                li.querySelector(".order-tag").textContent = "";
            });
        };
        draw(null);
        append(fieldset, ol, live);
    } else {
        const multiple = ex.kind === "multiple";
        const given = new Set(Array.isArray(ex.answer) ? ex.answer : []);
        const inputs = [];
        const rows = options.map((text, i) => {
            const id = `${base}-o${i}`;
            const input = h("input", {
                type: multiple ? "checkbox" : "radio", id, name: base, value: String(i), checked: given.has(i),
            });
            inputs.push(input);
            return h("div", { class: "choice option", "data-option": String(i) }, input,
                h("label", { for: id }, inline(text), h("span", { class: "option-tag" })));
        });
        append(fieldset, h("div", { class: "choices" }, rows));
        getAnswer = () => {
            const a = inputs.filter((x) => x.checked).map((x) => Number(x.value));
            return a.length ? a : null;
        };
        marks = (e) => {
            const correct = new Set(e.correct || []);
            const mine = new Set(e.answer || []);
            rows.forEach((row, i) => {
                const tags = [];
                if (correct.has(i)) tags.push(t("right answer"));
                if (mine.has(i)) tags.push(t("your answer"));
                row.classList.toggle("right", correct.has(i));
                row.classList.toggle("wrong", mine.has(i) && !correct.has(i));
                row.querySelector(".option-tag").textContent = tags.length ? ` (${tags.join(", ")})` : "";
            });
        };
        clearMarks = () => rows.forEach((row) => {
            row.classList.remove("right", "wrong");
            row.querySelector(".option-tag").textContent = "";
        });
        fieldset.addEventListener("change", () => {
            clearMarks();
        });
    }

    const showResult = (e, fresh) => {
        clear(result);
        const s = Number(e.score);
        const cls = s >= 0.9999 ? "right" : s <= 0.0001 ? "wrong" : "partly";
        const verdict = cls === "right" ? t("Right.") : cls === "wrong" ? t("Not right.")
            : t("Partly right.");
        const rightOrder = ex.kind === "order" && Array.isArray(e.correct)
            ? h("div", { class: "right-order" }, h("p", null, t("The right order:")),
                h("ol", null, e.correct.map((k) => h("li", null, inline(options[k] ?? (e.options || [])[k])))))
            : null;
        append(result, h("div", { class: `verdict ${cls}` },
            h("p", { class: "verdict-line" }, h("strong", null, verdict), " ",
                t("Score: {score}", { score: pct(s * 100) })),
            rightOrder,
            e.explanation ? h("p", { class: "explanation" }, h("strong", null, t("Explanation:")), " ", inline(e.explanation)) : null,
            fresh ? null : h("p", { class: "small" }, t("Your last answer is shown; you may answer again."))));
        marks(e);
    };

    form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const answer = getAnswer();
        if (!answer) {
            clear(result);
            append(result, notice("error", ex.kind === "multiple"
                ? t("Choose at least one answer first.") : t("Choose an answer first.")));
            const first = form.querySelector("input");
            if (first) first.focus();
            return;
        }
        submit.disabled = true;
        try {
            const e = await api.post(`/training/exercises/${seg(ex.id)}?${langArg()}`, { answer });
            showResult(e, true);
            onScored(e);
        } catch (e) {
            clear(result);
            append(result, notice("error", t("Not saved. {message}", { message: errorText(e) })));
        } finally {
            submit.disabled = false;
        }
    });

    append(form, fieldset, h("div", { class: "actions" }, submit), result);
    if (ex.score !== undefined && ex.score !== null) showResult(ex, false);
    return form;
}

// ---------- a lesson ----------

function findModule(tr, lesson) {
    return (tr && tr.modules || []).find((m) => (m.lessons || []).some((l) => l.id === lesson.id))
        || (tr && tr.modules || []).find((m) => m.id === lesson.module) || null;
}

function neighbours(tr, id) {
    const all = [];
    for (const m of (tr && tr.modules) || []) for (const l of m.lessons || []) all.push(l);
    const i = all.findIndex((l) => l.id === id);
    return { prev: i > 0 ? all[i - 1] : null, next: i >= 0 && i + 1 < all.length ? all[i + 1] : null };
}

export async function renderLesson(page, ctx, id) {
    const [lesson, tr] = await Promise.all([
        api.get(`/training/lessons/${seg(id)}?${langArg()}`),
        api.get(`/training?${langArg()}`).catch(() => null),
    ]);
    if (ctx.stale()) return;
    const mod = findModule(tr, lesson);
    const mi = mod ? tr.modules.indexOf(mod) : -1;
    const pass = mod ? mod.pass_percent : null;
    setTitle(lesson.title);
    append(page,
        h("nav", { class: "crumbs", "aria-label": t("Breadcrumb") }, h("ol", null,
            h("li", null, h("a", { href: "#/training" }, t("Training"))),
            h("li", null, h("a", { href: "#/training" }, mi >= 0
                ? t("Module {n}: {title}", { n: fmt(mi + 1), title: lesson.module_title || lesson.module })
                : lesson.module_title || lesson.module)),
            h("li", null, h("a", { href: `#/training/${seg(lesson.id)}`, "aria-current": "page" }, lesson.title)))),
        h("h1", null, lesson.title),
        h("p", { class: "meta" }, kindName(lesson.kind), " · ", minutes(lesson.minutes)));
    append(page, renderMarkdown(h("div", { class: "lesson-body" }), lesson.body));

    if (lesson.kind === "practical") {
        await renderPractical(page, ctx, lesson, pass);
    } else if ((lesson.exercises || []).length) {
        const exs = lesson.exercises;
        const scores = new Map(exs.filter((e) => e.score !== undefined && e.score !== null)
            .map((e) => [e.id, Number(e.score)]));
        const summary = h("div", { class: "lesson-score", id: "lesson-score", "aria-live": "polite" });
        const drawSummary = () => {
            clear(summary);
            if (scores.size === 0) {
                append(summary, h("p", null, t("Exercises: {n}; none answered yet.", { n: fmt(exs.length) })));
                return;
            }
            let sum = 0;
            for (const v of scores.values()) sum += v;
            const p = 100 * sum / exs.length;
            append(summary, h("p", null,
                h("strong", null, t("Your score for this lesson: {score}", { score: pct(p) })), " ",
                t("({a} of {n} exercises answered)", { a: fmt(scores.size), n: fmt(exs.length) })));
            if (lesson.kind === "self-evaluation" && pass !== null) {
                const done = scores.size === exs.length;
                append(summary, h("p", null, p >= pass - 1e-9
                    ? t("You reach the pass mark of {pass}: the module is passed once its other requirements are met.", { pass: pct(pass) })
                    : done ? t("The pass mark is {pass}: answer the questions you missed again.", { pass: pct(pass) })
                        : t("The pass mark is {pass}.", { pass: pct(pass) })));
            }
        };
        drawSummary();
        append(page,
            h("h2", { id: "exercises" }, lesson.kind === "self-evaluation" ? t("Questions") : t("Exercises")),
            exs.map((ex, i) => exerciseForm(ex, i + 1, (e) => {
                scores.set(ex.id, Number(e.score));
                drawSummary();
            })),
            h("h2", null, t("Your score")),
            summary);
    }

    const { prev, next } = neighbours(tr, lesson.id);
    append(page, h("nav", { class: "lesson-nav", "aria-label": t("Lessons") }, h("ul", null,
        prev ? h("li", null, h("a", { href: `#/training/${seg(prev.id)}`, rel: "prev" }, t("Previous: {title}", { title: prev.title }))) : null,
        h("li", null, h("a", { href: "#/training" }, t("All modules"))),
        next ? h("li", null, h("a", { href: `#/training/${seg(next.id)}`, rel: "next" }, t("Next: {title}", { title: next.title }))) : null)));
}

// ---------- the practical lesson ----------

function pointsText(p) {
    return t("Points: {n}", { n: fmt(p, 1) });
}

async function renderPractical(page, ctx, lesson, pass) {
    const [cat, mine] = await Promise.all([
        api.get(`/catalogue?${langArg()}`),
        api.get(`/training/practical/${seg(lesson.id)}?${langArg()}`),
    ]);
    if (ctx.stale()) return;
    const areas = new Map((cat.areas || []).map((a) => [a.id, a]));
    const questions = cat.questions || [];
    const qtext = new Map(questions.map((q) => [q.id, q]));
    const given = new Map(((mine && mine.answers) || []).map((a) => [a.question, Number(a.answer)]));

    const intro = h("div", { class: "practical-last" });
    if (mine && mine.score !== null && mine.score !== undefined) {
        const p = 100 * Number(mine.score);
        append(intro, notice("status",
            h("p", null, t("Your last score: {score} (pass mark {pass}).", { score: pct(p), pass: pct(pass) })),
            h("p", null, t("Your last answers are filled in below; submit them again to see the feedback question by question."))));
    }

    const form = h("form", { class: "checklist practical", id: "practical-form", novalidate: true });
    const fields = []; // {q, radios, fieldset}
    const groups = new Map();
    for (const q of questions) {
        if (!groups.has(q.area)) groups.set(q.area, []);
        groups.get(q.area).push(q);
    }
    let n = 0;
    for (const [area, qs] of groups) {
        const a = areas.get(area);
        const sec = h("section", { class: "area" },
            h("h3", null, (a && a.name) || area),
            a && a.description ? h("p", { class: "hint" }, a.description) : null);
        for (const q of qs) {
            n += 1;
            const base = `pq${n}`;
            const radios = [];
            const opts = (q.choices || []).slice(0, 5).map((text, i) => {
                const id = `${base}-a${i + 1}`;
                const r = h("input", { type: "radio", id, name: base, value: String(i + 1), checked: given.get(q.id) === i + 1 });
                radios.push(r);
                return h("div", { class: "choice" }, r,
                    h("label", { for: id }, h("span", { class: "level" }, String(i + 1)), " ", text));
            });
            const fieldset = h("fieldset", { class: "question", "data-question": q.id },
                h("legend", null, q.text || q.id),
                q.why ? h("p", { class: "why" }, h("strong", null, t("Why it matters:")), " ", q.why) : null,
                h("div", { class: "choices" }, opts),
                h("div", { class: "question-feedback", "aria-live": "off" }));
            fields.push({ q, radios, fieldset });
            append(sec, fieldset);
        }
        append(form, sec);
    }
    const status = h("div", { class: "save-status", "aria-live": "polite" });
    const submit = h("button", { type: "submit", id: "practical-submit" }, t("Submit for feedback"));
    append(form, h("div", { class: "actions sticky" }, submit, status));
    const feedback = h("section", { class: "practical-feedback", id: "practical-feedback", "aria-labelledby": "feedback-title" });

    form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        clear(status);
        const answers = [];
        const missing = [];
        for (const f of fields) {
            const picked = f.radios.find((r) => r.checked);
            if (picked) answers.push({ question: f.q.id, answer: Number(picked.value) });
            else missing.push(f);
        }
        if (missing.length) {
            append(status, notice("error", t("Questions still unanswered: {n}. Answer every question before asking for feedback.",
                { n: fmt(missing.length) })));
            missing[0].radios[0].focus();
            return;
        }
        submit.disabled = true;
        try {
            const res = await api.post(`/training/practical/${seg(lesson.id)}?${langArg()}`, { answers });
            if (ctx.stale()) return;
            showFeedback(res);
            clear(intro);
            const title = document.getElementById("feedback-title");
            if (title) {
                title.setAttribute("tabindex", "-1");
                title.focus();
            }
        } catch (e) {
            append(status, notice("error", t("Not saved. {message}", { message: errorText(e) })));
        } finally {
            submit.disabled = false;
        }
    });

    function showFeedback(res) {
        const items = res.items || [];
        const p = 100 * Number(res.score);
        const total = items.reduce((s, it) => s + Number(it.points || 0), 0);
        clear(feedback);
        append(feedback,
            h("h2", { id: "feedback-title" }, t("Feedback on your answers")),
            h("div", { class: `verdict ${p >= pass - 1e-9 ? "right" : "wrong"}` },
                h("p", { class: "verdict-line" }, h("strong", null, t("Your score: {score}", { score: pct(p) })), " ",
                    t("({points} of {n} points; pass mark {pass})", { points: fmt(total, 1), n: fmt(items.length), pass: pct(pass) })),
                h("p", null, p >= pass - 1e-9 ? t("You reach the pass mark.") : t("You do not reach the pass mark yet: read the reasons below, then answer again."))),
            h("p", { class: "hint" }, t("Each answer at the reference level earns 1 point, one level away half a point, further away nothing.")),
            h("table", { class: "data feedback-table", id: "feedback-table" },
                h("caption", null, t("Your answers compared with the reference assessment")),
                h("thead", null, h("tr", null,
                    h("th", { scope: "col" }, t("Question")),
                    h("th", { scope: "col" }, t("Your answer")),
                    h("th", { scope: "col" }, t("Reference")),
                    h("th", { scope: "col" }, t("Points")),
                    h("th", { scope: "col" }, t("Reason of the reference")))),
                h("tbody", null, items.map((it) => {
                    const pts = Number(it.points || 0);
                    const cls = pts >= 0.999 ? "full" : pts > 0 ? "half" : "none";
                    return h("tr", { class: `points-${cls}`, "data-question": it.question },
                        h("th", { scope: "row" }, (qtext.get(it.question) || {}).text || it.question),
                        h("td", { class: "num" }, it.given === null || it.given === undefined ? t("not answered") : String(it.given)),
                        h("td", { class: "num" }, String(it.reference)),
                        h("td", { class: "num" }, fmt(pts, 1)),
                        h("td", null, it.reason || ""));
                }))));
        // the same, beside each question of the form
        const byQ = new Map(items.map((it) => [it.question, it]));
        for (const f of fields) {
            const box = f.fieldset.querySelector(".question-feedback");
            clear(box);
            const it = byQ.get(f.q.id);
            f.fieldset.classList.remove("points-full", "points-half", "points-none");
            if (!it) continue;
            const pts = Number(it.points || 0);
            f.fieldset.classList.add(pts >= 0.999 ? "points-full" : pts > 0 ? "points-half" : "points-none");
            append(box, h("p", null,
                h("strong", null, t("Reference: {ref}; your answer: {given}.", {
                    ref: it.reference, given: it.given === null || it.given === undefined ? "–" : it.given,
                })), " ", pointsText(pts)),
            it.reason ? h("p", { class: "small" }, it.reason) : null);
        }
    }

    append(page,
        h("h2", { id: "practical-title" }, t("Your assessment of Place d'Armes")),
        h("p", { class: "hint" }, t("Answer every question of the checklist from the site file above: 1 for the most vulnerable situation, 5 for the best protected. Then submit your answers to compare them with the reference assessment.")),
        intro,
        feedback,
        form);
}
