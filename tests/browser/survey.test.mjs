// Browser tests of the perception surveys (issue 8):
//   - a citizen answers a survey's public form on a phone (390×844, touch),
//     in French, without an account: the standard questions translated as
//     in po/fr.po, the city's own question shown as written (markup stays
//     text), a scale answered by tapping, two options ticked; the thank-you;
//     exactly that response stored (read back through the API); no
//     horizontal scrolling and touch-sized targets;
//   - the city map coloured by the perception index, on a database of its
//     own made on the command line (surveys, imported answers, incidents
//     planted at the centres of four spaces) and a server of its own: the
//     table's index, interval, incidents, density and divergence labels
//     equal values computed here, and a surveyed space's polygon has the
//     legend's colour of its index;
//   - a coordinator makes a survey on a space page (with questions of the
//     city's own), copies its link, sees an answer in the results, closes
//     it (the public form then says so); a viewer sees it read-only.
// Set-up by tests/browser/run (AGORA_URL, AGORA_PASSWORD, AGORA_COORDINATOR,
// AGORA_VIEWER, AGORA_ARTIFACTS, CHROMIUM); AGORA, the program, for the map
// test (default build/debug/agora, as the run script).
// SPDX-License-Identifier: EUPL-1.2

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, accessSync, constants } from "node:fs";
import { tmpdir } from "node:os";
import { join, isAbsolute } from "node:path";
import { ROOT, BASE, PASSWORD, launch, newPage, shot, signIn, apiCall, catalogue } from "./lib.mjs";

const COORDINATOR = process.env.AGORA_COORDINATOR;
const VIEWER = process.env.AGORA_VIEWER;
const AGORA = (() => {
    const a = process.env.AGORA || "build/debug/agora";
    return isAbsolute(a) ? a : join(ROOT, a);
})();
const PHONE = {
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true,
};

let browser;
const errors = [];

before(async () => {
    browser = await launch();
});

after(async () => {
    if (browser) await browser.close();
});

async function monaco(page) {
    const r = await apiCall(page, "GET", "/cities");
    assert.equal(r.status, 200);
    return r.body.find((c) => c.name === "Monaco").id;
}

async function spaceId(page, cid, name) {
    const r = await apiCall(page, "GET", `/cities/${cid}/spaces`);
    assert.equal(r.status, 200);
    const f = r.body.features.find((x) => x.properties.name === name);
    assert.ok(f, `no space ${name}`);
    return f.properties.id;
}

// No horizontal scrolling: the page is no wider than the viewport.
async function noOverflow(page, width) {
    const w = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(w <= width, `the page is ${w} px wide on a ${width} px screen`);
}

