// Urban indicators (issue 9; docs/methodology.md §21, API in
// docs/internals/server.md):
//   #/city/{cid}/indicators     the city's yearly values: entered per year in
//                               a table, each with "visible to partners", or
//                               imported from a CSV file (the server's line
//                               and field shown on error)
//   renderComparison()          the partnership's tab: an indicator chosen
//                               among those of GET /indicators grouped by
//                               dimension, the member cities over time as a
//                               line chart drawn here (SVG built from the
//                               JSON) and the same values in a table
// A city's hidden values never reach another city (the server leaves them
// out); the user's own hidden values are marked as such.
// SPDX-License-Identifier: EUPL-1.2

import { api, seg, BASE, ApiError } from "./api.js";
import { t, fmt, fmtDate, currentLang } from "./i18n.js";
import { h, clear, append, uid } from "./dom.js";
import { setTitle, notice, errorText, atLeast, state } from "./app.js";

const DIMENSIONS = [
    "quality_of_life", "social_cohesion", "public_space_liveability", "sense_of_safety",
    "urban_security", "background_conditions", "migrant_inclusion",
];

export function dimensionName(d) {
    switch (d) {
    case "quality_of_life": return t("Quality of life");
    case "social_cohesion": return t("Social cohesion");
    case "public_space_liveability": return t("Public space liveability");
    case "sense_of_safety": return t("Sense of safety");
    case "urban_security": return t("Urban security");
    case "background_conditions": return t("Background conditions");
    case "migrant_inclusion": return t("Inclusion of migrants and refugees");
    default: return d ? String(d).replace(/_/g, " ") : "";
    }
}

let indicatorCache = null;
async function indicatorList() {
    const lang = currentLang();
    if (!indicatorCache || indicatorCache.lang !== lang) {
        indicatorCache = { lang, list: api.get(`/indicators?lang=${encodeURIComponent(lang)}`) };
    }
    try {
        return await indicatorCache.list;
    } catch (e) {
        indicatorCache = null;
        throw e;
    }
}

// The indicators by dimension, in the order of the framework.
function grouped(list) {
    const by = new Map();
    for (const d of DIMENSIONS) by.set(d, []);
    for (const i of list || []) {
        if (!by.has(i.dimension)) by.set(i.dimension, []);
        by.get(i.dimension).push(i);
    }
    return [...by.entries()].filter(([, xs]) => xs.length);
}

// A value as written in the current language, up to 2 decimals.
function num(v) {
    if (v === null || v === undefined) return "–";
    return new Intl.NumberFormat(currentLang(), { maximumFractionDigits: 2 }).format(Number(v));
}

// ---------- the chart ----------

const SVGNS = "http://www.w3.org/2000/svg";

// An SVG element: attributes set with setAttribute, children (texts as
// text nodes) with dom.js append.
function svg(tag, attrs, ...children) {
    const el = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
        if (v === null || v === undefined || v === false) continue;
        el.setAttribute(k, String(v));
    }
    append(el, children);
    return el;
}

// Okabe–Ito: told apart by the colour blind; the markers differ too.
const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
const MARKERS = ["circle", "square", "diamond", "triangle"];

// Round ticks over [lo, hi]: about n steps of 1, 2 or 5 × 10^k.
export function niceTicks(lo, hi, n = 5) {
    if (lo === hi) {
        const d = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
        lo -= d;
        hi += d;
    }
    const raw = (hi - lo) / n;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
    const start = Math.floor(lo / step) * step;
    const end = Math.ceil(hi / step) * step;
    const ticks = [];
    for (let v = start; v <= end + step / 2; v += step) ticks.push(Number(v.toFixed(10)));
    return ticks;
}

