// Browser tests of the web front end: Playwright (playwright-core) driving
// Debian's chromium headless against a running agora serve. Started by
// tests/browser/run, which prepares the database, the users and the server
// and passes:
//   AGORA_URL            the server's base URL (http://127.0.0.1:PORT)
//   AGORA_USER, AGORA_PASSWORD   an assessor of the city Monaco
//   AGORA_COORDINATOR, AGORA_VIEWER  a coordinator and a viewer of Monaco
//                        with the same password (their tests are skipped
//                        when these are not set)
//   AGORA_ARTIFACTS      where screenshots go
//   CHROMIUM             the browser (default /usr/bin/chromium)
// SPDX-License-Identifier: EUPL-1.2

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, PASSWORD, launch, newPage as openPage, shot, inEnglish, signIn as signInAt } from "./lib.mjs";

const USER = process.env.AGORA_USER || "assessor";
const SPACE = "Place d'Armes";

let browser;
const errors = [];

before(async () => {
    browser = await launch();
});

after(async () => {
    if (browser) await browser.close();
});

async function newPage() {
    return openPage(browser, errors);
}

async function signIn(page, user = USER) {
    await signInAt(page, user);
}

test("a wrong password is refused with a message", { timeout: 60000 }, async () => {
    const page = await newPage();
    await page.goto(`${BASE}/#/login`);
    await page.getByLabel("User name").fill(USER);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.match(await alert.textContent(), /Wrong user name or password/);
    await shot(page, "01-sign-in-refused");
    await page.context().close();
});

test("the sign-in form works from the keyboard alone", { timeout: 60000 }, async () => {
    const page = await newPage();
    await page.goto(`${BASE}/#/login`);
    await page.locator("#login-user").waitFor();
    // from the top of the page, Tab until the user name field has focus
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    let found = false;
    for (let i = 0; i < 15 && !found; i++) {
        await page.keyboard.press("Tab");
        found = await page.evaluate(() => document.activeElement && document.activeElement.id === "login-user");
    }
    assert.ok(found, "Tab never reaches the user name field");
    // a visible focus indicator
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, "none", "the focused field shows no outline");
    await page.keyboard.type(USER);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement.id), "login-password");
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press("Enter");
    await inEnglish(page);
    await page.getByRole("heading", { level: 1, name: "Your cities" }).waitFor();
    // the city is reachable by keyboard: its link takes focus and Enter opens it
    const link = page.getByRole("link", { name: "Monaco", exact: true });
    await link.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Monaco" }).waitFor();
    await page.getByLabel("Search spaces").focus();
    await page.keyboard.type(SPACE);
    await page.locator("#space-list a", { hasText: SPACE }).first().focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: SPACE }).waitFor();
    await page.context().close();
});