test("a citizen answers a survey on a phone, in French, without an account", {
    timeout: 90000, skip: !COORDINATOR,
}, async () => {
    const fr = catalogue("fr");
    const tr = (s) => {
        assert.ok(fr.get(s), `no French for "${s}" in po/fr.po`);
        return fr.get(s);
    };
    // the survey, made by a coordinator, with a question of the city's own
    // whose text is markup
    const staff = await newPage(browser, errors);
    await signIn(staff, COORDINATOR);
    const cid = await monaco(staff);
    const sid = await spaceId(staff, cid, "Place du Palais");
    const OWN = "<b>x</b>";
    const made = await apiCall(staff, "POST", `/cities/${cid}/surveys`, {
        space: sid, title: "Place du Palais <i>au printemps</i>",
        questions: [{ kind: "scale", text: OWN, low: "<i>bas</i>", high: "Haut" }],
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const { id: vid, token } = made.body;

    // a phone set to French, no session: the form, not the sign-in page
    const phone = await newPage(browser, errors, { ...PHONE, locale: "fr-FR" });
    await phone.goto(`${BASE}/#/survey/${token}`);
    await phone.locator("#survey-form").waitFor();
    assert.match(phone.url(), /#\/survey\//);
    assert.equal(await phone.evaluate(() => document.documentElement.lang), "fr");
    assert.equal(await phone.locator("h1").textContent(), "Place du Palais <i>au printemps</i>");
    // the header: the brand and the language, no menu, no sign-out
    assert.equal(await phone.locator(".site-header nav").count(), 0);
    assert.equal(await phone.locator(".site-header button").count(), 0);
    assert.equal(await phone.locator("#lang-select").inputValue(), "fr");
    // what the citizen is told
    const promises = await phone.locator("#survey-promises").textContent();
    for (const s of ["Anonymous:", "Every question is optional:", "What is kept:"]) {
        assert.ok(promises.includes(tr(s)), `"${tr(s)}" not said`);
    }
    // the standard questions in French (as in po/fr.po), the city's own as written
    const legend = (id) => phone.locator(`fieldset[data-question="${id}"] > legend`).textContent();
    assert.equal(await legend("safe_day"), tr("How safe do you feel in this place during the day?"));
    assert.equal(await legend("safe_night"), tr("How safe do you feel in this place after dark?"));
    assert.equal(await legend("safer"), tr("What would make this place feel safer to you? Choose any."));
    assert.equal(await legend("own1"), OWN);
    assert.equal(await phone.locator("fieldset[data-question=own1] b, fieldset[data-question=own1] i").count(), 0,
        "markup of the city's question became elements");
    const safeDay = phone.locator('fieldset[data-question="safe_day"]');
    assert.equal(await safeDay.getByRole("radio").count(), 5);
    await safeDay.getByRole("radio", { name: `1 – ${tr("Very unsafe")}`, exact: true }).waitFor();
    await safeDay.getByRole("radio", { name: `5 – ${tr("Very safe")}`, exact: true }).waitFor();
    await safeDay.getByRole("radio", { name: "3", exact: true }).waitFor();
    await phone.locator('fieldset[data-question="own1"]').getByRole("radio", { name: "1 – <i>bas</i>", exact: true }).waitFor();
    const safer = phone.locator('fieldset[data-question="safer"]');
    await safer.getByRole("checkbox", { name: tr("Better lighting"), exact: true }).waitFor();

    // touch-sized targets, a readable text, no horizontal scrolling
    const small = await phone.locator(".scale-option, .survey-check, #survey-submit, #lang-select")
        .evaluateAll((es) => es.map((e) => {
            const r = e.getBoundingClientRect();
            return { what: e.textContent.trim().slice(0, 30) || e.id, w: r.width, h: r.height };
        }).filter((x) => x.w < 44 || x.h < 44));
    assert.deepEqual(small, [], "targets smaller than 44 px");
    const font = await phone.evaluate(() => parseFloat(getComputedStyle(document.querySelector(".survey-check span")).fontSize));
    assert.ok(font >= 16, `option text in ${font} px`);
    await noOverflow(phone, 390);

    // nothing answered: a message, nothing sent
    await phone.locator("#survey-submit").tap();
    await phone.getByRole("alert").filter({ hasText: tr("Answer at least one question before sending.") }).waitFor();

    // 4 on the first scale, by tapping; two things that would make it safer
    await safeDay.locator("label.scale-option", { has: phone.locator('input[value="4"]') }).tap();
    assert.ok(await safeDay.locator('input[value="4"]').isChecked());
    for (const o of ["lighting", "patrols"]) {
        await safer.locator("label.survey-check", { has: phone.locator(`input[value="${o}"]`) }).tap();
    }
    assert.deepEqual(await safer.locator("input:checked").evaluateAll((es) => es.map((e) => e.value)),
        ["lighting", "patrols"]);
    await noOverflow(phone, 390);
    await shot(phone, "survey-01-phone-form");
    await phone.locator("#survey-submit").tap();
    await phone.getByRole("heading", { level: 2, name: tr("Thank you!") }).waitFor();
    assert.equal(await phone.locator("#survey-form").count(), 0, "the form can be sent again");
    assert.equal(await phone.locator("#survey-submit").count(), 0);
    await noOverflow(phone, 390);
    await shot(phone, "survey-02-phone-thanks");
    await phone.context().close();

    // stored: exactly that response
    const r = await apiCall(staff, "GET", `/cities/${cid}/surveys/${vid}`);
    assert.equal(r.status, 200);
    const tally = r.body.tally;
    assert.equal(tally.responses, 1);
    assert.equal(tally.respondents, 1);
    assert.equal(tally.index, 75); // 100 · (4 − 1) / 4
    for (const q of tally.questions) {
        if (q.id === "safe_day") {
            assert.deepEqual(q.counts, [0, 0, 0, 1, 0]);
        } else if (q.id === "safer") {
            const counts = Object.fromEntries(q.options.map((o) => [o.id, o.count]));
            for (const [k, v] of Object.entries(counts)) {
                assert.equal(v, k === "lighting" || k === "patrols" ? 1 : 0, `option ${k}`);
            }
        } else {
            assert.equal(q.n, 0, `question ${q.id} answered`);
        }
    }
    await staff.context().close();
    assert.deepEqual(errors, [], "errors in the page");
});

// ---------- the perception index on the city map ----------

// Even-odd rule over every ring of a GeoJSON (Multi)Polygon.
function inside(lon, lat, g) {
    const polys = g.type === "MultiPolygon" ? g.coordinates : [g.coordinates];
    let n = 0;
    for (const poly of polys) {
        for (const ring of poly) {
            for (let i = 0; i + 1 < ring.length; i++) {
                const [x1, y1] = ring[i];
                const [x2, y2] = ring[i + 1];
                if ((y1 > lat) !== (y2 > lat) && lon < x1 + ((lat - y1) * (x2 - x1)) / (y2 - y1)) n += 1;
            }
        }
    }
    return n % 2 === 1;
}

// Mid-ranks in (0, 1): (rank − ½) / m, ties sharing the mean rank.
function midRanks(values) {
    return values.map((v) => (values.filter((w) => w < v).length
        + (values.filter((w) => w === v).length + 1) / 2 - 0.5) / values.length);
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
function stdev(xs) {
    const m = mean(xs);
    return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}
const T975_2 = 4.302653; // Student's t, 0.975, 2 degrees of freedom

// agora serve on db; resolves to { url, stop }.
function serve(db) {
    return new Promise((resolve, reject) => {
        const proc = spawn(AGORA, ["serve", "--db", db, "--listen", "127.0.0.1:0", "--web", join(ROOT, "web"),
            "--threads", "2"], { env: { ...process.env, AGORA_DB: db, AGORA_VENDOR_DIR: join(ROOT, "node_modules") } });
        let log = "";
        const timer = setTimeout(() => {
            proc.kill("SIGTERM");
            reject(new Error(`agora serve printed no address: ${log}`));
        }, 30000);
        const take = (chunk) => {
            log += chunk;
            const m = /agora: serving (http:\/\/[0-9.:]+)\//.exec(log);
            if (m) {
                clearTimeout(timer);
                resolve({
                    url: m[1],
                    stop: () => new Promise((res) => {
                        if (proc.exitCode !== null) return res();
                        proc.once("exit", res);
                        proc.kill("SIGTERM");
                    }),
                });
            }
        };
        proc.stdout.on("data", take);
        proc.stderr.on("data", take);
        proc.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`agora serve stopped (${code}): ${log}`));
        });
    });
}