function marker(kind, x, y, colour, hollow, attrs) {
    const fill = hollow ? "#ffffff" : colour;
    const common = { stroke: colour, "stroke-width": 2, fill, ...attrs };
    switch (kind) {
    case "square": return svg("rect", { x: x - 4.5, y: y - 4.5, width: 9, height: 9, ...common, "data-x": x, "data-y": y });
    case "diamond": return svg("path", { d: `M${x} ${y - 6}L${x + 6} ${y}L${x} ${y + 6}L${x - 6} ${y}Z`, ...common, "data-x": x, "data-y": y });
    case "triangle": return svg("path", { d: `M${x} ${y - 6}L${x + 6} ${y + 5}L${x - 6} ${y + 5}Z`, ...common, "data-x": x, "data-y": y });
    default: return svg("circle", { cx: x, cy: y, r: 5, ...common, "data-x": x, "data-y": y });
    }
}

// The line chart of the comparison: one line per city, years on x, values
// on y with round ticks, a legend. Every point carries data-city,
// data-year, data-value and its position (data-x, data-y).
export function comparisonChart(cmp) {
    const cities = (cmp.cities || []).map((c, k) => ({
        ...c, colour: COLOURS[k % COLOURS.length], marker: MARKERS[k % MARKERS.length],
        values: (c.values || []).slice().sort((a, b) => a.year - b.year),
    }));
    const all = cities.flatMap((c) => c.values);
    const W = 840, H = 400, L = 72, R = 270, T = 40, B = 56;
    const pw = W - L - R, ph = H - T - B;
    const ind = cmp.indicator || {};
    const title = ind.name || ind.id || "";
    const root = svg("svg", {
        xmlns: SVGNS, viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img",
        class: "indicator-chart", id: "indicator-chart", "aria-labelledby": "chart-title chart-desc",
    });
    append(root,
        svg("title", { id: "chart-title" }, title),
        svg("desc", { id: "chart-desc" }, t("Line chart of the values of each member city by year; the table below gives the same values.")),
        svg("rect", { width: W, height: H, fill: "#ffffff" }));
    if (!all.length) {
        append(root, svg("text", { x: W / 2, y: H / 2, "text-anchor": "middle", fill: "#4a4a4a" },
            t("No value to show: no member city has shared a value of this indicator.")));
        return root;
    }
    const years = [...new Set(all.map((v) => v.year))].sort((a, b) => a - b);
    const y0 = years[0], y1 = years[years.length - 1];
    const xOf = (yr) => (y0 === y1 ? L + pw / 2 : L + ((yr - y0) / (y1 - y0)) * pw);
    const vals = all.map((v) => Number(v.value));
    const ticks = niceTicks(Math.min(...vals), Math.max(...vals));
    const v0 = ticks[0], v1 = ticks[ticks.length - 1];
    const yOf = (v) => T + ph - ((v - v0) / (v1 - v0)) * ph;
    const r2 = (x) => Math.round(x * 100) / 100;

    // grid and y ticks
    const grid = svg("g", { class: "y-axis" });
    for (const v of ticks) {
        const y = r2(yOf(v));
        append(grid, svg("line", { x1: L, y1: y, x2: L + pw, y2: y, stroke: "#dddddd" }),
            svg("text", { class: "ytick", x: L - 6, y, dy: 4, "text-anchor": "end", "data-value": v }, num(v)));
    }
    // x ticks: every year (at most about 12 labels)
    const xaxis = svg("g", { class: "x-axis" });
    const every = Math.max(1, Math.ceil(years.length / 12));
    for (let yr = y0; yr <= y1; yr++) {
        if ((yr - y0) % every !== 0 && yr !== y1) continue;
        const x = r2(xOf(yr));
        append(xaxis, svg("line", { x1: x, y1: T + ph, x2: x, y2: T + ph + 5, stroke: "#333333" }),
            svg("text", { class: "xtick", x, y: T + ph + 20, "text-anchor": "middle", "data-year": yr }, String(yr)));
    }
    append(root, grid, xaxis,
        svg("g", { stroke: "#333333", fill: "none" },
            svg("line", { x1: L, y1: T + ph, x2: L + pw, y2: T + ph }),
            svg("line", { x1: L, y1: T, x2: L, y2: T + ph })),
        svg("text", { x: L, y: 22, "font-weight": "bold" }, title),
        svg("text", { class: "unit", x: 16, y: T + ph / 2, "text-anchor": "middle", transform: `rotate(-90 16 ${T + ph / 2})` }, ind.unit || ""),
        svg("text", { x: L + pw / 2, y: H - 10, "text-anchor": "middle" }, t("Year")));

    // one line per city, then its points
    cities.forEach((c) => {
        if (!c.values.length) return;
        const g = svg("g", { class: "series", "data-city": c.name });
        const pts = c.values.map((v) => [r2(xOf(v.year)), r2(yOf(Number(v.value)))]);
        if (pts.length > 1) {
            append(g, svg("polyline", {
                points: pts.map((p) => p.join(",")).join(" "), fill: "none", stroke: c.colour, "stroke-width": 2.5,
            }));
        }
        c.values.forEach((v, i) => {
            const hidden = v.visible === false;
            append(g, append(marker(c.marker, pts[i][0], pts[i][1], c.colour, hidden, {
                class: `point${hidden ? " hidden-value" : ""}`,
                "data-city": c.name, "data-year": v.year, "data-value": v.value, "data-visible": hidden ? "false" : "true",
            }), svg("title", null, `${c.name}, ${v.year}: ${num(v.value)}${hidden ? ` (${t("hidden: only your city sees it")})` : ""}`)));
        });
        append(root, g);
    });

    // legend
    const lg = svg("g", { class: "legend" });
    cities.forEach((c, k) => {
        const y = T + 10 + k * 22;
        const x = L + pw + 20;
        append(lg, svg("line", { x1: x, y1: y, x2: x + 24, y2: y, stroke: c.colour, "stroke-width": 2.5 }),
            marker(c.marker, x + 12, y, c.colour, false, {}),
            svg("text", { x: x + 32, y, dy: 4 }, c.values.length ? c.name : t("{city} (no value shared)", { city: c.name })));
    });
    if (all.some((v) => v.visible === false)) {
        const y = T + 10 + cities.length * 22 + 8;
        const x = L + pw + 20;
        append(lg, svg("circle", { cx: x + 12, cy: y, r: 5, fill: "#ffffff", stroke: "#333333", "stroke-width": 2 }),
            svg("text", { x: x + 32, y, dy: 4 }, t("hidden: your city only")));
    }
    append(root, lg);
    return root;
}

