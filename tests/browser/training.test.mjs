// Browser test of the training (issue 8): a learner opens Training,
// completes a lesson of module 1 and its exercises through the page (a
// first answer shows the right ones, a second gets them right; the order
// exercise is put in order with the keyboard), sees the score; completes
// the practical assessment of Place d'Armes through the checklist form and
// sees the feedback; passes the self-evaluations (through the API) and
// downloads the certificate from the page. Also: the lesson renderer keeps
// markup and script links inert. Same set-up as app.test.mjs
// (tests/browser/run):
//   AGORA_URL, AGORA_PASSWORD, AGORA_ARTIFACTS, CHROMIUM
//   AGORA_LEARNER        a user to train (default: AGORA_USER); the run
//                        script creates "learner", with no role in a city
// SPDX-License-Identifier: EUPL-1.2

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const BASE = (process.env.AGORA_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
const LEARNER = process.env.AGORA_LEARNER || process.env.AGORA_USER || "learner";
const PASSWORD = process.env.AGORA_PASSWORD || "assessor-password";
const SHOTS = process.env.AGORA_ARTIFACTS || "out/test-artifacts/browser";
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const REFERENCE = join(process.env.AGORA_DATA_DIR || join(ROOT, "data"),
    "training", "reference", "place-darmes.json");
const T = 20000;

let browser;
const errors = [];

before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({
        executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
        args: ["--no-sandbox"],
    });
});

after(async () => {
    if (browser) await browser.close();
});

async function newPage() {
    const context = await browser.newContext({
        acceptDownloads: true, viewport: { width: 1300, height: 950 }, locale: "en-GB",
    });
    const page = await context.newPage();
    page.setDefaultTimeout(T);
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("dialog", (d) => {
        errors.push(`dialog opened: ${d.message()}`);
        d.dismiss();
    });
    return page;
}

async function shot(page, name, at) {
    if (at) await at.first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: !at });
}

async function signIn(page) {
    await page.goto(`${BASE}/#/login`);
    await page.getByLabel("User name").fill(LEARNER);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator(".site-header .who").waitFor();
    if (await page.evaluate(() => document.documentElement.lang) !== "en") {
        await page.locator("#lang-select").selectOption("en");
        await page.locator("html[lang=en]").waitFor();
    }
}

// The API from the page, with its session and CSRF token.
async function apiCall(page, method, path, body) {
    return page.evaluate(async ([m, p, b]) => {
        const s = await (await fetch("/api/v1/session")).json();
        const r = await fetch(`/api/v1${p}`, {
            method: m,
            headers: { "Content-Type": "application/json", "X-CSRF-Token": s.csrf },
            body: b === null ? undefined : JSON.stringify(b),
        });
        return { status: r.status, body: await r.json().catch(() => null) };
    }, [method, path, body === undefined ? null : body]);
}

test("the lesson renderer keeps markup and script links inert", { timeout: 30000 }, async () => {
    const page = await newPage();
    await signIn(page);
    const r = await page.evaluate(async () => {
        const { renderMarkdown } = await import("/js/markdown.js");
        const div = document.createElement("div");
        renderMarkdown(div, [
            "## Title <img src=x onerror=\"window.__agoraXss=1\">",
            "",
            "A **bold** and *italic* [safe](https://example.org/a?b=1) and",
            "[bad](javascript:window.__agoraXss=2) <script>window.__agoraXss=3</script>",
            "",
            "- one",
            "  two",
            "1. first",
            "",
            "> quoted *text*",
        ].join("\n"));
        document.body.appendChild(div);
        const out = {
            tags: [...div.querySelectorAll("*")].map((e) => e.tagName.toLowerCase()),
            links: [...div.querySelectorAll("a")].map((a) => [a.getAttribute("href"), a.getAttribute("rel")]),
            h2: div.querySelector("h2").textContent,
            li: div.querySelector("ul li").textContent,
        };
        div.remove();
        return out;
    });
    assert.ok(!r.tags.includes("img") && !r.tags.includes("script"), `markup became elements: ${r.tags}`);
    for (const tag of ["h2", "p", "strong", "em", "ul", "ol", "blockquote"]) assert.ok(r.tags.includes(tag), `no ${tag}`);
    assert.equal(r.links.length, 1, `links: ${JSON.stringify(r.links)}`);
    assert.equal(r.links[0][0], "https://example.org/a?b=1");
    assert.match(r.links[0][1], /noopener/);
    assert.match(r.h2, /<img src=x/);
    assert.equal(r.li, "one two");
    assert.equal(await page.evaluate(() => window.__agoraXss), undefined);
    await page.context().close();
});

