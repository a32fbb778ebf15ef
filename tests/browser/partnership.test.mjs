// Browser tests of the partnership workspace (issue 9), on a world of their
// own made on the command line (three cities: Monaco from the demo, Nice and
// Lyon from a small fixture; a coordinator for each; an assessment of Place
// d'Armes with a measure in place) and a server of their own:
//   - Monaco's coordinator creates a partnership and invites Nice (as action
//     leader) and Lyon; their coordinators accept the invitations;
//   - actions are made; Nice's coordinator, for the leader, posts a status
//     report with next steps and links a funding instrument;
//   - a meeting is made; its minutes link two actions; the meeting page
//     lists both and each action page lists the meeting; the action plan
//     exports (HTML, PDF) carry the actions;
//   - Monaco publishes a good practice from its implemented measure; Nice
//     finds it by filtering the library (city, measure);
//   - Monaco enters indicator values in the table (one year hidden), Nice
//     imports a CSV (a bad file refused with its line and field named, then
//     a good one with one hidden year); the partnership's chart and table
//     show exactly the values expected for each viewer, computed here: the
//     plotted points mapped back through the chart's own axis ticks give the
//     entered values, and no hidden value of another city appears;
//   - Monaco links a measure of its plan to a funding instrument and sees it
//     listed with the instrument's name;
//   - Nice (for the leader) changes an action's title, seen in the list;
//     Monaco (coordinator) is refused a title taken, then names a new leader;
//   - Monaco changes its entry's results (a 400 shown first), then deletes it
//     after a confirmation: gone from the library for both cities.
// AGORA: the program (default build/debug/agora, as the run script);
// AGORA_ARTIFACTS: the screenshots; CHROMIUM: the browser.
// SPDX-License-Identifier: EUPL-1.2

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, accessSync, constants } from "node:fs";
import { tmpdir } from "node:os";
import { join, isAbsolute } from "node:path";
import { ROOT, PASSWORD, launch, newPage, shot, signIn, apiCall } from "./lib.mjs";

const AGORA = (() => {
    const a = process.env.AGORA || "build/debug/agora";
    return isAbsolute(a) ? a : join(ROOT, a);
})();

let browser;
const errors = [];

before(async () => {
    browser = await launch();
});

after(async () => {
    if (browser) await browser.close();
});

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

const PNAME = "Safer public spaces <b>2026</b>"; // markup stays text
const A1 = "Rated bollards on market squares";
const A2 = "Night-time lighting of promenades";
const INDICATOR = "sos_night_city";
// what each city enters: [year, value, visible]
const MONACO_VALUES = [[2022, 61.5, true], [2023, 64, true], [2024, 66.25, false]];
const NICE_VALUES = [[2022, 55, true], [2023, 58.37, false], [2024, 60.5, true]];