// The same values as a table: a row per city, a column per year.
function comparisonTable(cmp) {
    const cities = cmp.cities || [];
    const years = [...new Set(cities.flatMap((c) => (c.values || []).map((v) => v.year)))].sort((a, b) => a - b);
    const ind = cmp.indicator || {};
    return h("div", { class: "table-scroll" }, h("table", { class: "data indicator-table", id: "indicator-table" },
        h("caption", null, t("{indicator} ({unit}) by city and year", { indicator: ind.name || ind.id, unit: ind.unit || "" })),
        h("thead", null, h("tr", null, h("th", { scope: "col" }, t("City")),
            years.map((y) => h("th", { scope: "col", class: "num" }, String(y))))),
        h("tbody", null, cities.map((c) => {
            const by = new Map((c.values || []).map((v) => [v.year, v]));
            return h("tr", { "data-city": c.name },
                h("th", { scope: "row" }, c.name, c.own ? h("span", { class: "small" }, " ", t("(your city)")) : null),
                years.length ? years.map((y) => {
                    const v = by.get(y);
                    if (!v) return h("td", { class: "num empty" }, "–");
                    const hidden = v.visible === false;
                    return h("td", { class: `num${hidden ? " hidden-value" : ""}`, "data-year": y, "data-value": v.value },
                        num(v.value), hidden ? h("span", { class: "hidden-tag" }, " ", t("(hidden)")) : null);
                }) : null);
        }))));
}

