// What the browser tests share (tests/browser/run sets the environment):
// the browser, a page that records script errors, screenshots, signing in,
// the API from a signed-in page, and the translations of po/.
//   AGORA_URL, AGORA_PASSWORD, AGORA_ARTIFACTS, CHROMIUM
// Not a test file: node --test runs only *.test.mjs.
// SPDX-License-Identifier: EUPL-1.2

import { mkdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BASE = (process.env.AGORA_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
export const PASSWORD = process.env.AGORA_PASSWORD || "assessor-password";
export const SHOTS = process.env.AGORA_ARTIFACTS || "out/test-artifacts/browser";
export const T = 20000; // ms for anything a page waits on

// Debian's chromium, headless.
export async function launch() {
    mkdirSync(SHOTS, { recursive: true });
    return chromium.launch({
        executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
        args: ["--no-sandbox"],
    });
}

// A page in a new context (options: those of browser.newContext, over a
// desktop viewport in British English); script errors and dialogs go to
// errors[].
export async function newPage(browser, errors, options = {}) {
    const context = await browser.newContext({
        acceptDownloads: true, viewport: { width: 1400, height: 1000 }, locale: "en-GB", ...options,
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

// A screenshot into the artifacts: the whole page, or the viewport
// scrolled to `at` (a locator).
export async function shot(page, name, at) {
    if (at) await at.first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: !at });
}

// After signing in the page is in the user's language, which a previous run
// against the same server may have left in French: back to English.
export async function inEnglish(page) {
    await page.locator(".site-header .who").waitFor();
    if (await page.evaluate(() => document.documentElement.lang) !== "en") {
        await page.locator("#lang-select").selectOption("en");
        await page.locator("html[lang=en]").waitFor();
    }
}

// Signs in at base and waits for the list of cities, in English.
export async function signIn(page, user, base = BASE) {
    await page.goto(`${base}/#/login`);
    await page.getByLabel("User name").fill(user);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await inEnglish(page);
    await page.getByRole("heading", { level: 1, name: "Your cities" }).waitFor();
}

// The API from a signed-in page, with its session and CSRF token.
export async function apiCall(page, method, path, body) {
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

function unquote(s) {
    return JSON.parse(s); // a PO string's escapes are JSON's
}

// The translations of po/{lang}.po: msgid → msgstr (plain entries only).
export function catalogue(lang) {
    const text = readFileSync(join(ROOT, "po", `${lang}.po`), "utf8");
    const out = new Map();
    const re = /^msgid ("(?:[^"\\]|\\.)*")\n((?:"(?:[^"\\]|\\.)*"\n)*)msgstr ("(?:[^"\\]|\\.)*")\n((?:"(?:[^"\\]|\\.)*"\n)*)/gm;
    for (const m of text.matchAll(re)) {
        const join2 = (first, rest) => unquote(first) + rest.split("\n").filter(Boolean).map(unquote).join("");
        const id = join2(m[1], m[2]);
        const str = join2(m[3], m[4]);
        if (id) out.set(id, str);
    }
    return out;
}