test("a partnership: invitations, actions, meetings, good practices and indicators", { timeout: 420000 }, async (t) => {
    try {
        accessSync(AGORA, constants.X_OK);
    } catch (e) {
        assert.fail(`${AGORA} is missing: set AGORA to the program`);
    }
    const dir = mkdtempSync(join(tmpdir(), "agora-partnership-"));
    const db = join(dir, "agora.db");
    const agora = (...args) => execFileSync(AGORA, [...args, "--db", db], {
        encoding: "utf8", env: { ...process.env, AGORA_DB: db },
    });
    let server = null;
    try {
        agora("import", join(ROOT, "data", "demo", "monaco.osm.pbf"), "--city", "Monaco");
        agora("import", join(ROOT, "tests", "data", "osm", "squares-v1.osm"), "--city", "Nice");
        agora("import", join(ROOT, "tests", "data", "osm", "squares-v1.osm"), "--city", "Lyon");
        writeFileSync(join(dir, "password"), `${PASSWORD}\n`);
        const users = { Monaco: "monaco-coord", Nice: "nice-coord", Lyon: "lyon-coord" };
        for (const [city, user] of Object.entries(users)) {
            agora("user", "add", user, "--password-file", join(dir, "password"), "--display-name", `${city} coordinator`,
                "--organisation", `City of ${city}`, "--lang", "en");
            agora("city", "grant", city, user, "--role", "coordinator");
        }
        // Place d'Armes assessed, with monitored CCTV in place
        const made = agora("assess", "new", "way/4227203", "--city", "Monaco", "--assessor", "Monaco coordinator");
        const aid = /Assessment (\d+):/.exec(made)[1];
        writeFileSync(join(dir, "measures.json"), JSON.stringify({ measures: { existing: ["cctv"] } }));
        agora("assess", "answer", aid, "--file", join(dir, "measures.json"), "--city", "Monaco");

        server = await serve(db);
        const mc = await newPage(browser, errors);
        await signIn(mc, users.Monaco, server.url);
        const nc = await newPage(browser, errors);
        await signIn(nc, users.Nice, server.url);
        const lc = await newPage(browser, errors);
        await signIn(lc, users.Lyon, server.url);
        const cityId = async (page, name) => (await apiCall(page, "GET", "/cities")).body.find((c) => c.name === name).id;
        const ids = { Monaco: await cityId(mc, "Monaco"), Nice: await cityId(nc, "Nice"), Lyon: await cityId(lc, "Lyon") };
        let pid;
        const actionIds = {};

        await t.test("a coordinator creates a partnership and invites two cities", async () => {
            await mc.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Partnerships", exact: true }).click();
            await mc.getByRole("heading", { level: 1, name: "Partnerships" }).waitFor();
            await mc.locator("#no-partnerships").waitFor();
            const form = mc.locator("#new-partnership");
            await form.getByLabel("Name").fill(PNAME);
            await form.getByLabel("Description").fill("Cities protecting their squares and markets together.");
            await form.getByLabel("Start").fill("2026-01-01");
            await form.getByLabel("End").fill("2027-12-31");
            assert.equal(await form.getByLabel("Coordinating city").inputValue(), String(ids.Monaco));
            await shot(mc, "partnership-01-new", form);
            await form.getByRole("button", { name: "Create the partnership" }).click();
            await mc.locator("#member-table").waitFor();
            pid = /#\/partnership\/(\d+)\/members/.exec(mc.url())[1];
            assert.equal(await mc.locator("h1").textContent(), PNAME);
            assert.equal(await mc.locator("h1 b").count(), 0, "markup of the name became an element");

            for (const [city, role] of [["Nice", "Action leader"], ["Lyon", "Member"]]) {
                const inv = mc.locator("#invite-form");
                const control = inv.locator("#invite-city");
                if (await control.evaluate((e) => e.tagName) === "SELECT") {
                    await control.selectOption({ label: city });
                } else {
                    await control.fill(String(ids[city]));
                }
                await inv.getByLabel("Role").selectOption({ label: role });
                await inv.getByRole("button", { name: "Invite" }).click();
                await mc.locator(`#member-table tr[data-city="${ids[city]}"]`).waitFor();
            }
            const state = async (city) => (await mc.locator(`#member-table tr[data-city="${ids[city]}"] td.state`).textContent()).trim();
            assert.equal(await state("Nice"), "Invited");
            assert.equal(await state("Lyon"), "Invited");
            await shot(mc, "partnership-02-invited", mc.locator("#member-table"));
        });

        await t.test("the invited cities' coordinators accept", async () => {
            for (const [page, city] of [[nc, "Nice"], [lc, "Lyon"]]) {
                await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Partnerships", exact: true }).click();
                const inv = page.locator(`#invitations li.invitation[data-partnership="${pid}"]`);
                await inv.waitFor();
                assert.match(await inv.textContent(), new RegExp(`${city} is invited as`));
                if (city === "Nice") await shot(page, "partnership-03-invitation", inv);
                // by keyboard
                const accept = inv.getByRole("button", { name: `Accept the invitation of ${city}` });
                await accept.focus();
                await page.keyboard.press("Enter");
                await page.locator("#overview").waitFor();
                assert.match(await page.locator(".meta").first().textContent(), city === "Nice" ? /Action leader/ : /Member/);
            }
            await mc.reload();
            await mc.locator("#member-table").waitFor();
            for (const city of ["Nice", "Lyon"]) {
                assert.equal((await mc.locator(`#member-table tr[data-city="${ids[city]}"] td.state`).textContent()).trim(), "active");
            }
            // the list of Nice: the partnership with its role
            await nc.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Partnerships", exact: true }).click();
            const row = nc.locator(`#partnership-list tr[data-partnership="${pid}"]`);
            await row.waitFor();
            assert.equal((await row.locator("td.role").textContent()).trim(), "Action leader");
        });

        await t.test("actions; the action leader posts a status report", async () => {
            await mc.locator("#tab-actions").click();
            await mc.locator("#no-actions").waitFor();
            for (const [title, leader, members] of [[A1, "Nice", ["Monaco", "Lyon"]], [A2, "Monaco", []]]) {
                const form = mc.locator("#new-action");
                await form.getByLabel("Title").fill(title);
                await form.getByLabel("Objective").fill(`Objective of ${title}.`);
                await form.getByLabel("Leader").selectOption({ label: leader });
                for (const m of members) await form.getByLabel(m, { exact: true }).check();
                await form.getByRole("button", { name: "Create the action" }).click();
                await mc.getByRole("heading", { level: 1, name: title }).waitFor();
                actionIds[title] = /\/action\/(\d+)/.exec(mc.url())[1];
                await mc.locator("#tab-actions").click();
                await mc.locator(`#action-list tr[data-action="${actionIds[title]}"]`).waitFor();
            }
            const badge = (page, id) => page.locator(`#action-list tr[data-action="${id}"] .status-badge`).textContent();
            assert.equal(await badge(mc, actionIds[A1]), "Proposed");

            // Nice leads A1: its coordinator reports
            await nc.goto(`${server.url}/#/partnership/${pid}/action/${actionIds[A1]}`);
            await nc.getByRole("heading", { level: 1, name: A1 }).waitFor();
            assert.equal((await nc.locator("#action-leader").textContent()).trim(), "Nice");
            await nc.locator("#no-reports").waitFor();
            const form = nc.locator("#report-form");
            await form.getByLabel("Status").selectOption("ongoing");
            await form.getByLabel("What happened").fill("Tender for the bollards published.\nThree bids received.");
            await form.getByLabel("Next steps", { exact: true }).fill("Choose a bid in March.");
            await form.getByRole("button", { name: "Post the report" }).click();
            const report = nc.locator("#report-list li.report").first();
            await report.waitFor();
            assert.equal(await report.locator(".report-text").textContent(), "Tender for the bollards published.\nThree bids received.");
            assert.match(await report.locator(".next-steps").textContent(), /Choose a bid in March\./);
            assert.match(await report.locator(".meta").textContent(), /nice-coord/);
            assert.equal((await nc.locator("#action-summary .status-badge").textContent()).trim(), "Ongoing");

            // and links a funding instrument
            const fund = nc.locator("#funding-form");
            await fund.getByLabel("Instrument").selectOption("isf_police");
            assert.match(await nc.locator("#funding-description").textContent(), /security/);
            await fund.getByLabel("Note").fill("Call for proposals 2026");
            await fund.getByRole("button", { name: "Link the instrument" }).click();
            const link = nc.locator('#funding-list li[data-instrument="isf_police"]');
            await link.waitFor();
            assert.match(await link.textContent(), /Internal Security Fund.*Call for proposals 2026/);
            await shot(nc, "partnership-04-action-report");

            // Lyon is a member, not the leader: no report form
            await lc.goto(`${server.url}/#/partnership/${pid}/action/${actionIds[A1]}`);
            await lc.locator("#report-list").waitFor();
            assert.equal(await lc.locator("#report-form").count(), 0);

            await mc.reload();
            await mc.locator("#action-list").waitFor();
            assert.equal(await badge(mc, actionIds[A1]), "Ongoing");
            await shot(mc, "partnership-05-actions", mc.locator("#action-list"));
        });

        await t.test("a meeting's minutes link two actions, and both actions show the meeting", async () => {
            await mc.locator("#tab-meetings").click();
            await mc.locator("#no-meetings").waitFor();
            const form = mc.locator("#new-meeting");
            await form.getByLabel("Date").fill("2026-03-12");
            await form.getByLabel("Place").fill("Nice, Palais des congrès");
            await form.getByLabel("Agenda").fill("1. Bollards\n2. Lighting");
            await form.locator("fieldset", { hasText: "Participants" }).getByLabel("Monaco", { exact: true }).check();
            await form.locator("fieldset", { hasText: "Participants" }).getByLabel("Nice", { exact: true }).check();
            await form.getByRole("button", { name: "Create the meeting" }).click();
            await mc.locator("#minutes-form").waitFor();
            const meetingId = /\/meeting\/(\d+)/.exec(mc.url())[1];
            assert.equal((await mc.locator("#meeting-participants").textContent()).trim(), "Monaco, Nice");
            const mf = mc.locator("#minutes-form");
            await mf.getByLabel("Minutes", { exact: true }).fill("Nice presented the tender. Monaco will pilot warm-white lighting.");
            await mf.getByLabel("Outcomes").fill("Both actions go on.");
            await mf.getByLabel(A1).check();
            await mf.getByLabel(A2).check();
            await mf.getByRole("button", { name: "Save the minutes" }).click();
            await mc.locator("#meeting-action-list").waitFor();
            assert.deepEqual(await mc.locator("#meeting-action-list li a").allTextContents(), [A1, A2].sort((a, b) => (actionIds[a] - actionIds[b])));
            assert.match(await mc.locator("#minutes .user-text").textContent(), /warm-white lighting/);
            await shot(mc, "partnership-06-meeting");
            for (const title of [A1, A2]) {
                await mc.locator(`#meeting-action-list li[data-action="${actionIds[title]}"] a`).click();
                await mc.getByRole("heading", { level: 1, name: title }).waitFor();
                const li = mc.locator(`#action-meeting-list li[data-meeting="${meetingId}"]`);
                await li.waitFor();
                // the date as the page writes it in English
                const day = new Intl.DateTimeFormat("en", { dateStyle: "long", timeZone: "UTC" }).format(Date.UTC(2026, 2, 12));
                assert.equal((await li.textContent()).trim(), `${day}, Nice, Palais des congrès`);
                if (title === A2) await shot(mc, "partnership-07-action-meetings", mc.locator("#action-meetings"));
                await mc.goBack();
                await mc.locator("#meeting-action-list").waitFor();
            }
        });

        await t.test("the action plan exports", async () => {
            await mc.locator("#tab-overview").click();
            await mc.locator("#plan-links").waitFor();
            const got = await mc.evaluate(async () => {
                const out = {};
                for (const id of ["plan-html", "plan-pdf"]) {
                    const r = await fetch(document.getElementById(id).getAttribute("href"));
                    const type = r.headers.get("Content-Type");
                    out[id] = { status: r.status, type, text: type.includes("html") ? await r.text() : String((await r.arrayBuffer()).byteLength) };
                }
                return out;
            });
            assert.equal(got["plan-html"].status, 200);
            assert.match(got["plan-html"].type, /text\/html/);
            for (const s of [A1, A2, "Tender for the bollards published.", "Choose a bid in March."]) {
                assert.ok(got["plan-html"].text.includes(s), `the HTML plan lacks "${s}"`);
            }
            assert.equal(got["plan-pdf"].status, 200);
            assert.match(got["plan-pdf"].type, /application\/pdf/);
            assert.ok(Number(got["plan-pdf"].text) > 1000);
        });

        await t.test("a city publishes a good practice from a measure; another finds it by filtering", async () => {
            await mc.goto(`${server.url}/#/city/${ids.Monaco}`);
            await mc.getByLabel("Search spaces").fill("Place d'Armes");
            await mc.locator("#space-list li:not([hidden]) a", { hasText: "Place d'Armes" }).first().click();
            const panel = mc.locator("#publish-practices");
            await panel.waitFor();
            const item = panel.locator('li[data-measure="cctv"]');
            await item.getByRole("button", { name: "Publish as good practice" }).click();
            await item.getByLabel("Who may read it").selectOption("TLP:GREEN");
            await shot(mc, "partnership-08-publish", panel);
            await item.getByRole("button", { name: "Publish", exact: true }).click();
            const link = item.locator("a.published-link");
            await link.waitFor();
            assert.match(await link.textContent(), /Monitored CCTV/);
            await link.click();
            await mc.getByRole("heading", { level: 1, name: "Monitored CCTV" }).waitFor();
            assert.equal((await mc.locator("#practice-sharing").textContent()).trim(), "TLP:GREEN");
            assert.equal((await mc.locator("#practice-measure").textContent()).trim(), "Monitored CCTV");

            // Nice: the library, filtered by city, then by measure
            await nc.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Good practices", exact: true }).click();
            await nc.locator("#practice-list").waitFor();
            const city = nc.getByLabel("City", { exact: true });
            const opts = await city.locator("option").allTextContents();
            assert.ok(opts.includes("Monaco (1)"), JSON.stringify(opts));
            await city.selectOption({ label: "Monaco (1)" });
            await nc.locator("#practice-count", { hasText: "1 good practice found" }).waitFor();
            await nc.getByLabel("Measure", { exact: true }).selectOption({ label: "Monitored CCTV (1)" });
            await nc.locator("#practice-count", { hasText: "1 good practice found" }).waitFor();
            assert.equal(await nc.locator("#practice-list li.practice-item").count(), 1);
            const entry = nc.locator("#practice-list li.practice-item h3 a");
            assert.equal(await entry.textContent(), "Monitored CCTV");
            assert.match(await nc.locator("#practice-list li.practice-item .meta").textContent(), /Monaco · Place d'Armes, Monaco/);
            // a filter that matches nothing
            await nc.getByLabel("Words in the title, what was done or the results").fill("zebra crossing");
            await nc.getByRole("button", { name: "Search", exact: true }).click();
            await nc.locator("#practice-none").waitFor();
            await nc.getByRole("button", { name: "Clear the filters" }).click();
            await nc.locator("#practice-list").waitFor();
            await city.selectOption({ label: "Monaco (1)" });
            await nc.locator("#practice-count", { hasText: "1 good practice found" }).waitFor();
            await shot(nc, "partnership-09-library");
            await entry.click();
            await nc.getByRole("heading", { level: 1, name: "Monitored CCTV" }).waitFor();
        });

        await t.test("indicator values: entered in a table, imported from CSV", async () => {
            await mc.goto(`${server.url}/#/city/${ids.Monaco}`);
            await mc.getByRole("link", { name: "Urban indicators of Monaco" }).click();
            await mc.getByRole("heading", { level: 1, name: "Indicators of Monaco" }).waitFor();
            const row = mc.locator(`#indicator-entry tr[data-indicator="${INDICATOR}"]`);
            for (const [year, value, visible] of MONACO_VALUES) {
                await mc.getByLabel("Year", { exact: true }).fill(String(year));
                await mc.getByLabel("Year", { exact: true }).dispatchEvent("change");
                await row.locator("input.ind-value").fill(String(value));
                const cb = row.getByRole("checkbox", { name: /visible to partners/ });
                if (visible) await cb.check(); else await cb.uncheck();
                await mc.getByRole("button", { name: "Save the values" }).click();
                await mc.locator("#indicator-entry .notice.status", { hasText: `1 values saved for ${year}.` }).waitFor();
            }
            const stored = await mc.locator(`#stored-table tr[data-indicator="${INDICATOR}"]`).count();
            assert.equal(stored, MONACO_VALUES.length);
            assert.match(await mc.locator(`#stored-table tr[data-indicator="${INDICATOR}"][data-year="2024"] td.visible`).textContent(), /hidden/);
            await shot(mc, "partnership-10-indicator-entry", mc.locator("#indicator-entry"));

            await nc.goto(`${server.url}/#/city/${ids.Nice}/indicators`);
            await nc.getByRole("heading", { level: 1, name: "Indicators of Nice" }).waitFor();
            const file = nc.getByLabel("CSV file");
            await file.setInputFiles({ name: "bad.csv", mimeType: "text/csv",
                buffer: Buffer.from(`indicator,year,value,visible\n${INDICATOR},2022,55,yes\n${INDICATOR},2023,fifty,no\n`) });
            await nc.getByRole("button", { name: "Import", exact: true }).click();
            const alert = nc.locator("#import-status [role=alert]");
            await alert.waitFor();
            assert.match(await alert.textContent(), /line 3: value/);
            assert.equal(await nc.locator("#stored-table").count(), 0, "something was stored from a bad file");
            await shot(nc, "partnership-11-import-refused", nc.locator("#indicator-import"));
            const csv = ["indicator,year,value,visible", ...NICE_VALUES.map(([y, v, vis]) => `${INDICATOR},${y},${v},${vis ? "yes" : "no"}`)].join("\n");
            await file.setInputFiles({ name: "nice.csv", mimeType: "text/csv", buffer: Buffer.from(`${csv}\n`) });
            await nc.getByRole("button", { name: "Import", exact: true }).click();
            await nc.locator("#import-status [role=status]", { hasText: "Imported" }).waitFor();
            assert.equal(await nc.locator(`#stored-table tr[data-indicator="${INDICATOR}"]`).count(), NICE_VALUES.length);
        });

        await t.test("the indicator chart and table match the entered values, hidden ones only for their city", async () => {
            // what each viewer must see: own values all, others' visible ones
            const expect = (viewer) => {
                const out = [];
                for (const [city, vals] of [["Monaco", MONACO_VALUES], ["Nice", NICE_VALUES]]) {
                    for (const [year, value, visible] of vals) {
                        if (visible || city === viewer) out.push({ city, year, value, visible });
                    }
                }
                return out.sort((a, b) => a.city.localeCompare(b.city) || a.year - b.year);
            };
            for (const [page, viewer] of [[mc, "Monaco"], [nc, "Nice"]]) {
                await page.goto(`${server.url}/#/partnership/${pid}/indicators`);
                const sel = page.getByLabel("Indicator", { exact: true });
                await sel.waitFor();
                // grouped by dimension
                assert.equal(await sel.locator(`optgroup[label="Sense of safety"] option[value="${INDICATOR}"]`).count(), 1);
                await sel.selectOption(INDICATOR);
                await page.getByRole("button", { name: "Compare" }).click();
                const chart = page.locator("svg#indicator-chart");
                await chart.waitFor();
                const want = expect(viewer);
                const got = await chart.evaluate((svgEl) => {
                    const yt = [...svgEl.querySelectorAll("text.ytick")].map((e) => [Number(e.dataset.value), Number(e.getAttribute("y"))]);
                    const xt = [...svgEl.querySelectorAll("text.xtick")].map((e) => [Number(e.dataset.year), Number(e.getAttribute("x"))]);
                    const pts = [...svgEl.querySelectorAll(".point")].map((e) => ({
                        city: e.dataset.city, year: Number(e.dataset.year), value: Number(e.dataset.value),
                        visible: e.dataset.visible === "true", x: Number(e.dataset.x), y: Number(e.dataset.y),
                    }));
                    return { yt, xt, pts };
                });
                // the data the points carry
                const pts = got.pts.slice().sort((a, b) => a.city.localeCompare(b.city) || a.year - b.year);
                assert.deepEqual(pts.map(({ city, year, value, visible }) => ({ city, year, value, visible })), want, viewer);
                // and where they are drawn: mapped back through the axis ticks
                const line = (pairs) => {
                    const [[v0, p0], [v1, p1]] = [pairs[0], pairs[pairs.length - 1]];
                    return (p) => v0 + ((p - p0) * (v1 - v0)) / (p1 - p0);
                };
                const valueAt = line(got.yt);
                const yearAt = line(got.xt);
                for (const p of pts) {
                    assert.ok(Math.abs(valueAt(p.y) - p.value) < 0.02, `${viewer}: ${p.city} ${p.year} drawn at ${valueAt(p.y)}, not ${p.value}`);
                    assert.ok(Math.abs(yearAt(p.x) - p.year) < 0.01, `${viewer}: ${p.city} ${p.year} drawn at year ${yearAt(p.x)}`);
                }
                // the polyline of each city goes through its points
                for (const city of ["Monaco", "Nice"]) {
                    const poly = await chart.locator(`g.series[data-city="${city}"] polyline`).getAttribute("points");
                    const mine = pts.filter((p) => p.city === city).map((p) => `${p.x},${p.y}`).join(" ");
                    assert.equal(poly, mine, `${viewer}: the line of ${city}`);
                }
                // the table: the same values
                const table = page.locator("#indicator-table");
                const cells = await table.locator("tbody td[data-year]").evaluateAll((tds) => tds.map((td) => ({
                    city: td.closest("tr").dataset.city, year: Number(td.dataset.year), value: Number(td.dataset.value),
                    visible: !td.classList.contains("hidden-value"), text: td.textContent,
                })));
                assert.deepEqual(cells.map(({ city, year, value, visible }) => ({ city, year, value, visible }))
                    .sort((a, b) => a.city.localeCompare(b.city) || a.year - b.year), want, `${viewer}: table`);
                for (const c of cells) {
                    const shown = new Intl.NumberFormat("en", { maximumFractionDigits: 2 }).format(c.value);
                    assert.ok(c.text.startsWith(shown), `${c.text} for ${c.value}`);
                    assert.equal(c.text.includes("(hidden)"), !c.visible);
                }
                // Lyon has shared nothing; the own hidden value is explained
                assert.match(await page.locator("#silent-note").textContent(), /Lyon/);
                await page.locator("#hidden-note").waitFor();
                // no hidden value of the other city anywhere in the page
                const other = viewer === "Monaco" ? NICE_VALUES : MONACO_VALUES;
                const html = await page.locator("main").evaluate((m) => m.outerHTML);
                for (const [, value, visible] of other) {
                    if (!visible) {
                        const f = new Intl.NumberFormat("en", { maximumFractionDigits: 2 }).format(value);
                        assert.ok(!html.includes(f), `${viewer} sees another city's hidden value ${f}`);
                    }
                }
                await shot(page, `partnership-12-indicators-${viewer.toLowerCase()}`, page.locator("figure.chart"));
            }
        });

        await t.test("a city links a measure of its plan to a funding instrument", async () => {
            await mc.goto(`${server.url}/#/city/${ids.Monaco}`);
            await mc.getByLabel("Search spaces").fill("Place d'Armes");
            await mc.locator("#space-list li:not([hidden]) a", { hasText: "Place d'Armes" }).first().click();
            const sec = mc.locator("#measure-funding");
            await sec.locator("#no-measure-funding").waitFor();
            const form = sec.locator("#measure-funding-form");
            await form.getByLabel("Measure", { exact: true }).selectOption("rated_bollards");
            await form.getByLabel("Instrument").selectOption("erdf");
            await form.getByLabel("Note").fill("Co-funding asked for the <b>2027</b> call");
            await form.getByRole("button", { name: "Link the instrument" }).click();
            await form.locator(".notice.status").waitFor();
            const names = new Map((await apiCall(mc, "GET", "/funding?lang=en")).body.map((i) => [i.id, i.name]));
            const li = sec.locator('#measure-funding-list li[data-measure="rated_bollards"][data-instrument="erdf"]');
            await li.waitFor();
            assert.equal((await li.locator(".funding-measure").textContent()).trim(), "Impact-rated fixed bollards");
            assert.equal((await li.locator(".funding-instrument").textContent()).trim(), names.get("erdf"));
            assert.match(await li.textContent(), /Co-funding asked for the <b>2027<\/b> call/);
            assert.equal(await li.locator("b").count(), 0, "markup of the note became an element");
            await shot(mc, "partnership-13-measure-funding", sec);
            // stored: the city's links, and the list after a reload
            const stored = (await apiCall(mc, "GET", `/cities/${ids.Monaco}/funding`)).body;
            assert.deepEqual(stored.map((f) => [f.measure, f.instrument]), [["rated_bollards", "erdf"]]);
            await mc.reload();
            const again = mc.locator('#measure-funding-list li[data-measure="rated_bollards"][data-instrument="erdf"]');
            await again.waitFor();
            // a link made by mistake is removed
            await again.getByRole("button", { name: `Remove ${names.get("erdf")}` }).click();
            await mc.locator("#measure-funding #no-measure-funding").waitFor();
            assert.deepEqual((await apiCall(mc, "GET", `/cities/${ids.Monaco}/funding`)).body, []);
        });

        await t.test("an action's title is changed by its leader; the leader by a coordinator", async () => {
            const A1B = `${A1} and fairs`;
            // Lyon is a member of the action, not its leader: nothing to change
            await lc.goto(`${server.url}/#/partnership/${pid}/action/${actionIds[A1]}`);
            await lc.getByRole("heading", { level: 1, name: A1 }).waitFor();
            assert.equal(await lc.locator("#edit-action").count(), 0);
            // Nice acts for the leader: title, objective, members, not the leader
            await nc.goto(`${server.url}/#/partnership/${pid}/action/${actionIds[A1]}`);
            await nc.getByRole("heading", { level: 1, name: A1 }).waitFor();
            await nc.locator("#edit-action").click();
            const form = nc.locator("#action-edit-form");
            await form.getByLabel("Title").waitFor();
            assert.equal(await form.locator("#ea-leader").count(), 0);
            await form.getByLabel("Title").fill(A1B);
            await form.getByLabel("Objective").fill("Rated bollards on every market square and at the fairs.");
            await shot(nc, "partnership-14-action-edit", form);
            await form.getByRole("button", { name: "Save the action" }).click();
            await nc.getByRole("heading", { level: 1, name: A1B }).waitFor();
            assert.match(await nc.locator("#action-objective").textContent(), /at the fairs/);
            await nc.locator("#tab-actions").click();
            const row = nc.locator(`#action-list tr[data-action="${actionIds[A1]}"] th a`);
            await row.waitFor();
            assert.equal(await row.textContent(), A1B);

            // the coordinator: a title taken is refused with the server's word,
            // then the leader changes
            await mc.goto(`${server.url}/#/partnership/${pid}/action/${actionIds[A2]}`);
            await mc.getByRole("heading", { level: 1, name: A2 }).waitFor();
            await mc.locator("#edit-action").click();
            const mf = mc.locator("#action-edit-form");
            await mf.getByLabel("Title").fill(A1B);
            await mf.getByRole("button", { name: "Save the action" }).click();
            const alert = mf.locator("[role=alert]");
            await alert.waitFor();
            assert.match(await alert.textContent(), /^The action was not changed: .+/);
            await mf.getByLabel("Title").fill(A2);
            await mf.getByLabel("Leader").selectOption({ label: "Nice" });
            await mf.getByRole("button", { name: "Save the action" }).click();
            await mc.locator("#action-leader", { hasText: "Nice" }).waitFor();
            assert.equal((await apiCall(mc, "GET", `/partnerships/${pid}/actions/${actionIds[A2]}`)).body.leader.name, "Nice");
        });

        await t.test("a good practice is changed by its city, then deleted after a confirmation", async () => {
            const listed = (await apiCall(mc, "GET", `/practices?city=${ids.Monaco}`)).body.practices;
            assert.equal(listed.length, 1);
            const practice = listed[0].id;
            // another city reads it, changes nothing
            await nc.goto(`${server.url}/#/practice/${practice}`);
            await nc.getByRole("heading", { level: 1, name: "Monitored CCTV" }).waitFor();
            assert.equal(await nc.locator("#edit-practice").count(), 0);
            assert.equal(await nc.locator("#delete-practice").count(), 0);

            await mc.goto(`${server.url}/#/practice/${practice}`);
            await mc.getByRole("heading", { level: 1, name: "Monitored CCTV" }).waitFor();
            await mc.locator("#edit-practice").click();
            const form = mc.locator("#practice-edit-form");
            // neither threat nor problem: the server's 400 is shown
            const threats = form.locator('input[name="pe-threat"]');
            for (let i = 0; i < await threats.count(); i++) await threats.nth(i).uncheck();
            await form.getByLabel("The problem").fill("");
            await form.getByRole("button", { name: "Save the good practice" }).click();
            const alert = form.locator("[role=alert]");
            await alert.waitFor();
            assert.match(await alert.textContent(), /^Not saved: .+/);
            // the results and the cost
            await mc.reload();
            await mc.locator("#edit-practice").click();
            await form.getByLabel("Results").fill("Thefts on the square down by a third in 2025.");
            await form.getByLabel("Cost (EUR, empty if unknown)").fill("42000");
            await shot(mc, "partnership-15-practice-edit", form);
            await form.getByRole("button", { name: "Save the good practice" }).click();
            await mc.locator(".notice.status", { hasText: "Saved." }).waitFor();
            const results = mc.locator("h2", { hasText: "Results" }).locator("xpath=following-sibling::p[1]");
            assert.equal(await results.textContent(), "Thefts on the square down by a third in 2025.");
            assert.match(await mc.locator("#practice-facts").textContent(), /€42,000|42,000/);
            await nc.reload();
            await nc.locator("h2", { hasText: "Results" }).waitFor();
            assert.match(await nc.locator("main").textContent(), /down by a third/);

            // deleting: the first button asks; "Keep it" keeps it
            await mc.locator("#delete-practice").click();
            const confirm = mc.locator("#practice-delete-confirm");
            await confirm.waitFor();
            assert.match(await confirm.textContent(), /Delete the good practice “Monitored CCTV”\?/);
            await shot(mc, "partnership-16-practice-delete", mc.locator("#practice-delete"));
            await confirm.getByRole("button", { name: "Keep it" }).click();
            assert.equal(await confirm.isHidden(), true);
            assert.equal((await apiCall(mc, "GET", `/practices/${practice}`)).status, 200);
            await mc.locator("#delete-practice").click();
            await confirm.getByRole("button", { name: "Yes, delete it" }).click();
            await mc.getByRole("heading", { level: 1, name: "Good practices" }).waitFor();
            await mc.locator(".notice.status", { hasText: "was deleted" }).waitFor();
            await mc.locator("#practice-count").waitFor();
            assert.equal(await mc.locator(`li.practice-item[data-practice="${practice}"]`).count(), 0);
            // gone for the other city too
            await nc.goto(`${server.url}/#/practices`);
            await nc.locator("#practice-count").waitFor();
            assert.equal(await nc.locator(`li.practice-item[data-practice="${practice}"]`).count(), 0);
            assert.equal((await apiCall(nc, "GET", `/practices/${practice}`)).status, 404);
        });

        for (const p of [mc, nc, lc]) await p.context().close();
    } finally {
        if (server) await server.stop();
        rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(errors, [], "errors in the page");
});