export async function renderComparison(page, ctx, p) {
    const list = await indicatorList();
    if (ctx.stale()) return;
    append(page, h("h2", null, t("Indicators")),
        h("p", { class: "lead" }, t("The member cities compared over time, one indicator at a time. Each city decides which of its values the others see: a city's hidden values are never sent to anyone else. No score or ranking is computed.")));
    const sel = h("select", { id: "indicator-select" },
        h("option", { value: "" }, t("Choose an indicator")),
        grouped(list).map(([d, xs]) => h("optgroup", { label: dimensionName(d) },
            xs.map((i) => h("option", { value: i.id }, `${i.name} (${i.unit})`)))));
    const out = h("div", { class: "comparison", "aria-live": "polite" });
    const form = h("form", { class: "inline", id: "indicator-form" },
        h("div", { class: "field" }, h("label", { for: "indicator-select" }, t("Indicator")), sel),
        h("button", { type: "submit" }, t("Compare")));
    const show = async () => {
        if (!sel.value) {
            append(clear(out), notice("error", t("Choose an indicator.")));
            return;
        }
        append(clear(out), h("p", { class: "loading" }, t("Loading…")));
        try {
            const cmp = await api.get(`/partnerships/${seg(p.id)}/indicators?indicator=${encodeURIComponent(sel.value)}&lang=${encodeURIComponent(currentLang())}`);
            const hiddenOwn = (cmp.cities || []).some((c) => c.own && (c.values || []).some((v) => v.visible === false));
            const silent = (cmp.cities || []).filter((c) => !c.own && !(c.values || []).length).map((c) => c.name);
            clear(out);
            append(out,
                h("figure", { class: "chart" }, comparisonChart(cmp)),
                comparisonTable(cmp),
                h("ul", { class: "chart-notes small", id: "chart-notes" },
                    hiddenOwn ? h("li", { id: "hidden-note" }, t("Values marked (hidden) and drawn as hollow markers are your city's own hidden values: only your city's users see them.")) : null,
                    h("li", null, t("The other cities' values are those they made visible to their partners.")),
                    silent.length ? h("li", { id: "silent-note" }, t("No value shared by: {cities}.", { cities: silent.join(", ") })) : null,
                    h("li", null, h("a", {
                        href: `${BASE}/partnerships/${seg(p.id)}/indicators?indicator=${encodeURIComponent(sel.value)}&format=svg&lang=${encodeURIComponent(currentLang())}`,
                        download: "",
                    }, t("Download the chart (SVG)")))));
        } catch (e) {
            if (e instanceof ApiError && e.status === 401) throw e;
            append(clear(out), notice("error", errorText(e)));
        }
    };
    form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        show();
    });
    append(page, form, out);
}

// ---------- the city's values ----------

// POST a CSV file as it is (text/csv), with the session's CSRF token.
async function postCsv(path, text) {
    let res;
    try {
        res = await fetch(`${BASE}${path}`, {
            method: "POST", credentials: "same-origin",
            headers: {
                "Content-Type": "text/csv", Accept: "application/json",
                "X-CSRF-Token": (state.session && state.session.csrf) || "",
            },
            body: text,
        });
    } catch (e) {
        throw new ApiError(0, "The server cannot be reached.", null, null);
    }
    const data = await res.json().catch(() => null);
    if (!res.ok) {
        throw new ApiError(res.status, data && typeof data.error === "string" ? data.error : `HTTP ${res.status}`, data, res.headers);
    }
    return data;
}