// Puts the order list of `form` in the order of `texts`, from the keyboard:
// each item is moved up with its "Move up" button (Enter), which keeps the
// focus as the item moves.
async function putInOrder(page, form, texts) {
    for (let p = 0; p < texts.length; p++) {
        const now = await form.locator("li.order-item .order-text").allTextContents();
        const i = now.indexOf(texts[p]);
        assert.ok(i >= p, `"${texts[p]}" not found in the list`);
        if (i === p) continue;
        await form.locator("li.order-item").nth(i).locator("button[data-move=up]").focus();
        for (let k = 0; k < i - p; k++) await page.keyboard.press("Enter");
    }
    assert.deepEqual(await form.locator("li.order-item .order-text").allTextContents(), texts);
}

test("a learner completes a lesson, the practical and gets the certificate", { timeout: 120000 }, async (t) => {
    const page = await newPage();
    await signIn(page);

    await t.test("the training page lists the modules", async () => {
        await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Training" }).click();
        await page.getByRole("heading", { level: 1, name: "Training" }).waitFor();
        assert.ok(await page.locator("li.module").count() >= 4, "fewer than 4 modules");
        assert.equal(await page.locator("#certificate-link").count(), 0, "a certificate before any work");
        await shot(page, "training-01-modules");
    });

    let lessonUrl;
    await t.test("a lesson of module 1: exercises answered, right answers shown, score", async () => {
        const first = page.locator("#module-m1 ol.lessons li").first();
        const title = (await first.locator("a").textContent()).trim();
        await first.locator("a").click();
        await page.getByRole("heading", { level: 1, name: title }).waitFor();
        lessonUrl = page.url();
        assert.ok(await page.locator(".lesson-body p").count() >= 1, "the lesson has no text");
        const forms = page.locator("form.exercise");
        const n = await forms.count();
        assert.ok(n >= 1, "the lesson has no exercise");
        // submitting nothing asks for an answer
        const f0 = forms.first();
        if (await f0.locator("input").count()) {
            await f0.getByRole("button", { name: "Check my answer" }).click();
            await f0.getByRole("alert").waitFor();
        }
        for (let i = 0; i < n; i++) {
            const f = forms.nth(i);
            // a first answer, whatever it is: the page then shows the right ones
            const inputs = f.locator("input");
            if (await inputs.count()) await inputs.first().check();
            await f.getByRole("button", { name: "Check my answer" }).click();
            await f.locator(".verdict").waitFor();
            if (await f.locator("ol.order-list").count()) {
                const right = await f.locator(".right-order li").allTextContents();
                await putInOrder(page, f, right);
            } else {
                // the right options, read before a change clears the marks
                const rows = f.locator(".option");
                const right = await rows.evaluateAll((es) => es.map((e) => e.classList.contains("right")));
                assert.ok(right.some(Boolean), "no right option shown");
                for (let k = 0; k < right.length; k++) {
                    const box = rows.nth(k).locator("input");
                    if (right[k]) await box.check();
                    else if (await box.getAttribute("type") === "checkbox") await box.uncheck();
                }
            }
            await f.getByRole("button", { name: "Check my answer" }).click();
            await f.locator(".verdict.right").waitFor();
            assert.match(await f.locator(".verdict-line").textContent(), /Right\. Score: 100/);
            if (i === n - 1) await shot(page, "training-02-exercise", f);
        }
        await page.locator("#lesson-score").getByText(/Your score for this lesson: 100\s?%/).waitFor();
        // answered exercises keep their state
        await page.reload();
        await page.locator("form.exercise .verdict.right").first().waitFor();
        assert.equal(await page.locator("form.exercise .verdict.right").count(), n);
        await shot(page, "training-03-lesson");
    });

    await t.test("the self-evaluations, passed through the API", async () => {
        const tr = await apiCall(page, "GET", "/training");
        assert.equal(tr.status, 200);
        for (const m of tr.body.modules) {
            for (const l of m.lessons.filter((x) => x.kind === "self-evaluation")) {
                const lesson = await apiCall(page, "GET", `/training/lessons/${l.id}`);
                for (const ex of lesson.body.exercises) {
                    const probe = await apiCall(page, "POST", `/training/exercises/${ex.id}`,
                        { answer: ex.kind === "order" ? ex.options.map((_, k) => k).reverse() : [0] });
                    assert.equal(probe.status, 200, JSON.stringify(probe.body));
                    const ok = await apiCall(page, "POST", `/training/exercises/${ex.id}`, { answer: probe.body.correct });
                    assert.equal(ok.body.score, 1, `${ex.id}: ${JSON.stringify(ok.body)}`);
                }
            }
        }
    });

    await t.test("the practical assessment of Place d'Armes, with feedback", async () => {
        const reference = JSON.parse(readFileSync(REFERENCE, "utf8")).answers;
        await page.goto(`${BASE}/#/training`);
        const link = page.locator("ol.lessons li", { hasText: "Practical assessment" }).first().locator("a");
        await link.click();
        await page.locator("#practical-form fieldset.question").first().waitFor();
        const qs = page.locator("#practical-form fieldset.question");
        assert.equal(await qs.count(), reference.length, "the form does not hold the reference's questions");
        // nothing answered: refused with a message
        await page.getByRole("button", { name: "Submit for feedback" }).click();
        await page.getByRole("alert").filter({ hasText: "still unanswered" }).waitFor();
        // the reference's answers, but one level off on the first question
        const off = reference[0];
        for (const a of reference) {
            const level = a === off ? (a.answer === 5 ? 4 : a.answer + 1) : a.answer;
            await page.locator(`#practical-form fieldset.question[data-question="${a.question}"] input[value="${level}"]`).check();
        }
        await page.getByRole("button", { name: "Submit for feedback" }).click();
        await page.locator("#feedback-title", { hasText: "Feedback on your answers" }).waitFor();
        const rows = page.locator("#feedback-table tbody tr");
        assert.equal(await rows.count(), reference.length);
        const offRow = page.locator(`#feedback-table tbody tr[data-question="${off.question}"]`);
        assert.equal((await offRow.locator("td").nth(2).textContent()).trim(), "0.5");
        assert.match(await page.locator("#practical-feedback .verdict-line").textContent(), /Your score: 9\d\s?%/);
        await shot(page, "training-04-practical-feedback", page.locator("#practical-feedback"));
    });

    await t.test("every module passed: the certificate downloads as a PDF", async () => {
        await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Training" }).click();
        const link = page.getByRole("link", { name: /Download the certificate/ });
        await link.waitFor();
        assert.equal(await page.locator(".badge.passed").count(), await page.locator("li.module").count());
        await shot(page, "training-05-certificate");
        const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
        const chunks = [];
        for await (const c of await download.createReadStream()) chunks.push(c);
        const pdf = Buffer.concat(chunks);
        assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-", "the certificate is not a PDF");
        assert.ok(pdf.length > 500, `the PDF has only ${pdf.length} bytes`);
    });

    await t.test("the training in French", async () => {
        await page.goto(lessonUrl);
        await page.locator("form.exercise").first().waitFor();
        await page.getByLabel("Language", { exact: true }).selectOption("fr");
        await page.locator("html[lang=fr]").waitFor();
        await page.getByRole("heading", { level: 2, name: "Exercices" }).waitFor();
        await page.getByRole("navigation", { name: "Navigation principale" }).getByRole("link", { name: "Formation" }).click();
        await page.getByRole("heading", { level: 1, name: "Formation" }).waitFor();
        assert.match(await page.locator("#certificate-link").getAttribute("href"), /lang=fr/);
        await shot(page, "training-06-modules-fr");
        await page.getByLabel("Langue", { exact: true }).selectOption("en");
        await page.locator("html[lang=en]").waitFor();
    });

    await page.context().close();
    assert.deepEqual(errors, [], "errors in the page");
});