test("sign in, map, space, assessment, French, PDF", { timeout: 180000 }, async (t) => {
    const page = await newPage();
    await signIn(page);
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
    // user texts are shown as text, never run (the run script gives the user
    // an organisation with markup in it)
    assert.equal(await page.evaluate(() => window.__agoraXss), undefined);
    await shot(page, "02-cities");

    await t.test("the city map shows the spaces layer", async () => {
        await page.getByRole("link", { name: "Monaco", exact: true }).click();
        await page.getByRole("heading", { level: 1, name: "Monaco" }).waitFor();
        await page.locator("#city-map path.leaflet-interactive").first().waitFor();
        const n = await page.locator("#city-map path.leaflet-interactive").count();
        assert.ok(n >= 10, `only ${n} spaces drawn`);
        assert.ok(await page.locator("#city-map canvas").count() > 0, "no base map tiles drawn");
        assert.ok(await page.locator("#space-list li").count() >= 10);
        await page.waitForTimeout(800); // tiles paint
        await shot(page, "03-city-map");
    });

    await t.test("the space list is searchable and opens Place d'Armes", async () => {
        await page.getByLabel("Search spaces").fill("Armes");
        const visible = page.locator("#space-list li:not([hidden])");
        assert.ok(await visible.count() >= 1);
        await page.locator("#space-list li:not([hidden]) a", { hasText: SPACE }).first().click();
        await page.getByRole("heading", { level: 1, name: SPACE }).waitFor();
    });

    await t.test("the approach paths are drawn and tabulated", async () => {
        await page.locator("#space-map path.approach-path").first().waitFor();
        const paths = await page.locator("#space-map path.approach-path").count();
        assert.ok(paths >= 4, `only ${paths} approach paths`);
        assert.ok(await page.locator("#space-map path.entry-marker").count() >= 1, "no entry markers");
        const rows = page.locator("#vehicle-table tbody tr");
        assert.ok(await rows.count() >= 4);
        const speed = await rows.first().locator("td.num").first().textContent();
        assert.match(speed, /^\d[\d,.\s]*$/, `speed cell "${speed}"`);
        // one class on the map
        await page.getByLabel("Vehicle class on the map").selectOption({ index: 1 });
        const one = await page.locator("#space-map path.approach-path").count();
        assert.ok(one >= 1 && one < paths);
        await shot(page, "04-space", page.getByRole("heading", { level: 1 }));
        await shot(page, "04-space-table", page.locator("#vehicle-table"));
    });

    let question; let answer;
    await t.test("a checklist answer is saved and kept", async () => {
        const start = page.locator("#start-assessment");
        if (await start.count()) await start.click();
        await page.locator("#checklist fieldset.question").first().waitFor();
        const q = page.locator("#checklist fieldset.question:not(.computed)").first();
        question = await q.getAttribute("data-question");
        const checked = await q.locator("input[type=radio]:checked").count()
            ? Number(await q.locator("input[type=radio]:checked").getAttribute("value")) : 0;
        answer = checked === 4 ? 2 : 4;
        await q.locator(`input[type=radio][value="${answer}"]`).check();
        await q.getByLabel("Reason or comment").fill("Checked on site by the browser test <b>bold?</b>");
        await page.getByRole("button", { name: "Save", exact: true }).click();
        await page.getByRole("status").filter({ hasText: "Saved" }).first().waitFor();
        await shot(page, "05-assessment-saved", page.locator(`#checklist fieldset.question[data-question="${question}"]`));
        await page.reload();
        await page.locator("#checklist fieldset.question").first().waitFor();
        const again = page.locator(`#checklist fieldset.question[data-question="${question}"]`);
        assert.equal(await again.locator("input[type=radio]:checked").getAttribute("value"), String(answer));
        assert.equal(await again.locator("textarea").inputValue(), "Checked on site by the browser test <b>bold?</b>");
        assert.ok(await page.locator("#risk-table tbody tr").count() >= 1, "no risk table");
    });

    await t.test("context and measures are saved", async () => {
        await page.getByText("Context: threat levels, attractiveness and people").click();
        await page.getByLabel("Symbolic value of the site").selectOption("4");
        await page.getByLabel("People at the busiest time").fill("2500");
        await page.getByText(/^Measures: \d+ in place$/).click();
        await page.getByLabel("Monitored CCTV", { exact: true }).selectOption("existing");
        await page.getByRole("button", { name: "Save", exact: true }).click();
        await page.getByRole("status").filter({ hasText: "Saved" }).first().waitFor();
        await page.reload();
        await page.locator("#checklist").waitFor();
        assert.equal(await page.locator("#ctx-symbolic").inputValue(), "4");
        assert.equal(await page.locator("#ctx-people").inputValue(), "2500");
        assert.match(await page.locator("details.measures summary").textContent(), /1 in place/);
    });

    await t.test("a conflicting save is refused and reported, never lost silently", async () => {
        // a second session opens the same assessment and saves first
        const other = await newPage();
        await signIn(other);
        await other.goto(page.url());
        const q2 = other.locator("#checklist fieldset.question:not(.computed)").nth(1);
        await q2.waitFor();
        const qid = await q2.getAttribute("data-question");
        await q2.locator('input[type=radio][value="1"]').check();
        await other.getByRole("button", { name: "Save", exact: true }).click();
        await other.getByRole("status").filter({ hasText: "Saved" }).first().waitFor();
        await other.context().close();
        // this page still holds the older revision
        const mine = page.locator(`#checklist fieldset.question[data-question="${qid}"]`);
        await mine.locator('input[type=radio][value="5"]').check();
        await page.getByRole("button", { name: "Save", exact: true }).click();
        const alert = page.getByRole("alert").filter({ hasText: "Someone else saved" });
        await alert.waitFor();
        await shot(page, "05-conflict", alert);
        await page.getByRole("button", { name: "Reload the assessment" }).click();
        await page.getByRole("status").filter({ hasText: "Reloaded" }).first().waitFor();
        assert.equal(await page.locator(`#checklist fieldset.question[data-question="${qid}"] input[type=radio]:checked`)
            .getAttribute("value"), "1");
    });

    await t.test("the protection plan within a budget", async () => {
        await page.getByLabel("Budget (EUR)").fill("100000");
        await page.getByRole("button", { name: "Show the plan" }).click();
        await page.locator(".plan-table tbody tr").first().waitFor();
        assert.match(await page.locator(".plan-out").textContent(), /Within €100,000/);
    });

    await t.test("the language switches to French", async () => {
        await page.getByLabel("Language", { exact: true }).selectOption("fr");
        await page.locator("html[lang=fr]").waitFor();
        await page.getByRole("heading", { level: 2, name: "Évaluation" }).waitFor();
        await page.getByRole("heading", { level: 2, name: "Approches de véhicules" }).waitFor();
        assert.equal(await page.getByLabel("Langue", { exact: true }).inputValue(), "fr");
        // the checklist and the scenarios come in French too
        await page.locator("#risk-table th", { hasText: "Attaque au véhicule-bélier" }).waitFor();
        await page.getByRole("heading", { level: 4, name: /Site et environnement/ }).waitFor();
        await shot(page, "06-space-fr", page.getByRole("heading", { level: 1 }));
        await shot(page, "06-risk-fr", page.locator("#risk-table"));
    });

    await t.test("the PDF report downloads in French", async () => {
        const link = page.locator("#report-pdf");
        assert.match(await link.getAttribute("href"), /lang=fr/);
        const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
        const stream = await download.createReadStream();
        const chunks = [];
        for await (const c of stream) chunks.push(c);
        const pdf = Buffer.concat(chunks);
        assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-", "the download is not a PDF");
        assert.ok(pdf.length > 1000, `the PDF has only ${pdf.length} bytes`);
    });

    await t.test("sign out", async () => {
        await page.getByRole("button", { name: "Se déconnecter" }).click();
        await page.locator("#login-user").waitFor();
    });
    await page.context().close();
    assert.deepEqual(errors, [], "errors in the page");
});