export async function renderCityIndicators(page, ctx, cid) {
    const [city, list, stored] = await Promise.all([
        api.get(`/cities/${seg(cid)}`),
        indicatorList(),
        api.get(`/cities/${seg(cid)}/indicators`),
    ]);
    if (ctx.stale()) return;
    setTitle(t("Indicators of {city}", { city: city.name }));
    const editable = atLeast(cid, "assessor");
    let values = stored.values || [];
    const names = new Map((list || []).map((i) => [i.id, i]));
    append(page,
        h("nav", { class: "crumbs", "aria-label": t("Breadcrumb") }, h("ol", null,
            h("li", null, h("a", { href: "#/" }, t("Cities"))),
            h("li", null, h("a", { href: `#/city/${seg(cid)}` }, city.name)),
            h("li", null, h("a", { href: `#/city/${seg(cid)}/indicators`, "aria-current": "page" }, t("Indicators"))))),
        h("h1", null, t("Indicators of {city}", { city: city.name })),
        h("p", { class: "lead" }, t("The city's yearly values of the urban indicators. A value is hidden from the partner cities unless you tick “visible to partners”.")));
    const status = h("div", { class: "indicator-status" });
    append(page, status);

    const thisYear = new Date().getFullYear();
    const year = h("input", { type: "number", id: "ind-year", min: "1900", max: "2200", step: "1", value: String(thisYear - 1), inputmode: "numeric" });
    const rows = [];
    const tbodies = grouped(list).map(([d, xs]) => h("tbody", null,
        h("tr", { class: "group-start" }, h("th", { scope: "colgroup", colspan: "4", class: "dimension" }, dimensionName(d))),
        xs.map((i) => {
            const vid = uid("val");
            const cbid = uid("vis");
            const input = h("input", { type: "number", step: "any", id: vid, class: "ind-value", disabled: !editable, "data-indicator": i.id });
            const vis = h("input", { type: "checkbox", id: cbid, class: "ind-visible", disabled: !editable, "data-indicator": i.id });
            rows.push({ i, input, vis });
            return h("tr", { "data-indicator": i.id },
                h("th", { scope: "row" }, h("label", { for: vid }, i.name)),
                h("td", null, i.unit),
                h("td", null, input),
                h("td", { class: "check-cell" }, vis,
                    h("label", { for: cbid, class: "visually-hidden" }, t("{indicator}: visible to partners", { indicator: i.name }))));
        })));
    const fill = () => {
        const y = Number(year.value);
        for (const r of rows) {
            const v = values.find((x) => x.indicator === r.i.id && x.year === y);
            r.input.value = v ? String(v.value) : "";
            r.vis.checked = v ? !!v.visible : false;
        }
    };
    year.addEventListener("change", fill);
    const saveMsg = h("div", { class: "form-status" });
    const entry = h("form", { id: "indicator-entry", novalidate: true },
        h("h2", null, t("Values of one year")),
        h("div", { class: "field" }, h("label", { for: "ind-year" }, t("Year")), year),
        h("div", { class: "table-scroll" }, h("table", { class: "data indicator-entry-table" },
            h("caption", null, t("The values of the year chosen above")),
            h("thead", null, h("tr", null,
                h("th", { scope: "col" }, t("Indicator")),
                h("th", { scope: "col" }, t("Unit")),
                h("th", { scope: "col" }, t("Value")),
                h("th", { scope: "col" }, t("Visible to partners")))),
            tbodies)),
        editable ? h("p", { class: "hint" }, t("An empty field leaves the year's stored value, if any, as it is.")) : null,
        saveMsg,
        editable ? h("div", { class: "actions" }, h("button", { type: "submit", id: "save-indicators" }, t("Save the values"))) : null);
    entry.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        clear(saveMsg);
        const y = Number(year.value);
        if (!Number.isInteger(y) || y < 1900 || y > 2200) {
            append(saveMsg, notice("error", t("Give a year between 1900 and 2200.")));
            year.focus();
            return;
        }
        const out = [];
        for (const r of rows) {
            if (r.input.value.trim() === "") continue;
            const v = Number(r.input.value);
            if (!Number.isFinite(v)) {
                append(saveMsg, notice("error", t("{indicator}: not a number.", { indicator: r.i.name })));
                r.input.focus();
                return;
            }
            out.push({ indicator: r.i.id, year: y, value: v, visible: r.vis.checked });
        }
        if (!out.length) {
            append(saveMsg, notice("error", t("Nothing to save: enter at least one value.")));
            return;
        }
        try {
            const res = await api.put(`/cities/${seg(cid)}/indicators`, { values: out });
            values = res.values || [];
            fill();
            drawStored();
            append(saveMsg, notice("status", t("{n} values saved for {year}.", { n: fmt(out.length), year: String(y) })));
        } catch (e) {
            if (e instanceof ApiError && e.status === 401) throw e;
            append(saveMsg, notice("error", e instanceof ApiError && e.status === 400
                ? t("Not saved: {message}", { message: e.message }) : errorText(e)));
        }
    });
    append(page, entry);
    fill();

    // CSV import
    if (editable) {
        const file = h("input", { type: "file", id: "ind-csv", accept: ".csv,text/csv" });
        const msg = h("div", { class: "form-status", id: "import-status" });
        const form = h("form", { id: "indicator-import", class: "panel-form", novalidate: true },
            h("h2", null, t("Import from a CSV file")),
            h("p", { class: "hint" }, t("Columns: indicator,year,value[,visible][,note], with a header line and a decimal point; visible is yes or no (no when absent). The whole file is checked first: on an error nothing is stored.")),
            h("div", { class: "field" }, h("label", { for: "ind-csv" }, t("CSV file")), file),
            msg,
            h("div", { class: "actions" }, h("button", { type: "submit", class: "secondary", id: "import-indicators" }, t("Import"))));
        form.addEventListener("submit", async (ev) => {
            ev.preventDefault();
            clear(msg);
            const f = file.files && file.files[0];
            if (!f) {
                append(msg, notice("error", t("Choose a CSV file.")));
                file.focus();
                return;
            }
            try {
                const res = await postCsv(`/cities/${seg(cid)}/indicators/import`, await f.text());
                const before = values.length;
                values = res.values || [];
                fill();
                drawStored();
                append(msg, notice("status", t("Imported: the city now has {n} values ({m} before).", { n: fmt(values.length), m: fmt(before) })));
            } catch (e) {
                if (e instanceof ApiError && e.status === 401) throw e;
                append(msg, notice("error", e instanceof ApiError && e.status === 400
                    ? t("The file was refused, nothing was stored: {message}", { message: e.message }) : errorText(e)));
            }
        });
        append(page, form);
    }

    // every stored value
    const storedSec = h("section", { id: "stored-values", "aria-labelledby": "stored-title" });
    const drawStored = () => {
        clear(storedSec);
        append(storedSec, h("h2", { id: "stored-title" }, t("Stored values")));
        if (!values.length) {
            append(storedSec, h("p", null, t("No value stored yet.")));
            return;
        }
        append(storedSec, h("div", { class: "table-scroll" }, h("table", { class: "data", id: "stored-table" },
            h("caption", null, t("Every value of the city, hidden ones included")),
            h("thead", null, h("tr", null,
                h("th", { scope: "col" }, t("Indicator")),
                h("th", { scope: "col", class: "num" }, t("Year")),
                h("th", { scope: "col", class: "num" }, t("Value")),
                h("th", { scope: "col" }, t("Visible to partners")),
                h("th", { scope: "col" }, t("Note")),
                h("th", { scope: "col" }, t("Updated")))),
            h("tbody", null, values.map((v) => h("tr", { "data-indicator": v.indicator, "data-year": v.year },
                h("th", { scope: "row" }, (names.get(v.indicator) || {}).name || v.indicator),
                h("td", { class: "num" }, String(v.year)),
                h("td", { class: "num" }, num(v.value)),
                h("td", { class: "visible" }, v.visible ? t("yes") : t("no (hidden)")),
                h("td", { class: "user-text" }, v.note || ""),
                h("td", null, fmtDate(v.updated_at), v.updated_by ? h("span", { class: "small" }, " · ", v.updated_by) : null)))))));
    };
    drawStored();
    append(page, storedSec);
}