test("the city map shows the perception index beside the incidents", { timeout: 240000 }, async (t) => {
    try {
        accessSync(AGORA, constants.X_OK);
    } catch (e) {
        assert.fail(`${AGORA} is missing: set AGORA to the program`);
    }
    const dir = mkdtempSync(join(tmpdir(), "agora-perception-"));
    const db = join(dir, "agora.db");
    const agora = (...args) => execFileSync(AGORA, [...args, "--db", db], {
        encoding: "utf8", env: { ...process.env, AGORA_DB: db },
    });
    let server = null;
    try {
        // a database of the test's own, set up on the command line
        agora("import", join(ROOT, "data", "demo", "monaco.osm.pbf"), "--city", "Monaco");
        writeFileSync(join(dir, "password"), `${PASSWORD}\n`);
        agora("user", "add", "mapper", "--password-file", join(dir, "password"), "--display-name", "Monaco mapper",
            "--organisation", "City of Monaco", "--lang", "en");
        agora("city", "grant", "Monaco", "mapper", "--role", "coordinator");
        const all = JSON.parse(agora("spaces", "list", "--json", "--city", "Monaco"));
        // four squares, the most feared first; incidents planted at their
        // centres so that the most feared has the lowest density
        const refs = ["way/4227155", "way/4227203", "way/335740502", "way/157134377"];
        const answers = [[1, 1, 2], [2, 3, 3], [4, 4, 3], [5, 5, 4]]; // safe_day per respondent
        const planted = [1, 2, 4, 6];
        const spaces = refs.map((ref) => {
            const s = all.find((x) => x.ref === ref);
            assert.ok(s, `no space ${ref}`);
            const f = JSON.parse(agora("spaces", "show", ref, "--geojson", "--city", "Monaco"));
            return { ...s, geometry: f.geometry || f };
        });
        spaces.forEach((s, k) => {
            const out = agora("survey", "create", s.ref, "--title", `Perception ${k + 1}`, "--city", "Monaco");
            const id = /Survey (\d+) of/.exec(out);
            assert.ok(id, out);
            const csv = join(dir, `answers-${k}.csv`);
            writeFileSync(csv, `safe_day\n${answers[k].join("\n")}\n`);
            agora("survey", "import", id[1], csv, "--city", "Monaco");
        });
        const rows = ["lon,lat,date"];
        spaces.forEach((s, k) => {
            for (let i = 0; i < planted[k]; i++) rows.push(`${s.centroid[0].toFixed(7)},${s.centroid[1].toFixed(7)},2025-0${1 + i}-01`);
        });
        writeFileSync(join(dir, "planted.csv"), `${rows.join("\n")}\n`);
        agora("incidents", "import", join(dir, "planted.csv"), "--set", "planted", "--time", "date");

        // what the table must say, computed here (docs/methodology.md §20)
        const want = spaces.map((s, k) => {
            const idx = answers[k].map((v) => (100 * (v - 1)) / 4);
            const m = mean(idx);
            const half = (T975_2 * stdev(idx)) / Math.sqrt(idx.length);
            const count = spaces.reduce((n, o, j) => n + (inside(o.centroid[0], o.centroid[1], s.geometry) ? planted[j] : 0), 0);
            return { index: m, lo: Math.max(0, m - half), hi: Math.min(100, m + half), count, dens: count / (s.area_m2 / 1e4) };
        });
        const rf = midRanks(want.map((w) => 100 - w.index));
        const ri = midRanks(want.map((w) => w.dens));
        want.forEach((w, k) => {
            const d = rf[k] - ri[k];
            w.diverges = d >= 0.5 ? "fear" : d <= -0.5 ? "incidents" : "agree";
        });
        // the set-up does what it means to: the most feared has the fewest incidents
        assert.equal(want[0].diverges, "fear", JSON.stringify(want));
        assert.equal(want[3].diverges, "incidents", JSON.stringify(want));
        const LABEL = {
            fear: "feared more than its incidents suggest", incidents: "more incidents than fear", agree: "in line",
        };
        const f0 = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
        const f1 = new Intl.NumberFormat("en", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

        server = await serve(db);
        const page = await newPage(browser, errors);
        await signIn(page, "mapper", server.url);
        await page.getByRole("link", { name: "Monaco", exact: true }).click();
        await page.getByRole("heading", { level: 1, name: "Monaco" }).waitFor();
        await page.locator("#city-map path.leaflet-interactive").first().waitFor();

        await t.test("risk is the default colouring", async () => {
            assert.ok(await page.getByRole("radio", { name: "risk", exact: true }).isChecked());
            // not assessed: the grey of the risk legend
            assert.equal(await page.locator(`#city-map path.space-${spaces[0].id}`).getAttribute("fill"), "#8c8c8c");
        });

        await t.test("in perception mode a surveyed space has the colour of its index", async () => {
            await page.getByRole("radio", { name: "perception index", exact: true }).check();
            const legend = page.locator("#perception-legend");
            await legend.waitFor();
            const bands = await legend.locator("li[data-colour]").evaluateAll((es) =>
                es.map((e) => ({ min: Number(e.dataset.min), max: Number(e.dataset.max), colour: e.dataset.colour })));
            assert.equal(bands.length, 5);
            for (const [k, s] of spaces.entries()) {
                const i = want[k].index;
                const band = bands.find((b) => b.min <= i && (i < b.max || (b.max === 100 && i === 100)));
                assert.equal(await page.locator(`#city-map path.space-${s.id}`).getAttribute("fill"), band.colour,
                    `${s.name}: index ${i}`);
            }
            // the two ends of the scale differ, so the colours say something
            assert.notEqual(bands[0].colour, bands[4].colour);
            // a space with no survey is not coloured as one
            const other = all.find((x) => x.name && !refs.includes(x.ref));
            const otherFill = await page.locator(`#city-map path.space-${other.id}`).getAttribute("fill");
            assert.ok(!bands.some((b) => b.colour === otherFill), `${other.name} coloured ${otherFill}`);
            // the four spaces in view
            await page.evaluate((ids) => {
                const map = document.getElementById("city-map").__agoraMap;
                let bounds = null;
                map.eachLayer((l) => {
                    if (l.feature && ids.includes(l.feature.properties.id)) {
                        bounds = bounds ? bounds.extend(l.getBounds()) : l.getBounds();
                    }
                });
                map.fitBounds(bounds.pad(0.15), { animate: false });
            }, spaces.map((s) => s.id));
            await page.waitForTimeout(800); // tiles paint
            await shot(page, "survey-03-perception-map", page.locator("#city-map"));
        });

        await t.test("the table: index, interval, incidents and divergence as computed here", async () => {
            const table = page.locator("#perception-table");
            assert.equal(await table.locator("tbody tr").count(), spaces.length);
            for (const [k, s] of spaces.entries()) {
                const w = want[k];
                const row = table.locator(`tbody tr[data-space="${s.id}"]`);
                assert.equal((await row.locator("th a").textContent()).trim(), s.name);
                assert.equal((await row.locator("td.respondents").textContent()).trim(), "3");
                assert.equal((await row.locator("td.index").textContent()).trim(),
                    `${f0.format(w.index)} (${f0.format(w.lo)}–${f0.format(w.hi)})`, s.name);
                assert.equal((await row.locator("td.incidents").textContent()).trim(), String(w.count), s.name);
                assert.equal((await row.locator("td.per-ha").textContent()).trim(), f1.format(w.dens), s.name);
                assert.equal((await row.locator("td.divergence").textContent()).trim(), LABEL[w.diverges], s.name);
            }
            assert.match(await page.locator("#incident-sets").textContent(), /planted/);
            await shot(page, "survey-04-perception-table", table);
        });

        await t.test("back to risk, and a space's surveys from the table", async () => {
            await page.getByRole("radio", { name: "risk", exact: true }).check();
            await page.locator(".legend figcaption", { hasText: /^Risk$/ }).waitFor();
            assert.equal(await page.locator(`#city-map path.space-${spaces[0].id}`).getAttribute("fill"), "#8c8c8c");
            await page.locator(`#perception-table tbody tr[data-space="${spaces[0].id}"] th a`).click();
            await page.getByRole("heading", { level: 1, name: spaces[0].name }).waitFor();
            const item = page.locator("#surveys li.survey-item", { hasText: "Perception 1" });
            await item.waitFor();
            assert.match(await item.locator(".survey-index").textContent(),
                new RegExp(`perception index ${f0.format(want[0].index)} \\(`));
        });
        await page.context().close();
    } finally {
        if (server) await server.stop();
        rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(errors, [], "errors in the page");
});

// ---------- a coordinator's survey on a space page ----------

const GARDEN = "Jardin Japonais";

async function openGarden(page) {
    await page.getByRole("link", { name: "Monaco", exact: true }).click();
    await page.getByLabel("Search spaces").fill(GARDEN);
    await page.locator("#space-list li:not([hidden]) a", { hasText: GARDEN }).first().click();
    await page.getByRole("heading", { level: 1, name: GARDEN }).waitFor();
    await page.locator("#surveys").getByRole("heading", { level: 2, name: "Perception surveys" }).waitFor();
}

test("a coordinator makes a survey on a space page, copies its link and closes it", {
    timeout: 120000, skip: !COORDINATOR,
}, async () => {
    // markup in the title stays text; unique, should the server be reused
    const TITLE = `Garden <i>evenings</i> ${Date.now().toString(36)}`;
    const page = await newPage(browser, errors);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE });
    await signIn(page, COORDINATOR);
    await openGarden(page);
    const sec = page.locator("#surveys");

    // a title is needed
    await sec.getByRole("button", { name: "Create the survey" }).click();
    await sec.getByRole("alert").filter({ hasText: "Give the survey a title." }).waitFor();
    await sec.getByLabel("Title of the survey").fill(TITLE);
    await sec.getByRole("button", { name: "Add a scale question (1 to 5)" }).click();
    const q1 = sec.locator("fieldset.own-question").nth(0);
    await q1.getByLabel("Question").fill("Is the garden well kept?");
    await q1.getByLabel("Text of answer 1 (the least)").fill("Not at all");
    await q1.getByLabel("Text of answer 5 (the most)").fill("Very well");
    await sec.getByRole("button", { name: "Add a choice question" }).click();
    const q2 = sec.locator("fieldset.own-question").nth(1);
    await q2.getByLabel("Question").fill("When do you come?");
    await q2.getByLabel("Options, one per line (2 to 12)").fill("Morning\nEvening\n\nNight");
    await shot(page, "survey-05-create", sec.locator("#survey-create-form"));
    await sec.getByRole("button", { name: "Create the survey" }).click();
    await sec.getByRole("status").filter({ hasText: "Survey created" }).waitFor();
    const item = () => sec.locator("li.survey-item", { has: page.getByRole("heading", { level: 3, name: TITLE, exact: true }) });
    await item().waitFor();
    assert.match(await item().locator(".survey-state").textContent(), /open/);

    // the public form's address, copied
    const link = await item().getByLabel("Address of the public form").inputValue();
    const esc = BASE.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    assert.match(link, new RegExp(`^${esc}/#/survey/[A-Za-z0-9_-]{20,}$`));
    await item().getByRole("button", { name: "Copy the link" }).click();
    await item().getByText("Link copied.").waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
    await shot(page, "survey-06-link", item());

    // a citizen opens it: the city's questions are there; one answered
    const citizen = await newPage(browser, errors, PHONE);
    await citizen.goto(link);
    await citizen.locator("#survey-form").waitFor();
    assert.equal(await citizen.locator("h1").textContent(), TITLE);
    const own1 = citizen.locator('fieldset[data-question="own1"]');
    assert.equal(await own1.locator("legend").textContent(), "Is the garden well kept?");
    await own1.getByRole("radio", { name: "5 – Very well", exact: true }).waitFor();
    assert.deepEqual(await citizen.locator('fieldset[data-question="own2"] .survey-check').allTextContents(),
        ["Morning", "Evening", "Night"]);
    await own1.locator("label.scale-option", { has: citizen.locator('input[value="2"]') }).tap();
    await citizen.locator("#survey-submit").tap();
    await citizen.getByRole("heading", { level: 2, name: "Thank you!" }).waitFor();

    // the results: the answer counted, under its question
    await item().getByRole("button", { name: "Show the results" }).click();
    const res = item().locator('.question-result[data-question="own1"]');
    await res.waitFor();
    assert.deepEqual(await res.locator(".tally-count").allTextContents(), ["0", "1", "0", "0", "0"]);
    assert.match(await res.locator("h4").textContent(), /the city's own question/);
    assert.match(await item().locator(".survey-results > p").first().textContent(), /Responses: 1/);
    await shot(page, "survey-07-results", res);

    // closed: the form says so
    await item().getByRole("button", { name: "Close the survey" }).click();
    await sec.getByRole("status").filter({ hasText: "closed" }).waitFor();
    assert.match(await item().locator(".survey-state").textContent(), /closed/);
    await item().getByRole("button", { name: "Reopen the survey" }).waitFor();
    await citizen.reload();
    await citizen.locator("#survey-closed").waitFor();
    assert.equal(await citizen.locator("#survey-form").count(), 0);
    await shot(citizen, "survey-08-phone-closed");
    await citizen.context().close();
    await page.context().close();

    // a viewer reads the survey, but gets neither its address nor its controls
    if (VIEWER) {
        const viewer = await newPage(browser, errors);
        await signIn(viewer, VIEWER);
        await openGarden(viewer);
        const v = viewer.locator("#surveys li.survey-item", { has: viewer.getByRole("heading", { level: 3, name: TITLE, exact: true }) });
        await v.waitFor();
        assert.equal(await v.locator(".survey-link").count(), 0);
        assert.equal(await v.getByRole("button", { name: /Close the survey|Reopen the survey/ }).count(), 0);
        assert.equal(await viewer.locator("#survey-create-form").count(), 0);
        await v.getByRole("button", { name: "Show the results" }).click();
        await v.locator('.question-result[data-question="own1"]').waitFor();
        await viewer.context().close();
    }
    assert.deepEqual(errors, [], "errors in the page");
});