// Opens Place d'Armes from the city's list.
async function openSpace(page) {
    await page.getByRole("link", { name: "Monaco", exact: true }).click();
    await page.getByLabel("Search spaces").fill(SPACE);
    await page.locator("#space-list li:not([hidden]) a", { hasText: SPACE }).first().click();
    await page.getByRole("heading", { level: 1, name: SPACE }).waitFor();
}

test("a coordinator changes who may see the assessment", {
    timeout: 60000, skip: !process.env.AGORA_COORDINATOR,
}, async () => {
    const page = await newPage();
    await signIn(page, process.env.AGORA_COORDINATOR);
    await openSpace(page);
    const start = page.locator("#start-assessment");
    await Promise.race([start.waitFor(), page.locator("#checklist").waitFor()]);
    if (await start.count()) await start.click();
    await page.locator("#sharing-label").waitFor();
    await page.getByLabel("Who may see this assessment").selectOption("TLP:GREEN");
    await page.getByRole("button", { name: "Change the sharing" }).click();
    await page.getByRole("status").filter({ hasText: "Sharing changed" }).waitFor();
    assert.equal(await page.locator("#sharing-label").textContent(), "TLP:GREEN");
    await page.reload();
    await page.locator("#sharing-label").waitFor();
    assert.equal(await page.locator("#sharing-label").textContent(), "TLP:GREEN");
    await shot(page, "07-sharing", page.locator("#sharing-label"));
    await page.context().close();
    assert.deepEqual(errors, [], "errors in the page");
});

test("a viewer reads the assessment but cannot change it", {
    timeout: 60000, skip: !process.env.AGORA_VIEWER,
}, async () => {
    const page = await newPage();
    await signIn(page, process.env.AGORA_VIEWER);
    await openSpace(page);
    await page.locator("#checklist fieldset.question").first().waitFor();
    assert.equal(await page.locator("#save-assessment").count(), 0, "a viewer has a Save button");
    assert.equal(await page.locator("#checklist input[type=radio]:not([disabled])").count(), 0);
    assert.equal(await page.getByRole("button", { name: "Start a new version" }).count(), 0);
    assert.equal(await page.locator("#sharing-select").count(), 0);
    await page.context().close();
    assert.deepEqual(errors, [], "errors in the page");
});
